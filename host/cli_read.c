/* cli_read.c - reads the image files every command takes (PNG, JPEG, TIFF,
 * PFM, NPY: src/io/image_file.h) into a jf_image the library accepts. */
#include "cli.h"

#include "io/io.h"

#include <stdlib.h>
#include <string.h>

int cli_read_image(const char *path, const char *role, cli_image *out)
{
    char err[1024];
    if (cli_load_image(path, out, err, sizeof err)) {
        fprintf(stderr, "jfilter: %s image: %s\n", role, err);
        return -1;
    }
    return 0;
}

int cli_load_image(const char *path, cli_image *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    jf_file_image f;
    if (jf_file_image_read(path, &f, err, errlen) != JF_OK) return -1;
    size_t bytes = jf_file_sample_bytes(f.type);
    if (f.channels == 2) {
        /* gray + alpha: keep the gray, drop the alpha, in place */
        size_t n = (size_t)f.width * f.height;
        unsigned char *p = f.pixels;
        for (size_t i = 0; i < n; i++) memmove(p + i * bytes, p + 2 * i * bytes, bytes);
        f.channels = 1;
    }
    out->pixels = f.pixels;
    out->bit_depth = (int)bytes * 8;
    out->format = f.format;
    out->img.size = sizeof out->img;
    out->img.width = f.width;
    out->img.height = f.height;
    out->img.channels = f.channels;
    out->img.type = f.type;
    out->img.order = JF_ORDER_RGB;
    out->img.data = f.pixels;
    return 0;
}

void cli_free_image(cli_image *img)
{
    free(img->pixels);
    img->pixels = NULL;
}
