/// Polls a caller's stop request at the safe points of decoding and preprocessing (between rows,
/// between passes), so that a request whose deadline has passed stops within a bounded amount
/// of work instead of running to the end. The question is asked once per `interval` bytes of
/// work rather than at every point, so that a check that reads a clock costs nothing next to
/// the work between checks, and a one-pixel-wide image does not pay for it on every row.
struct StopCheck {
    /// Bytes of output (or of input, for codecs fed in slices) between two questions: 64 KiB,
    /// tens of microseconds of decoding.
    static let interval = 1 << 16

    private let shouldStop: (@Sendable () -> Bool)?
    private var pending = 0

    init(_ shouldStop: (@Sendable () -> Bool)?) { self.shouldStop = shouldStop }

    /// Counts `work` bytes done; asks once `interval` bytes have accumulated since the last question.
    @inline(__always) mutating func advance(by work: Int) throws(ImageError) {
        guard shouldStop != nil else { return }
        pending += work
        if pending >= Self.interval { try now() }
    }

    /// Asks now (between stages whose cost is not counted in bytes).
    mutating func now() throws(ImageError) {
        guard let shouldStop else { return }
        pending = 0
        if shouldStop() { throw .cancelled }
    }
}
