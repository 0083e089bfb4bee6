/* pfm_io.c - Portable Float Map reading and writing (see pfm_io.h). The
 * header is three whitespace-separated text fields after the magic; exactly
 * one whitespace byte separates the scale from the float data. */
#include "io/pfm_io.h"
#include "io/atomic_file.h"
#include "io/read_file.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The next whitespace-delimited token of the header into buf; 0 when none. */
static int pfm_token(const unsigned char *p, size_t size, size_t *pos, char *buf, size_t cap)
{
    while (*pos < size && isspace(p[*pos])) ++*pos;
    size_t n = 0;
    while (*pos < size && !isspace(p[*pos]) && n + 1 < cap) buf[n++] = (char)p[(*pos)++];
    buf[n] = '\0';
    return n > 0 && (*pos >= size || isspace(p[*pos]));
}

static int pfm_int(const char *s, long *v)
{
    char *end = NULL;
    errno = 0;
    *v = strtol(s, &end, 10);
    return !errno && end != s && !*end;
}

jf_status jf_pfm_read_memory(const void *data, size_t size, const char *what, jf_file_image *out,
                             char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const unsigned char *p = data;
    if (size < 3 || p[0] != 'P' || (p[1] != 'f' && p[1] != 'F') || !isspace(p[2])) {
        jf_io_errf(err, errlen, "%s: not a PFM file (it must start with 'Pf' or 'PF')", what);
        return JF_ERR_BAD_FORMAT;
    }
    int channels = p[1] == 'F' ? 3 : 1;
    size_t pos = 2;
    char tw[32], th[32], ts[64];
    long w, h;
    if (!pfm_token(p, size, &pos, tw, sizeof tw) || !pfm_token(p, size, &pos, th, sizeof th) ||
        !pfm_token(p, size, &pos, ts, sizeof ts) || !pfm_int(tw, &w) || !pfm_int(th, &h)) {
        jf_io_errf(err, errlen, "%s: malformed PFM header (expected 'width height scale')", what);
        return JF_ERR_BAD_FORMAT;
    }
    char *end = NULL;
    double scale = strtod(ts, &end);
    if (end == ts || *end || !isfinite(scale) || scale == 0.0) {
        jf_io_errf(err, errlen, "%s: PFM scale '%s' is not a non-zero number", what, ts);
        return JF_ERR_BAD_FORMAT;
    }
    if (w <= 0 || h <= 0 || w > JF_FILE_MAX_DIM || h > JF_FILE_MAX_DIM) {
        jf_io_errf(err, errlen, "%s: PFM size %ldx%ld is not supported (1..%d a side)", what, w, h,
                   JF_FILE_MAX_DIM);
        return JF_ERR_UNSUPPORTED;
    }
    jf_status pst = jf_file_check_pixels(what, (uint64_t)w, (uint64_t)h, err, errlen);
    if (pst != JF_OK) return pst;
    pos++; /* the single whitespace byte before the data */
    size_t row = (size_t)w * channels, need = row * (size_t)h * 4;
    if (pos > size || size - pos < need) {
        jf_io_errf(err, errlen, "%s: PFM data is %zu bytes but %ldx%ldx%d floats need %zu (truncated?)",
                   what, pos > size ? 0 : size - pos, w, h, channels, need);
        return JF_ERR_BAD_FORMAT;
    }
    float *px = malloc(need);
    if (!px) {
        jf_io_errf(err, errlen, "%s: out of memory for %ldx%ld pixels", what, w, h);
        return JF_ERR_OUT_OF_MEMORY;
    }
    int little = scale < 0.0;
    const unsigned char *src = p + pos;
    for (long y = 0; y < h; y++) {
        /* rows are stored bottom to top */
        const unsigned char *r = src + (size_t)(h - 1 - y) * row * 4;
        float *dst = px + (size_t)y * row;
        for (size_t i = 0; i < row; i++) {
            const unsigned char *b = r + 4 * i;
            uint32_t u = little ? (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24
                                : (uint32_t)b[3] | (uint32_t)b[2] << 8 | (uint32_t)b[1] << 16 | (uint32_t)b[0] << 24;
            memcpy(&dst[i], &u, 4);
        }
    }
    out->width = (int)w;
    out->height = (int)h;
    out->channels = channels;
    out->type = JF_PIXEL_F32;
    out->format = JF_FILE_PFM;
    out->pixels = px;
    return JF_OK;
}

jf_status jf_pfm_write(const char *path, const jf_file_image *img, char *err, size_t errlen)
{
    if (img->type != JF_PIXEL_F32 || (img->channels != 1 && img->channels != 3)) {
        jf_io_errf(err, errlen, "%s: PFM holds float32 gray or RGB images only", path);
        return JF_ERR_UNSUPPORTED;
    }
    jf_atomic_file af;
    jf_status st = jf_atomic_open(&af, path, err, errlen);
    if (st != JF_OK) return st;
    int ok = fprintf(af.file, "P%c\n%d %d\n-1.0\n", img->channels == 3 ? 'F' : 'f', img->width, img->height) > 0;
    size_t row = (size_t)img->width * img->channels;
    unsigned char *buf = malloc(row * 4);
    const char *why = buf ? NULL : "out of memory";
    ok = ok && buf;
    for (int y = img->height - 1; ok && y >= 0; y--) {
        const float *r = (const float *)img->pixels + (size_t)y * row;
        for (size_t i = 0; i < row; i++) {
            uint32_t u;
            memcpy(&u, &r[i], 4);
            buf[4 * i] = (unsigned char)u;
            buf[4 * i + 1] = (unsigned char)(u >> 8);
            buf[4 * i + 2] = (unsigned char)(u >> 16);
            buf[4 * i + 3] = (unsigned char)(u >> 24);
        }
        ok = fwrite(buf, 1, row * 4, af.file) == row * 4;
    }
    free(buf);
    return jf_atomic_close(&af, ok, why, err, errlen);
}
