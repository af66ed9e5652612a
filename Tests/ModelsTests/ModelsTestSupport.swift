import Foundation
import TestSupport
import Testing

func clipFixture(_ shape: String) -> URL {
    RepositoryPaths.fixture("clip/\(shape)")
}

