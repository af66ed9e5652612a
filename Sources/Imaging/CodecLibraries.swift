import CImageCodecs

/// Versions of the image decoders in use (shown by `adaptclip version`).
public enum CodecLibraries {
    public static var libpngVersion: String { String(cString: png_get_libpng_ver(nil)) }

    /// libwebp packs its version as 0xMMmmpp.
    public static var libwebpVersion: String {
        let v = WebPGetDecoderVersion()
        return "\((v >> 16) & 0xff).\((v >> 8) & 0xff).\(v & 0xff)"
    }
}
