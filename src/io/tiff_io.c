/* tiff_io.c - TIFF reading and writing through libtiff (see tiff_io.h).
 * libtiff's messages go to per-file handlers (TIFFOpenOptions) rather than
 * the process-wide ones, so concurrent reads keep their own errors. */
#include "io/tiff_io.h"
#include "io/atomic_file.h"
#include "io/read_file.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>
#include <unistd.h>

typedef struct tiff_msg {
    char text[256]; /* the first error libtiff reported */
} tiff_msg;

static int tiff_on_error(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)tif;
    (void)module;
    tiff_msg *m = user;
    if (m && !m->text[0]) vsnprintf(m->text, sizeof m->text, fmt, ap);
    return 1; /* handled: keep libtiff from printing */
}

/* Unknown tags and the like do not stop a read; not worth printing. */
static int tiff_on_warning(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)tif;
    (void)user;
    (void)module;
    (void)fmt;
    (void)ap;
    return 1;
}

static TIFFOpenOptions *tiff_options(tiff_msg *m)
{
    TIFFOpenOptions *o = TIFFOpenOptionsAlloc();
    if (!o) return NULL;
    TIFFOpenOptionsSetErrorHandlerExtR(o, tiff_on_error, m);
    TIFFOpenOptionsSetWarningHandlerExtR(o, tiff_on_warning, m);
    return o;
}

/* Stores n samples of bps bits (host order) from src at dst[i * step], as the
 * output type: 8/16-bit copied, 32-bit float copied, 64-bit float narrowed. */
static void tiff_put(void *dst, size_t first, size_t step, const unsigned char *src, size_t n, int bps)
{
    for (size_t i = 0; i < n; i++) {
        size_t at = first + i * step;
        if (bps == 8) ((uint8_t *)dst)[at] = src[i];
        else if (bps == 16) memcpy((uint16_t *)dst + at, src + 2 * i, 2);
        else if (bps == 32) memcpy((float *)dst + at, src + 4 * i, 4);
        else {
            double d;
            memcpy(&d, src + 8 * i, 8);
            ((float *)dst)[at] = (float)d;
        }
    }
}

/* Reads samples laid out as strips or tiles, contiguous or separate planes. */
static int tiff_read_samples(TIFF *tif, uint32_t w, uint32_t h, int spp, int bps, int separate, void *px)
{
    int planes = separate ? spp : 1, per = separate ? 1 : spp;
    size_t sb = (size_t)bps / 8;
    if (!TIFFIsTiled(tif)) {
        unsigned char *buf = _TIFFmalloc(TIFFScanlineSize(tif));
        if (!buf) return 0;
        int ok = 1;
        for (int p = 0; ok && p < planes; p++)
            for (uint32_t y = 0; ok && y < h; y++) {
                ok = TIFFReadScanline(tif, buf, y, (uint16_t)p) >= 0;
                if (ok) tiff_put(px, (size_t)y * w * spp + p, separate ? (size_t)spp : 1, buf, (size_t)w * per, bps);
            }
        _TIFFfree(buf);
        return ok;
    }
    uint32_t tw = 0, th = 0;
    TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
    TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
    tmsize_t tsize = TIFFTileSize(tif);
    if (tw == 0 || th == 0 || tsize < (tmsize_t)((size_t)tw * th * per * sb)) return 0;
    unsigned char *buf = _TIFFmalloc(tsize);
    if (!buf) return 0;
    int ok = 1;
    for (int p = 0; ok && p < planes; p++)
        for (uint32_t y0 = 0; ok && y0 < h; y0 += th)
            for (uint32_t x0 = 0; ok && x0 < w; x0 += tw) {
                ok = TIFFReadTile(tif, buf, x0, y0, 0, (uint16_t)p) >= 0;
                uint32_t cw = x0 + tw > w ? w - x0 : tw, ch = y0 + th > h ? h - y0 : th;
                for (uint32_t r = 0; ok && r < ch; r++)
                    tiff_put(px, ((size_t)(y0 + r) * w + x0) * spp + p, separate ? (size_t)spp : 1,
                             buf + (size_t)r * tw * per * sb, (size_t)cw * per, bps);
            }
    _TIFFfree(buf);
    return ok;
}

jf_status jf_tiff_read(const char *path, jf_file_image *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    tiff_msg msg = {""};
    TIFFOpenOptions *opts = tiff_options(&msg);
    TIFF *tif = opts ? TIFFOpenExt(path, "r", opts) : NULL;
    TIFFOpenOptionsFree(opts);
    if (!tif) {
        jf_io_errf(err, errlen, "%s: not a readable TIFF file: %s", path, msg.text[0] ? msg.text : "cannot open");
        return JF_ERR_BAD_FORMAT;
    }
    jf_status st = JF_OK;
    uint32_t w = 0, h = 0;
    uint16_t spp = 1, bps = 1, fmt = SAMPLEFORMAT_UINT, photo = PHOTOMETRIC_MINISBLACK, planar = PLANARCONFIG_CONTIG;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &fmt);
    TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
    TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photo);
    if (w == 0 || h == 0 || w > JF_FILE_MAX_DIM || h > JF_FILE_MAX_DIM) {
        jf_io_errf(err, errlen, "%s: TIFF size %ux%u is not supported (1..%d a side)", path, w, h,
                   JF_FILE_MAX_DIM);
        st = JF_ERR_UNSUPPORTED;
        goto done;
    }
    if ((st = jf_file_check_pixels(path, w, h, err, errlen)) != JF_OK) goto done;
    int uint_ok = fmt == SAMPLEFORMAT_UINT && (bps == 8 || bps == 16);
    int float_ok = fmt == SAMPLEFORMAT_IEEEFP && (bps == 32 || bps == 64);
    int layout_ok = (photo == PHOTOMETRIC_MINISBLACK && spp <= 2) || (photo == PHOTOMETRIC_RGB && spp >= 3);
    if ((uint_ok || float_ok) && layout_ok && spp >= 1 && spp <= 4) {
        jf_pixel_type type = bps == 8 ? JF_PIXEL_U8 : bps == 16 ? JF_PIXEL_U16 : JF_PIXEL_F32;
        out->pixels = malloc((size_t)w * h * spp * jf_file_sample_bytes(type));
        if (!out->pixels) {
            jf_io_errf(err, errlen, "%s: out of memory for %ux%u pixels", path, w, h);
            st = JF_ERR_OUT_OF_MEMORY;
            goto done;
        }
        if (!tiff_read_samples(tif, w, h, spp, bps, planar == PLANARCONFIG_SEPARATE, out->pixels)) {
            jf_io_errf(err, errlen, "%s: TIFF data cannot be read: %s", path, msg.text[0] ? msg.text : "bad strip or tile");
            st = JF_ERR_BAD_FORMAT;
            goto done;
        }
        out->channels = spp;
        out->type = type;
    } else if (bps <= 8 && fmt == SAMPLEFORMAT_UINT) {
        /* palette, bilevel, YCbCr, CMYK, ...: libtiff's own 8-bit RGBA decoder */
        uint32_t *rgba = _TIFFmalloc((tmsize_t)((size_t)w * h * 4));
        if (!rgba) {
            jf_io_errf(err, errlen, "%s: out of memory for %ux%u pixels", path, w, h);
            st = JF_ERR_OUT_OF_MEMORY;
            goto done;
        }
        if (!TIFFReadRGBAImageOriented(tif, w, h, rgba, ORIENTATION_TOPLEFT, 0)) {
            _TIFFfree(rgba);
            jf_io_errf(err, errlen, "%s: TIFF image cannot be decoded: %s", path, msg.text[0] ? msg.text : "unknown layout");
            st = JF_ERR_BAD_FORMAT;
            goto done;
        }
        uint8_t *px = malloc((size_t)w * h * 4);
        if (!px) {
            _TIFFfree(rgba);
            jf_io_errf(err, errlen, "%s: out of memory for %ux%u pixels", path, w, h);
            st = JF_ERR_OUT_OF_MEMORY;
            goto done;
        }
        for (size_t i = 0; i < (size_t)w * h; i++) {
            px[4 * i] = (uint8_t)TIFFGetR(rgba[i]);
            px[4 * i + 1] = (uint8_t)TIFFGetG(rgba[i]);
            px[4 * i + 2] = (uint8_t)TIFFGetB(rgba[i]);
            px[4 * i + 3] = (uint8_t)TIFFGetA(rgba[i]);
        }
        _TIFFfree(rgba);
        out->pixels = px;
        out->channels = 4;
        out->type = JF_PIXEL_U8;
    } else {
        jf_io_errf(err, errlen,
                   "%s: TIFF with %d %d-bit %s sample(s) per pixel is not supported (8/16-bit unsigned or "
                   "32/64-bit float; gray or RGB, up to 4 samples)", path, spp, bps,
                   fmt == SAMPLEFORMAT_IEEEFP ? "float" : fmt == SAMPLEFORMAT_INT ? "signed" : "unsigned");
        st = JF_ERR_UNSUPPORTED;
        goto done;
    }
    out->width = (int)w;
    out->height = (int)h;
    out->format = JF_FILE_TIFF;
done:
    TIFFClose(tif);
    if (st != JF_OK) jf_file_image_free(out);
    return st;
}

jf_status jf_tiff_write(const char *path, const jf_file_image *img, char *err, size_t errlen)
{
    if (img->channels < 1 || img->channels > 4 ||
        (img->type != JF_PIXEL_U8 && img->type != JF_PIXEL_U16 && img->type != JF_PIXEL_F32)) {
        jf_io_errf(err, errlen, "%s: TIFF output needs 1..4 channels of 8/16-bit or float samples", path);
        return JF_ERR_UNSUPPORTED;
    }
    jf_atomic_file af;
    jf_status st = jf_atomic_open(&af, path, err, errlen);
    if (st != JF_OK) return st;
    /* libtiff writes through its own descriptor (closed by TIFFClose); the
     * atomic file's stream stays untouched and is closed after it */
    tiff_msg msg = {""};
    TIFFOpenOptions *opts = tiff_options(&msg);
    int fd = opts ? dup(fileno(af.file)) : -1;
    TIFF *tif = fd >= 0 ? TIFFFdOpenExt(fd, path, "w", opts) : NULL;
    TIFFOpenOptionsFree(opts);
    if (!tif) {
        if (fd >= 0) close(fd);
        return jf_atomic_close(&af, 0, msg.text[0] ? msg.text : "cannot start a TIFF file", err, errlen);
    }
    int c = img->channels, bps = (int)jf_file_sample_bytes(img->type) * 8;
    int ok = TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, (uint32_t)img->width) &&
             TIFFSetField(tif, TIFFTAG_IMAGELENGTH, (uint32_t)img->height) &&
             TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, (uint16_t)c) &&
             TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, (uint16_t)bps) &&
             TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT,
                          (uint16_t)(img->type == JF_PIXEL_F32 ? SAMPLEFORMAT_IEEEFP : SAMPLEFORMAT_UINT)) &&
             TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, (uint16_t)(c >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK)) &&
             TIFFSetField(tif, TIFFTAG_PLANARCONFIG, (uint16_t)PLANARCONFIG_CONTIG) &&
             TIFFSetField(tif, TIFFTAG_ORIENTATION, (uint16_t)ORIENTATION_TOPLEFT);
    if (ok && (c == 2 || c == 4)) {
        uint16_t extra = EXTRASAMPLE_UNASSALPHA;
        ok = TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, (uint16_t)1, &extra);
    }
    if (ok) {
        uint16_t comp = TIFFIsCODECConfigured(COMPRESSION_ADOBE_DEFLATE) ? COMPRESSION_ADOBE_DEFLATE : COMPRESSION_NONE;
        ok = TIFFSetField(tif, TIFFTAG_COMPRESSION, comp) &&
             TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(tif, 0));
    }
    size_t row = (size_t)img->width * c * (size_t)(bps / 8);
    for (int y = 0; ok && y < img->height; y++)
        ok = TIFFWriteScanline(tif, (unsigned char *)img->pixels + (size_t)y * row, (uint32_t)y, 0) == 1;
    /* TIFFClose flushes the last strip and the directory */
    ok = ok && TIFFFlush(tif);
    TIFFClose(tif);
    return jf_atomic_close(&af, ok, ok ? NULL : msg.text[0] ? msg.text : "TIFF write failed", err, errlen);
}
