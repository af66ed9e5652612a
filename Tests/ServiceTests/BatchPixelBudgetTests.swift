import Foundation
import TestSupport
import Testing
@testable import Service

/// `BatchPixelBudget` alone: stored sizes summed from headers, the first image past the limit
/// named, and entries that are never decoded left out of the sum.
@Suite struct BatchPixelBudgetTests {
    @Test func sumsStoredSizesAndStopsAtTheFirstImagePastTheLimit() throws {
        let images: [Data?] = [makePNG(width: 8, height: 6, seed: 1), makePNG(width: 10, height: 10, seed: 2), makePNG(width: 5, height: 5, seed: 3)]
        #expect(try BatchPixelBudget(limit: 173, maxImagePixels: 1_000).check(images) == 173)
        let error = #expect(throws: BatchPixelBudget.Exceeded.self) { try BatchPixelBudget(limit: 172, maxImagePixels: 1_000).check(images) }
        #expect(error == BatchPixelBudget.Exceeded(index: 2, width: 5, height: 5, total: 173, limit: 172))
        let early = #expect(throws: BatchPixelBudget.Exceeded.self) { try BatchPixelBudget(limit: 147, maxImagePixels: 1_000).check(images) }
        #expect(early?.index == 1 && early?.total == 148)
    }

    @Test func entriesThatAreNeverDecodedAreNotCounted() throws {
        let images: [Data?] = [
            nil, Data("not an image".utf8), makePNG(width: 8, height: 6, seed: 1).prefix(20),
            makePNG(width: 20, height: 20, seed: 2),  // over maxImagePixels: refused alone
            makePNG(width: 8, height: 6, seed: 3),
        ]
        #expect(try BatchPixelBudget(limit: 48, maxImagePixels: 399).check(images) == 48)
        #expect(try BatchPixelBudget(limit: 448, maxImagePixels: 400).check(images) == 448)
        #expect(throws: BatchPixelBudget.Exceeded.self) { try BatchPixelBudget(limit: 447, maxImagePixels: 400).check(images) }
    }
}
