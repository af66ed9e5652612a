import Foundation

/// Deterministic pictures with what photos have and flat test patterns lack: smooth light
/// gradients, texture at several scales down to single-pixel grain, and hard-edged objects. For
/// tests that compare two decoding paths of a large photo without committing one (any size can
/// be drawn from a seed). Scripts/bench_decode.py draws the same kind of picture with numpy.
public enum PhotoLikePicture {
    /// `width` × `height` RGB, 3 bytes a pixel, row-major.
    public static func rgb(width: Int, height: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        func uniform(_ range: ClosedRange<Float>) -> Float { Float.random(in: range, using: &random) }
        // Light: a base colour, linear ramps and one slow wave per channel.
        let base = (0..<3).map { _ in uniform(60...190) }
        let rampX = (0..<3).map { _ in uniform(-50...50) }, rampY = (0..<3).map { _ in uniform(-60...60) }
        let wave = (uniform(0.5...2.5), uniform(0.5...2.5), uniform(0...6.28), uniform(10...30))
        // Texture: value noise, from a tenth of the picture down to 3-pixel grain; luminance with
        // a little colour.
        let spacings = [max(width, height) / 10, 48, 12, 3].map { max(2, $0) }
        let amplitudes: [Float] = [28, 14, 8, 6]
        let octaves = zip(spacings, amplitudes).map { spacing, amplitude in
            ValueNoise(width: width, height: height, spacing: spacing, amplitude: amplitude, random: &random)
        }
        let tint = (0..<3).map { _ in uniform(0.8...1.2) }
        // Objects: hard-edged rectangles and discs of their own colour.
        let objects = (0..<14).map { _ in
            Shape(
                centerX: uniform(0...Float(width)), centerY: uniform(0...Float(height)),
                radius: uniform(0.03...0.18) * Float(min(width, height)), isDisc: uniform(0...1) < 0.5,
                offset: (0..<3).map { _ in uniform(-70...70) })
        }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        var texture = [Float](repeating: 0, count: width)
        var offsets = [Float](repeating: 0, count: width * 3)
        out.withUnsafeMutableBufferPointer { pixels in
            for y in 0..<height {
                let fy = Float(y) / Float(height)
                // Row by row, each layer in a loop of its own: debug builds (tests) stay quick.
                for x in 0..<width { texture[x] = 0 }
                for octave in octaves { octave.addRow(y: y, into: &texture) }
                for x in 0..<(width * 3) { offsets[x] = 0 }
                for shape in objects where abs(Float(y) - shape.centerY) <= shape.radius {
                    shape.paintRow(y: Float(y), width: width, into: &offsets)
                }
                for x in 0..<width {
                    let fx = Float(x) / Float(width)
                    let light = wave.3 * cos(2 * Float.pi * (wave.0 * fx + wave.1 * fy) + wave.2)
                    for c in 0..<3 {
                        let v = base[c] + rampX[c] * fx + rampY[c] * fy + light + texture[x] * tint[c] + offsets[x * 3 + c]
                        pixels[(y * width + x) * 3 + c] = UInt8(max(0, min(255, v.rounded())))
                    }
                }
            }
        }
        return out
    }

    /// `jpeg` with an EXIF APP1 segment carrying `orientation` (1...8) right after SOI, where
    /// cameras write it.
    public static func withOrientation(_ jpeg: Data, _ orientation: Int) -> Data {
        // Big-endian TIFF: header, IFD0 with the one Orientation entry (SHORT, count 1), no next IFD.
        var tiff: [UInt8] = Array("MM".utf8) + [0, 42, 0, 0, 0, 8, 0, 1]
        tiff += [0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, UInt8(orientation), 0, 0]
        tiff += [0, 0, 0, 0]
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        var out = Data(jpeg.prefix(2))
        out.append(contentsOf: [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload)
        out.append(jpeg.dropFirst(2))
        return out
    }

    private struct Shape {
        let centerX: Float, centerY: Float, radius: Float
        let isDisc: Bool
        let offset: [Float]

        /// Sets the colour offset of the pixels of row `y` inside the shape (a later shape covers
        /// an earlier one).
        func paintRow(y: Float, width: Int, into offsets: inout [Float]) {
            let dy = y - centerY
            let halfWidth = isDisc ? (radius * radius - dy * dy).squareRoot() : (abs(dy) <= radius * 0.6 ? radius : -1)
            guard halfWidth >= 0 else { return }
            let first = max(0, Int((centerX - halfWidth).rounded(.up))), last = min(width - 1, Int((centerX + halfWidth).rounded(.down)))
            guard first <= last else { return }
            for x in first...last {
                for c in 0..<3 { offsets[x * 3 + c] = offset[c] }
            }
        }
    }

    /// Random values on a lattice `spacing` pixels apart, interpolated with smoothstep.
    private struct ValueNoise {
        let spacing: Int
        let columns: Int
        let lattice: [Float]

        init(width: Int, height: Int, spacing: Int, amplitude: Float, random: inout SplitMix64) {
            self.spacing = spacing
            columns = width / spacing + 2
            let rows = height / spacing + 2
            lattice = (0..<(columns * rows)).map { _ in Float.random(in: -amplitude...amplitude, using: &random) }
        }

        /// Adds row `y` of the noise to `row`.
        func addRow(y: Int, into row: inout [Float]) {
            let cy = y / spacing
            let ty = smooth(Float(y - cy * spacing) / Float(spacing))
            // The row's values at each lattice column, then interpolated along x.
            let line = (0..<columns).map { cx in
                let top = lattice[cy * columns + cx], bottom = lattice[(cy + 1) * columns + cx]
                return top + (bottom - top) * ty
            }
            let weights = (0..<spacing).map { smooth(Float($0) / Float(spacing)) }
            for x in 0..<row.count {
                let cx = x / spacing
                let left = line[cx]
                row[x] += left + (line[cx + 1] - left) * weights[x - cx * spacing]
            }
        }

        private func smooth(_ t: Float) -> Float { t * t * (3 - 2 * t) }
    }
}
