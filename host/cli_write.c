/* cli_write.c - writes results (normalized float, gray or RGB) in the format
 * the output name gives (PNG, TIFF, PFM, NPY: src/io/image_file.h), and the
 * one rule every command uses for the sample type of an output file. */
#include "cli.h"

#include "io/io.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int cli_output_bits(const char *path, int requested, int target_bits)
{
    jf_file_format f = jf_file_format_from_name(path);
    if (f == JF_FILE_UNKNOWN || f == JF_FILE_JPEG) {
        fprintf(stderr, "jfilter: output %s: the name must end in .png, .tif/.tiff, .pfm or .npy%s\n", path,
                f == JF_FILE_JPEG ? " (JPEG is lossy and 8-bit: it is read, not written)" : "");
        return -1;
    }
    if (f == JF_FILE_PFM || f == JF_FILE_NPY) {
        if (requested && requested != 32) {
            fprintf(stderr, "jfilter: output %s: %s is always float32; --bits %d applies to PNG and TIFF\n",
                    path, jf_file_format_name(f), requested);
            return -1;
        }
        return 32;
    }
    if (f == JF_FILE_PNG && requested == 32) {
        fprintf(stderr, "jfilter: output %s: PNG holds 8 or 16 bits; write .tiff, .pfm or .npy for float\n", path);
        return -1;
    }
    if (requested) return requested;
    /* never lose the input's precision silently: 8 bits only for 8-bit input */
    if (target_bits == 8) return 8;
    return f == JF_FILE_TIFF && target_bits == 32 ? 32 : 16;
}

int cli_write_image(const char *path, const float *pixels, int width, int height, int channels, int bits)
{
    char err[1024];
    size_t n = (size_t)width * height * channels;
    jf_file_image img = {width, height, channels, JF_PIXEL_F32, JF_FILE_UNKNOWN, (void *)pixels};
    void *buf = NULL;
    if (bits == 8 || bits == 16) {
        img.type = bits == 16 ? JF_PIXEL_U16 : JF_PIXEL_U8;
        buf = malloc(n * (bits == 16 ? 2 : 1));
        if (!buf) {
            fprintf(stderr, "jfilter: out of memory writing %s\n", path);
            return -1;
        }
        float maxv = bits == 16 ? 65535.0f : 255.0f, lo = -0.5f / maxv, hi = 1.0f + 0.5f / maxv;
        size_t clipped = 0;
        for (size_t i = 0; i < n; i++) {
            float x = pixels[i];
            clipped += x < lo || x > hi;
            float v = x * maxv;
            v = v != v ? 0.0f : v < 0.0f ? 0.0f : v > maxv ? maxv : v;
            if (bits == 16) ((uint16_t *)buf)[i] = (uint16_t)(v + 0.5f);
            else ((uint8_t *)buf)[i] = (uint8_t)(v + 0.5f);
        }
        /* a float input in its own units (metres, millimetres) does not fit an
         * integer file: say so rather than write a clipped picture quietly */
        if (clipped * 100 > n)
            fprintf(stderr,
                    "jfilter: warning: %zu of %zu values in %s lie outside the %d-bit range (0..1 in "
                    "normalized units) and were clipped; write .tiff (--bits 32), .pfm or .npy to keep them\n",
                    clipped, n, path, bits);
        img.pixels = buf;
    }
    jf_status s = jf_file_image_write(path, &img, err, sizeof err);
    free(buf);
    if (s != JF_OK) {
        fprintf(stderr, "jfilter: %s\n", err);
        return -1;
    }
    return 0;
}
