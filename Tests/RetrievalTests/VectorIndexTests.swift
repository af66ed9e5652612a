import Foundation
import TestSupport
import Testing
@testable import Retrieval

@Suite struct VectorIndexTests {
    @Test func flatSearchMatchesExactInnerProduct() throws {
        var random = TestVectors(seed: 1)
        let vectors = random.unitVectors(300, dimension: 24)
        let ids = (0..<300).map { Int64(1_000 + $0 * 7) }
        let index = try VectorIndex(factory: "Flat", dimension: 24)
        try index.add(vectors, ids: ids)
        #expect(index.count == 300)
        for q in 0..<10 {
            let query = random.unitVector(dimension: 24)
            let got = try index.search(query, k: 10).map(\.id)
            #expect(got == exactTopK(query, vectors, ids: ids, k: 10), "query \(q)")
        }
    }

    @Test func refusesAWrongDimensionWithTheShimsMessage() throws {
        let index = try VectorIndex(factory: "Flat", dimension: 16)
        let error = #expect(throws: VectorIndexError.self) {
            try index.add([[Float](repeating: 0.1, count: 7)], ids: [1])
        }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains("dimension 7") == true, "\(String(describing: error))")
        let searchError = #expect(throws: VectorIndexError.self) {
            try index.search([Float](repeating: 0.1, count: 17), k: 3)
        }
        #expect(searchError?.message.contains("dimension 17") == true)
        #expect(index.count == 0)
    }

    @Test(arguments: [0, -1, -100])
    func refusesANonPositiveK(k: Int) throws {
        let index = try VectorIndex(factory: "Flat", dimension: 8)
        try index.add([[Float](repeating: 0.5, count: 8)], ids: [3])
        let error = #expect(throws: VectorIndexError.self) { try index.search([Float](repeating: 0.5, count: 8), k: k) }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains("k must be positive") == true)
    }

    @Test func refusesAnUnknownFactoryStringWithFaissMessage() {
        let error = #expect(throws: VectorIndexError.self) { try VectorIndex(factory: "NoSuchIndex42", dimension: 8) }
        #expect(error?.kind == .faiss)
        #expect(error?.message.isEmpty == false)
        #expect(throws: VectorIndexError.self) { try VectorIndex(factory: "Flat", dimension: 0) }
        #expect(throws: VectorIndexError.self) { try VectorIndex(factory: "IDMap,Flat", dimension: 8) }
    }

    @Test func refusesAnUnreadableFile() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let missing = #expect(throws: VectorIndexError.self) {
            try VectorIndex(contentsOf: dir.appendingPathComponent("missing.faiss"))
        }
        #expect(missing?.kind == .io)
        let garbage = dir.appendingPathComponent("garbage.faiss")
        try Data("this is not a FAISS index at all".utf8).write(to: garbage)
        let bad = #expect(throws: VectorIndexError.self) { try VectorIndex(contentsOf: garbage) }
        #expect(bad?.kind == .io)
        #expect(throws: VectorIndexError.self) { try VectorIndex(serialized: Data([1, 2, 3]), factory: "Flat") }
    }

    @Test func refusesToAddToAnUntrainedIVF() throws {
        let index = try VectorIndex(factory: "IVF4,Flat", dimension: 8)
        #expect(try index.isTrained() == false)
        let error = #expect(throws: VectorIndexError.self) { try index.add([[Float](repeating: 0.5, count: 8)], ids: [1]) }
        #expect(error?.message.contains("trained") == true)
    }

    /// Half-precision storage (FAISS's fp16 scalar quantizer, flat or in IVF lists, which the shim
    /// keeps off residuals so its kernels read the codes in place): every search finds the exact
    /// top-k of the rows as rounded to half precision, with their scores, before and after a
    /// round trip through the file format.
    @Test(arguments: ["SQfp16", "IVF8,SQfp16"])
    func halfPrecisionIndexesFindTheExactTopKOfTheRoundedRows(factory: String) throws {
        var random = TestVectors(seed: 6)
        let vectors = random.unitVectors(600, dimension: 24)
        let rounded = vectors.map { $0.map { Float(Float16($0)) } }
        let ids = (0..<600).map { Int64(7 + $0 * 2) }
        let index = try VectorIndex(factory: factory, dimension: 24)
        try index.train(vectors)
        try index.add(vectors, ids: ids)
        if factory.hasPrefix("IVF") { try index.setNProbe(8) }  // every list: exact over the rows
        let copy = try VectorIndex(serialized: try index.serialized(), factory: factory)
        if factory.hasPrefix("IVF") { try copy.setNProbe(8) }
        for q in 0..<20 {
            let query = random.unitVector(dimension: 24)
            let expected = exactTopK(query, rounded, ids: ids, k: 10)
            for (label, searched) in [("built", index), ("reloaded", copy)] {
                let hits = try searched.search(query, k: 10)
                #expect(hits.map(\.id) == expected, "\(factory) \(label) query \(q)")
                for hit in hits {
                    let row = rounded[Int(hit.id - 7) / 2]
                    let score = zip(query, row).reduce(Float(0)) { $0 + $1.0 * $1.1 }
                    #expect(abs(hit.score - score) < 1e-5, "\(factory) \(label) id \(hit.id)")
                }
            }
        }
    }

    @Test func filteredSearchReturnsOnlyAllowedIdsForEveryType() throws {
        var random = TestVectors(seed: 2)
        let vectors = random.unitVectors(2_000, dimension: 16)
        let ids = (0..<2_000).map { Int64($0 * 3 + 5) }
        let allowed: [Int64] = [ids[10], ids[500], ids[1_999], 999_999]
        for factory in ["Flat", "HNSW32", "IVF16,Flat", "SQ8", "IVF16,SQfp16"] {
            let index = try VectorIndex(factory: factory, dimension: 16)
            try index.train(vectors)
            try index.add(vectors, ids: ids)
            if factory.hasPrefix("IVF") { try index.setNProbe(16) }
            let hits = try index.search(vectors[500], k: 5, allowedIDs: allowed)
            #expect(Set(hits.map(\.id)) == Set(allowed.dropLast()), "\(factory): \(hits)")
            #expect(hits.first?.id == ids[500], "\(factory)")
            #expect(try index.search(vectors[500], k: 5, allowedIDs: []).isEmpty, "\(factory)")
        }
    }

    @Test func removesFromFlatButReportsUnsupportedForHNSW() throws {
        var random = TestVectors(seed: 3)
        let vectors = random.unitVectors(50, dimension: 8)
        let ids = (0..<50).map { Int64($0) }
        let flat = try VectorIndex(factory: "Flat", dimension: 8)
        try flat.add(vectors, ids: ids)
        #expect(flat.supportsRemoval)
        #expect(try flat.remove(ids: [3, 4, 1_000]) == 2)
        #expect(flat.count == 48)
        #expect(try flat.ids().contains(3) == false)
        #expect(try flat.search(vectors[3], k: 48).contains { $0.id == 3 } == false)

        let hnsw = try VectorIndex(factory: "HNSW16", dimension: 8)
        try hnsw.add(vectors, ids: ids)
        #expect(hnsw.supportsRemoval == false)
        let error = #expect(throws: VectorIndexError.self) { try hnsw.remove(ids: [3]) }
        #expect(error?.kind == .unsupported)
        #expect(hnsw.count == 50)
        try hnsw.setEfSearch(128)
        #expect(throws: VectorIndexError.self) { try hnsw.setNProbe(4) }
    }

    @Test func serialisedAndFileRoundTripsGiveTheSameResults() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        var random = TestVectors(seed: 4)
        let vectors = random.unitVectors(200, dimension: 12)
        let ids = (0..<200).map { Int64($0 + 1) }
        let index = try VectorIndex(factory: "HNSW16", dimension: 12)
        try index.add(vectors, ids: ids)
        let query = random.unitVector(dimension: 12)
        let before = try index.search(query, k: 7)
        let copy = try VectorIndex(serialized: try index.serialized(), factory: "HNSW16")
        #expect(try copy.search(query, k: 7) == before)
        let file = dir.appendingPathComponent("index.faiss")
        try index.write(to: file)
        let loaded = try VectorIndex(contentsOf: file)
        #expect(loaded.dimension == 12)
        #expect(try loaded.search(query, k: 7) == before)
        #expect(try loaded.ids() == ids)
    }

    @Test func concurrentSearchesAgreeWithASerialSearch() async throws {
        var random = TestVectors(seed: 5)
        let vectors = random.unitVectors(1_000, dimension: 32)
        let index = try VectorIndex(factory: "Flat", dimension: 32)
        try index.add(vectors, ids: (0..<1_000).map { Int64($0) })
        let queries = Array(vectors.prefix(40))
        let expected = try queries.map { try index.search($0, k: 5) }
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for (i, query) in queries.enumerated() {
                group.addTask { try index.search(query, k: 5) == expected[i] }
            }
            for try await agreed in group { #expect(agreed) }
        }
    }
}
