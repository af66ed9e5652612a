/// Sixteen floats processed as one value: the unit of every vectorised loop in Numerics.
///
/// Sixteen rather than eight so that, compiled for baseline x86-64 (SSE, four lanes per
/// register), each step issues four independent instruction chains and hides latency; on
/// wider hardware it is one or two registers.
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
