// The three decoders Imaging uses: libjpeg-turbo's TurboJPEG API, libpng and libwebp.
#include <turbojpeg.h>
#include <png.h>
#include <webp/decode.h>
