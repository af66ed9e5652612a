import Testing
@testable import Engine

@Suite struct AdapterSlotTests {
    @Test func emptySlotLeasesNothing() {
        let slot = AdapterSlot<String>(slotName: "language:zh")
        #expect(slot.lease() == nil)
    }

    @Test func aLeaseKeepsItsAdapterAcrossASwap() {
        let slot = AdapterSlot<String>(slotName: "language:zh")
        slot.activate("weights-v1", name: "zh", version: "1")
        let inFlight = slot.lease()
        let previous = slot.activate("weights-v2", name: "zh", version: "2")
        #expect(previous?.version == "1")
        #expect(inFlight?.adapter == "weights-v1")
        #expect(slot.lease()?.adapter == "weights-v2")
        #expect(slot.active?.generation == 2)
    }

    @Test func requestCountsAreKeptPerActivation() {
        let slot = AdapterSlot<Int>(slotName: "s")
        slot.activate(1, name: "a", version: "1")
        _ = slot.lease(); _ = slot.lease()
        slot.activate(2, name: "a", version: "2")
        _ = slot.lease()
        #expect(slot.requestCount(generation: 1) == 2)
        #expect(slot.requestCount(generation: 2) == 1)
        #expect(slot.active.map { slot.requestCount(generation: $0.generation) } == 1)
    }

    /// Under concurrent swaps every lease is one whole activation: value and version agree.
    @Test func concurrentLeasesAlwaysSeeOneConsistentActivation() async {
        let slot = AdapterSlot<String>(slotName: "s")
        slot.activate("v0", name: "a", version: "0")
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for v in 1...200 { slot.activate("v\(v)", name: "a", version: "\(v)") }
                return true
            }
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<500 {
                        guard let lease = slot.lease(), lease.adapter == "v\(lease.version)" else { return false }
                    }
                    return true
                }
            }
            for await ok in group { #expect(ok) }
        }
        #expect(slot.active?.version == "200")
    }
}
