/* image_file.c - the one image file reader and writer (see image_file.h):
 * sniffs a file's first bytes to pick its decoder, picks the encoder by the
 * name's extension, and adapts the PNG and NPY modules to jf_file_image. */
#include "io/image_file.h"
#include "io/jpeg_io.h"
#include "io/npy.h"
#include "io/pfm_io.h"
#include "io/png_io.h"
#include "io/read_file.h"
#include "io/tiff_io.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *jf_file_format_name(jf_file_format f)
{
    static const char *const names[] = {"unknown", "PNG", "JPEG", "TIFF", "PFM", "NPY"};
    return (unsigned)f < sizeof names / sizeof names[0] ? names[f] : "unknown";
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

jf_file_format jf_file_format_from_name(const char *path)
{
    if (has_suffix(path, ".png")) return JF_FILE_PNG;
    if (has_suffix(path, ".tif") || has_suffix(path, ".tiff")) return JF_FILE_TIFF;
    if (has_suffix(path, ".pfm")) return JF_FILE_PFM;
    if (has_suffix(path, ".npy")) return JF_FILE_NPY;
    if (has_suffix(path, ".jpg") || has_suffix(path, ".jpeg")) return JF_FILE_JPEG;
    return JF_FILE_UNKNOWN;
}

int jf_file_format_holds(jf_file_format f, jf_pixel_type type)
{
    switch (f) {
    case JF_FILE_PNG: return type == JF_PIXEL_U8 || type == JF_PIXEL_U16;
    case JF_FILE_TIFF: return 1;
    case JF_FILE_PFM:
    case JF_FILE_NPY: return type == JF_PIXEL_F32;
    default: return 0;
    }
}

/* The format the first bytes announce. */
static jf_file_format sniff(const unsigned char *b, size_t n)
{
    if (n >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8)) return JF_FILE_PNG;
    if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return JF_FILE_JPEG;
    if (n >= 4 && (!memcmp(b, "II*\0", 4) || !memcmp(b, "MM\0*", 4) || !memcmp(b, "II+\0", 4) ||
                   !memcmp(b, "MM\0+", 4)))
        return JF_FILE_TIFF;
    if (n >= 6 && !memcmp(b, "\x93NUMPY", 6)) return JF_FILE_NPY;
    if (n >= 3 && b[0] == 'P' && (b[1] == 'f' || b[1] == 'F') && (b[2] == '\n' || b[2] == ' ' || b[2] == '\r'))
        return JF_FILE_PFM;
    return JF_FILE_UNKNOWN;
}

/* The whole file in memory (for the decoders that read from memory). */
static jf_status slurp(const char *path, unsigned char **data, size_t *size, char *err, size_t errlen)
{
    FILE *f;
    long n;
    jf_status st = jf_io_open_regular(path, &f, &n, err, errlen);
    if (st != JF_OK) return st;
    *data = malloc(n > 0 ? (size_t)n : 1);
    if (!*data) {
        fclose(f);
        jf_io_errf(err, errlen, "%s: out of memory for %ld bytes", path, n);
        return JF_ERR_OUT_OF_MEMORY;
    }
    *size = fread(*data, 1, (size_t)n, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || *size != (size_t)n) {
        free(*data);
        *data = NULL;
        jf_io_errf(err, errlen, "%s: read error", path);
        return JF_ERR_IO;
    }
    return JF_OK;
}

static jf_status read_png(const char *path, jf_file_image *out, char *err, size_t errlen)
{
    jf_png p;
    jf_status st = jf_png_read(path, &p, err, errlen);
    if (st != JF_OK) return st;
    out->width = p.width;
    out->height = p.height;
    out->channels = p.channels;
    out->type = p.bit_depth == 16 ? JF_PIXEL_U16 : JF_PIXEL_U8;
    out->pixels = p.pixels;
    return JF_OK;
}

/* NPY arrives as float32 whatever its dtype; integer dtypes go back to their
 * integer type (exact: every uint8/uint16 value is a float32) so that they mean
 * what the same values in a PNG mean. */
static jf_status read_npy(const char *path, jf_file_image *out, char *err, size_t errlen)
{
    jf_npy a;
    jf_status st = jf_npy_read(path, &a, err, errlen);
    if (st != JF_OK) return st;
    int ok = (a.ndim == 2) || (a.ndim == 3 && a.shape[2] >= 1 && a.shape[2] <= 4);
    if (!ok || a.shape[0] <= 0 || a.shape[1] <= 0 || a.shape[0] > JF_FILE_MAX_DIM || a.shape[1] > JF_FILE_MAX_DIM) {
        jf_io_errf(err, errlen, "%s: expected an H x W or H x W x C (C = 1..4) array, 1..%d a side", path,
                   JF_FILE_MAX_DIM);
        jf_npy_free(&a);
        return JF_ERR_UNSUPPORTED;
    }
    /* all its bytes are already in memory, but the limit means one thing for every format */
    if ((st = jf_file_check_pixels(path, (uint64_t)a.shape[1], (uint64_t)a.shape[0], err, errlen)) != JF_OK) {
        jf_npy_free(&a);
        return st;
    }
    out->width = (int)a.shape[1];
    out->height = (int)a.shape[0];
    out->channels = a.ndim == 3 ? (int)a.shape[2] : 1;
    size_t n = (size_t)out->width * out->height * out->channels;
    if (a.dtype == JF_NPY_U8 || a.dtype == JF_NPY_U16) {
        int u8 = a.dtype == JF_NPY_U8;
        void *px = malloc(n * (u8 ? 1 : 2));
        if (!px) {
            jf_npy_free(&a);
            jf_io_errf(err, errlen, "%s: out of memory", path);
            return JF_ERR_OUT_OF_MEMORY;
        }
        for (size_t i = 0; i < n; i++) {
            if (u8) ((uint8_t *)px)[i] = (uint8_t)a.data[i];
            else ((uint16_t *)px)[i] = (uint16_t)a.data[i];
        }
        jf_npy_free(&a);
        out->type = u8 ? JF_PIXEL_U8 : JF_PIXEL_U16;
        out->pixels = px;
        return JF_OK;
    }
    out->type = JF_PIXEL_F32;
    out->pixels = a.data; /* taken over */
    return JF_OK;
}

static jf_status read_memory_format(const char *path, jf_file_format f, jf_file_image *out, char *err,
                                    size_t errlen)
{
    unsigned char *data = NULL;
    size_t size = 0;
    jf_status st = slurp(path, &data, &size, err, errlen);
    if (st != JF_OK) return st;
    st = f == JF_FILE_JPEG ? jf_jpeg_read_memory(data, size, path, out, err, errlen)
                           : jf_pfm_read_memory(data, size, path, out, err, errlen);
    free(data);
    return st;
}

jf_status jf_file_image_read(const char *path, jf_file_image *out, char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    if (!out) return JF_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (!path) return JF_ERR_INVALID_ARGUMENT;
    FILE *f;
    long size;
    jf_status st = jf_io_open_regular(path, &f, &size, err, errlen);
    if (st != JF_OK) return st;
    unsigned char head[8];
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    jf_file_format fmt = sniff(head, n);
    switch (fmt) {
    case JF_FILE_PNG: st = read_png(path, out, err, errlen); break;
    case JF_FILE_NPY: st = read_npy(path, out, err, errlen); break;
    case JF_FILE_TIFF: st = jf_tiff_read(path, out, err, errlen); break;
    case JF_FILE_JPEG:
    case JF_FILE_PFM: st = read_memory_format(path, fmt, out, err, errlen); break;
    default:
        jf_io_errf(err, errlen, "%s: not an image file jfilter reads (PNG, JPEG, TIFF, PFM or NPY)%s", path,
                   n == 0 ? ": the file is empty" : "");
        return JF_ERR_BAD_FORMAT;
    }
    if (st == JF_OK) out->format = fmt;
    return st;
}

jf_status jf_file_image_write(const char *path, const jf_file_image *img, char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    if (!path || !img || !img->pixels || img->width <= 0 || img->height <= 0 || img->channels < 1 ||
        img->channels > 4)
        return JF_ERR_INVALID_ARGUMENT;
    jf_file_format fmt = jf_file_format_from_name(path);
    if (fmt == JF_FILE_UNKNOWN || fmt == JF_FILE_JPEG) {
        jf_io_errf(err, errlen, "%s: the output name must end in .png, .tif/.tiff, .pfm or .npy%s", path,
                   fmt == JF_FILE_JPEG ? " (JPEG is lossy and 8-bit: it is read, not written)" : "");
        return JF_ERR_UNSUPPORTED;
    }
    if (!jf_file_format_holds(fmt, img->type)) {
        jf_io_errf(err, errlen, "%s: %s cannot hold %s samples", path, jf_file_format_name(fmt),
                   img->type == JF_PIXEL_F32 ? "float" : img->type == JF_PIXEL_U16 ? "16-bit" : "8-bit");
        return JF_ERR_UNSUPPORTED;
    }
    switch (fmt) {
    case JF_FILE_PNG: {
        jf_png p = {img->width, img->height, img->channels, img->type == JF_PIXEL_U16 ? 16 : 8, img->pixels};
        return jf_png_write(path, &p, err, errlen);
    }
    case JF_FILE_TIFF: return jf_tiff_write(path, img, err, errlen);
    case JF_FILE_PFM: return jf_pfm_write(path, img, err, errlen);
    default: {
        int64_t shape[3] = {img->height, img->width, img->channels};
        return jf_npy_write(path, img->pixels, img->channels == 1 ? 2 : 3, shape, err, errlen);
    }
    }
}
