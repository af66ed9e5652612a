/// Sixteen floats processed as one value: the unit of every vectorised loop in Numerics.
///
/// Sixteen rather than eight so that, compiled for baseline x86-64 (SSE, four lanes per
/// register), each step issues four independent instruction chains and hides latency; on
/// wider hardware it is one or two registers.
///
/// Why the target stays baseline x86-64: building for x86-64-v3 (`-Xcc -march=x86-64-v3`, or
/// swiftc's `-target-cpu haswell`; both change Swift's codegen, `-Xcc -mavx2` alone only
/// partly) made these kernels 1.1–1.7× faster single-threaded (quick_gelu over 50×3072:
/// 148 → 88 µs; layer norm 50×768: 11.4 → 8.8 µs; softmax 600 rows of 50: 61 → 55 µs; exact
/// gelu unchanged; x86-64-v4 slower for softmax and gelu). But they are under 4% of a forward
/// pass, where the GEMMs are the rest, so the whole pass moved by less than the machine's
/// noise (< 1% expected), which does not pay for an unsafe flag that makes the Numerics
/// product unusable as a versioned dependency and needs AVX2 on every machine that runs it.
public typealias Lanes = SIMD16<Float>

extension UnsafePointer<Float> {
    /// `Lanes.scalarCount` floats from `self + offset` (no alignment required).
    @inline(__always)
    func lanes(at offset: Int) -> Lanes {
        UnsafeRawPointer(self + offset).loadUnaligned(as: Lanes.self)
    }

    /// The first `count` (< 16) floats from `self + offset`; the other lanes are `padding`.
    /// Reads only those `count` floats, so a row's tail never reads past the row.
    @inline(__always)
    func lanes(at offset: Int, count: Int, padding: Float) -> Lanes {
        var v = Lanes(repeating: padding)
        for i in 0..<count { v[i] = self[offset + i] }
        return v
    }
}

extension UnsafeMutablePointer<Float> {
    @inline(__always)
    func lanes(at offset: Int) -> Lanes {
        UnsafePointer(self).lanes(at: offset)
    }

    @inline(__always)
    func lanes(at offset: Int, count: Int, padding: Float) -> Lanes {
        UnsafePointer(self).lanes(at: offset, count: count, padding: padding)
    }

    @inline(__always)
    func storeLanes(_ v: Lanes, at offset: Int) {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: v, as: Lanes.self)
    }

    /// Stores the first `count` lanes of `v` only.
    @inline(__always)
    func storeLanes(_ v: Lanes, at offset: Int, count: Int) {
        for i in 0..<count { self[offset + i] = v[i] }
    }
}

extension Lanes {
    /// 0, 1, ..., 15 as floats: comparing float lanes vectorises, Int32 lane compares do not.
    static let laneIndices = Lanes(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)

    /// The first `count` lanes kept, the others set to `value` (a masked row tail).
    @inline(__always)
    func keepingFirst(_ count: Int, replacingOthersWith value: Float) -> Lanes {
        var v = self
        v.replace(with: value, where: Lanes.laneIndices .>= Float(count))
        return v
    }

    /// Max of the sixteen lanes as a halving tree (the standard `max()` walks lane by lane).
    @inline(__always)
    func horizontalMax() -> Float {
        var eight = lowHalf
        eight.replace(with: highHalf, where: highHalf .> eight)
        var four = eight.lowHalf
        four.replace(with: eight.highHalf, where: eight.highHalf .> four)
        return Swift.max(Swift.max(four[0], four[1]), Swift.max(four[2], four[3]))
    }

    /// Sum of the sixteen lanes as a halving tree.
    @inline(__always)
    func horizontalSum() -> Float {
        let eight = lowHalf + highHalf
        let four = eight.lowHalf + eight.highHalf
        return (four[0] + four[2]) + (four[1] + four[3])
    }

    /// Lane-wise max/min. The standard library's `pointwiseMax`/`clamped` are generic and
    /// compile to a scalar loop with stack traffic here; a compare-and-blend stays in registers.
    @inline(__always)
    func lanesMax(_ other: Lanes) -> Lanes {
        var v = self
        v.replace(with: other, where: other .> self)
        return v
    }

    @inline(__always)
    func lanesMin(_ other: Lanes) -> Lanes {
        var v = self
        v.replace(with: other, where: other .< self)
        return v
    }
}
