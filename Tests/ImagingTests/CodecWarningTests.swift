import Foundation
import Testing
@testable import Imaging

/// What TurboJPEG reports is told apart correctly: a warning after which the whole image was
/// decoded (accepted, as Pillow accepts it) from an error that stopped decoding (refused: the
/// rest of the buffer was never written). The second case was found by scripts/fuzz-images.
@Suite struct CodecWarningTests {
    /// A baseline fixture with its scan header edited by `edit(payloadStart, bytes)`.
    static func editedScanHeader(_ edit: (Int, inout [UInt8]) -> Void) throws -> Data {
        var bytes = [UInt8](try ImageFixtures.bytes("jpeg_q85_422_131x97.jpg"))
        let sos = try #require((2..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xDA })
        edit(sos + 4, &bytes)
        return Data(bytes)
    }

    @Test func jpegWithOnlyAWarningDecodesWhole() throws {
        // Two stray bytes before EOI: libjpeg warns "extraneous bytes" and decodes every row.
        var bytes = [UInt8](try ImageFixtures.bytes("jpeg_q85_422_131x97.jpg"))
        bytes.insert(contentsOf: [0x12, 0x34], at: bytes.count - 2)
        let image = try ImageDecoder.decode(Data(bytes))
        #expect(image == (try ImageDecoder.decode(try ImageFixtures.bytes("jpeg_q85_422_131x97.jpg"))))
    }

    @Test func jpegFatalErrorAfterAWarningIsRefusedNotHalfDecoded() throws {
        // Ss = 1 in a sequential scan (a warning), then the second component names Huffman
        // table 13 (fatal). TurboJPEG's error code still says "warning".
        let data = try Self.editedScanHeader { payload, bytes in
            let components = Int(bytes[payload])
            bytes[payload + 1 + 2 * 1 + 1] = 0xDB
            bytes[payload + 1 + 2 * components] = 1
        }
        let run = AllocationLog.run { _ = try ImageDecoder.decode(data) }
        #expect(run.error == .malformed(format: .jpeg, detail: "data: Huffman table 0x0d was not defined"))
    }
}
