import Models

/// An item of a text or image batch with the domain adapter its request leased: a batch may
/// mix activations during a swap, and each item keeps its own (as `ChineseJob` does for
/// language adapters).
struct DomainJob<Input: Sendable>: Sendable {
    let input: Input
    /// nil: the frozen encoders.
    let domain: DomainAdapter?
    /// The activation's generation; 0 for none.
    let generation: Int

    init(_ input: Input, domain lease: DomainLease?) {
        self.input = input
        self.domain = lease?.adapter
        self.generation = lease?.generation ?? 0
    }

    /// Indices of `batch` grouped by activation, each group in batch order: one model batch each.
    static func groups(_ batch: [DomainJob]) -> [[Int]] {
        var order: [Int] = []
        var byGeneration: [Int: [Int]] = [:]
        for (index, job) in batch.enumerated() {
            if byGeneration[job.generation] == nil { order.append(job.generation) }
            byGeneration[job.generation, default: []].append(index)
        }
        return order.map { byGeneration[$0] ?? [] }
    }
}
