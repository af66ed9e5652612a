import Models
import Testing
@testable import Engine

@Suite struct AdapterSlotTests {
    static func identity(_ name: String, _ version: String) -> AdapterIdentity {
        AdapterIdentity(name: name, version: version, digest: String(repeating: "0", count: 64))
    }

    @Test func emptySlotLeasesNothing() {
        let slot = AdapterSlot<String>(slotName: "language:zh")
        #expect(slot.lease() == nil)
    }

    @Test func aLeaseKeepsItsAdapterAcrossASwap() {
        let slot = AdapterSlot<String>(slotName: "language:zh")
        slot.activate("weights-v1", identity: Self.identity("zh", "1"))
        let inFlight = slot.lease()
        let previous = slot.activate("weights-v2", identity: Self.identity("zh", "2"))
        #expect(previous?.identity.version == "1")
        #expect(inFlight?.adapter == "weights-v1")
        #expect(slot.lease()?.adapter == "weights-v2")
        #expect(slot.active?.generation == 2)
    }

    @Test func requestCountsAreKeptPerActivation() {
        let slot = AdapterSlot<Int>(slotName: "s")
        slot.activate(1, identity: Self.identity("a", "1"))
        _ = slot.lease(); _ = slot.lease()
        slot.activate(2, identity: Self.identity("a", "2"))
        _ = slot.lease()
        #expect(slot.requestCount(generation: 1) == 2)
        #expect(slot.requestCount(generation: 2) == 1)
        #expect(slot.active.map { slot.requestCount(generation: $0.generation) } == 1)
    }

    /// Under concurrent swaps every lease is one whole activation: value and version agree.
    @Test func concurrentLeasesAlwaysSeeOneConsistentActivation() async {
        let slot = AdapterSlot<String>(slotName: "s")
        slot.activate("v0", identity: Self.identity("a", "0"))
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for v in 1...200 { slot.activate("v\(v)", identity: Self.identity("a", "\(v)")) }
                return true
            }
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<500 {
                        guard let lease = slot.lease(), lease.adapter == "v\(lease.identity.version)" else { return false }
                    }
                    return true
                }
            }
            for await ok in group { #expect(ok) }
        }
        #expect(slot.active?.identity.version == "200")
    }
}
