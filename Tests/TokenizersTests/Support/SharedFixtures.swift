import Foundation

@testable import Tokenizers

/// Loaded once per test process: Swift Testing makes a fresh suite value per test, and reading
/// the real vocabularies for each would dominate the run time.
enum SharedFixtures {
    static let clip: Result<(tokenizer: CLIPTokenizer, goldens: GoldenSet), any Error> = Result {
        let directory = Fixtures.directory("clip")
        return (try CLIPTokenizer(directory: directory), try GoldenSet.load(directory: directory))
    }

    static let bert: Result<(lower: BertTokenizer, cased: BertTokenizer, lowerGoldens: GoldenSet, casedGoldens: GoldenSet), any Error> = Result {
        let directory = Fixtures.directory("bert-zh")
        return (
            try BertTokenizer(directory: directory), try BertTokenizer(directory: directory, lowercase: false),
            try GoldenSet.load(directory: directory, goldens: "goldens-lower.json"),
            try GoldenSet.load(directory: directory, goldens: "goldens-cased.json")
        )
    }

    static let unigram: Result<(tokenizer: UnigramTokenizer, goldens: GoldenSet), any Error> = Result {
        let directory = Fixtures.directory("unigram-xlmr")
        return (try UnigramTokenizer(directory: directory), try GoldenSet.load(directory: directory))
    }
}
