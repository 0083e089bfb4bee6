/* jf_fixtures.c - file fixtures for the tests (see jf_fixtures.h). */
#include "jf_fixtures.h"

#include "io/png_io.h"
#include "jf_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

const char *jft_converted_model(const char *rel, const char *name, const char *args)
{
    static char out[4096];
    char src[4096], cmd[24576];
    snprintf(src, sizeof src, "%s", jft_shared_path(rel));
    ck_assert_msg(access(src, R_OK) == 0,
                  "conformance input %s is missing: ../shared must sit beside the project", src);
    mkdir(jft_binary_path("fixtures"), 0755);
    snprintf(out, sizeof out, "%s/fixtures/%s.safetensors", JF_BINARY_DIR, name);
    if (access(out, R_OK) == 0) return out;
    snprintf(cmd, sizeof cmd, "'%s' '%s/tools/convert_checkpoint.py' %s '%s' '%s.tmp%d' && mv '%s.tmp%d' '%s'",
             JF_PYTHON, JF_SOURCE_DIR, args, src, out, (int)getpid(), out, (int)getpid(), out);
    int rc = system(cmd);
    ck_assert_msg(rc == 0, "converting %s failed (exit %d): %s", src, rc, cmd);
    return out;
}

jf_model *jft_load_model(jf_context *ctx, const char *path)
{
    jf_model *m = NULL;
    ck_assert_msg(jf_model_load(ctx, path, &m) == JF_OK, "%s", jf_last_error(ctx));
    return m;
}

void jft_read_png(const char *path, jf_image *img)
{
    jf_png p;
    char err[512];
    ck_assert_msg(jf_png_read(path, &p, err, sizeof err) == JF_OK, "%s", err);
    img->size = sizeof *img;
    img->width = p.width;
    img->height = p.height;
    img->channels = p.channels;
    img->type = p.bit_depth == 16 ? JF_PIXEL_U16 : JF_PIXEL_U8;
    img->order = JF_ORDER_RGB;
    img->stride = 0;
    img->data = p.pixels;
}

jf_image jft_crop(const jf_image *img, int x, int y, int w, int h)
{
    size_t sample = img->type == JF_PIXEL_U8 ? 1 : img->type == JF_PIXEL_U16 ? 2 : 4;
    size_t pixel = sample * img->channels;
    jf_image v = *img;
    v.stride = img->stride ? img->stride : (size_t)img->width * pixel;
    v.data = (unsigned char *)img->data + (size_t)y * v.stride + (size_t)x * pixel;
    v.width = w;
    v.height = h;
    return v;
}

void jft_read_npy(const char *path, jf_npy *out)
{
    char err[512];
    ck_assert_msg(jf_npy_read(path, out, err, sizeof err) == JF_OK, "%s", err);
}
