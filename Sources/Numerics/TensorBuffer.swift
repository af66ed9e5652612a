/// Float storage at a stable, 64-byte-aligned address, with a shape: model weights and the
/// scratch activations of a forward pass.
///
/// Unlike `Tensor` (a value), this is a reference so hot loops can hold its pointer without
/// nesting `withUnsafeBufferPointer` closures. Contract that makes the `@unchecked Sendable`
/// sound: a buffer is written only by the code that created it, before it is shared; weights
/// are never written after loading, and forward passes allocate their own scratch per call.
public final class TensorBuffer: @unchecked Sendable {
    public let shape: [Int]
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    /// A zero-filled buffer of `shape` (dimensions must be non-negative).
    public convenience init(shape: [Int]) throws(TensorError) {
        guard let count = Tensor.elementCount(of: shape) else {
            throw .shapeMismatch(shape: shape, scalarCount: 0)
        }
        self.init(validatedShape: shape, count: count)
    }

    /// A copy of `tensor`'s scalars (a `Tensor`'s shape is valid by construction).
    ///
    /// This is how checkpoints become weights (`WeightSource.load`), so large copies ask for
    /// transparent huge pages: every GEMM re-reads its whole weight matrix to pack it, and at
    /// batch 1 that packing streams the model from memory on each call, where 2 MiB pages cut
    /// TLB misses. Scratch buffers (`init(shape:)`) do not ask: they are allocated per batch,
    /// and a huge-page fault may compact memory synchronously.
    public convenience init(_ tensor: Tensor) {
        self.init(validatedShape: tensor.shape, count: tensor.count, hugePages: true)
        tensor.scalars.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.update(from: base, count: count) }
        }
    }

    /// A zero-filled, flat buffer of `count` floats for weights re-laid out at load (packed
    /// GEMM panels); on huge pages like every weight.
    convenience init(weightCount count: Int) {
        self.init(validatedShape: [count], count: count, hugePages: true)
    }

    private init(validatedShape shape: [Int], count: Int, hugePages: Bool = false) {
        self.shape = shape
        self.count = count
        let capacity = max(1, count)
        let byteCount = capacity * MemoryLayout<Float>.stride
        let raw: UnsafeMutableRawPointer
        if hugePages, byteCount >= HugePages.size {
            raw = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: HugePages.size)
            HugePages.advise(raw, byteCount: byteCount)
        } else {
            raw = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
        }
        pointer = raw.bindMemory(to: Float.self, capacity: capacity)
        pointer.initialize(repeating: 0, count: capacity)
    }

    deinit { pointer.deallocate() }

    /// The scalars as a `Tensor` value (a copy).
    public var tensor: Tensor {
        Tensor(validatedShape: shape, scalars: Array(UnsafeBufferPointer(start: pointer, count: count)))
    }
}
