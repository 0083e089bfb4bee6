/* cli_write.c - writes gray or RGB float images as PNG (8/16-bit) or NPY:
 * model results (one plane) and classical-filter results (possibly colour). */
#include "cli.h"

#include "io/io.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

int cli_write_image(const char *path, const float *pixels, int width, int height, int channels,
                    int bits)
{
    char err[1024];
    jf_status s;
    size_t n = (size_t)width * height * channels;
    if (has_suffix(path, ".npy")) {
        int64_t shape[3] = {height, width, channels};
        s = jf_npy_write(path, pixels, channels == 1 ? 2 : 3, shape, err, sizeof err);
    } else if (has_suffix(path, ".png")) {
        jf_png p = {width, height, channels, bits, NULL};
        p.pixels = malloc(n * (bits == 16 ? 2 : 1));
        if (!p.pixels) {
            fprintf(stderr, "jfilter: out of memory writing %s\n", path);
            return -1;
        }
        float maxv = bits == 16 ? 65535.0f : 255.0f;
        for (size_t i = 0; i < n; i++) {
            float v = pixels[i] * maxv;
            v = v != v ? 0.0f : v < 0.0f ? 0.0f : v > maxv ? maxv : v;
            if (bits == 16) ((uint16_t *)p.pixels)[i] = (uint16_t)(v + 0.5f);
            else ((uint8_t *)p.pixels)[i] = (uint8_t)(v + 0.5f);
        }
        s = jf_png_write(path, &p, err, sizeof err);
        free(p.pixels);
    } else {
        fprintf(stderr, "jfilter: output %s: the name must end in .png or .npy\n", path);
        return -1;
    }
    if (s != JF_OK) {
        fprintf(stderr, "jfilter: %s\n", err);
        return -1;
    }
    return 0;
}
