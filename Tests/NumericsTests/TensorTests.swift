import Testing
@testable import Numerics

@Suite struct TensorTests {
    @Test func shapeMustHoldTheScalars() throws {
        let t = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(Array(t.row(1)) == [4, 5, 6])
        #expect(throws: TensorError.shapeMismatch(shape: [2, 2], scalarCount: 3)) {
            try Tensor(shape: [2, 2], scalars: [1, 2, 3])
        }
    }

    @Test func negativeOrOverflowingShapesAreRejected() {
        #expect(Tensor.elementCount(of: [3, -1]) == nil)
        #expect(Tensor.elementCount(of: [Int.max, 2]) == nil)
        #expect(Tensor.elementCount(of: []) == 1)
    }

    /// Weight-sized copies take the huge-page path (2 MiB aligned); small ones the ordinary one.
    @Test(arguments: [7, HugePages.size / 4 + 3])
    func bufferCopiesHoldTheTensorsScalars(count: Int) throws {
        let tensor = try Tensor(shape: [count], scalars: seededValues(count, seed: 91))
        let buffer = TensorBuffer(tensor)
        #expect(buffer.tensor == tensor)
        if count * 4 >= HugePages.size {
            #expect(Int(bitPattern: buffer.pointer) % HugePages.size == 0)
        }
    }
}
