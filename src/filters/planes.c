/* planes.c - host-image plumbing of the classical filters: checks, upload of
 * a gray or colour image as planes, download of 1 or 3 planes into a gray or
 * colour image of any pixel type. */
#include "filters/filters.h"
#include "image.h"

#include <math.h>
#include <stdlib.h>

jf_status jf_filters_check(jf_context *ctx, const jf_image *img, const char *role)
{
    char msg[256];
    jf_status st = jf_image_check(img, role, msg, sizeof msg);
    return st == JF_OK ? JF_OK : jf_fail(ctx, st, "%s", msg);
}

int jf_filters_planes(const jf_image *img)
{
    return img->channels == 1 ? 1 : 3;
}

jf_status jf_filters_upload(jf_context *ctx, const jf_image *img, jf_tensor *t)
{
    jf_status st = jf_tensor_alloc(ctx, t, jf_filters_planes(img), img->height, img->width);
    if (st != JF_OK) return st;
    /* a packed float gray image is already a plane: no host copy */
    if (img->channels == 1 && img->type == JF_PIXEL_F32 &&
        jf_image_stride(img) == (size_t)img->width * sizeof(float)) {
        st = jf_tensor_upload(ctx, t, (const float *)img->data);
        if (st != JF_OK) jf_tensor_free(t);
        return st;
    }
    float *host = malloc(jf_tensor_count(t) * sizeof(float));
    if (!host) {
        jf_tensor_free(t);
        return jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of host memory for a %dx%d image",
                       img->width, img->height);
    }
    jf_image_to_planes(img, host);
    st = jf_tensor_upload(ctx, t, host);
    free(host);
    if (st != JF_OK) jf_tensor_free(t);
    return st;
}

jf_status jf_filters_check_output(jf_context *ctx, const jf_image *output, int width, int height,
                                  int planes, const char *what)
{
    jf_status st = jf_filters_check(ctx, output, "output");
    if (st != JF_OK) return st;
    if (output->width != width || output->height != height)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "%s: the output is %dx%d but must be %dx%d",
                       what, output->width, output->height, width, height);
    if ((planes == 1) != (output->channels == 1))
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "%s: the output has %d channels for a %s target (give it %s)", what,
                       output->channels, planes == 1 ? "gray" : "colour",
                       planes == 1 ? "1 channel" : "3 or 4 channels");
    return JF_OK;
}

static void jf_store(unsigned char *row, size_t i, jf_pixel_type type, float v)
{
    if (type == JF_PIXEL_F32) {
        ((float *)(void *)row)[i] = v;
        return;
    }
    float maxv = type == JF_PIXEL_U8 ? 255.0f : 65535.0f;
    float q = v * maxv;
    q = isnan(q) ? 0.0f : q < 0.0f ? 0.0f : q > maxv ? maxv : q;
    long r = lrintf(q);
    if (type == JF_PIXEL_U8) row[i] = (unsigned char)r;
    else ((uint16_t *)(void *)row)[i] = (uint16_t)r;
}

jf_status jf_filters_download(jf_context *ctx, const jf_tensor *t, jf_image *output)
{
    if (t->c == 1 && output->channels == 1 && output->type == JF_PIXEL_F32 &&
        jf_image_stride(output) == (size_t)output->width * sizeof(float))
        return jf_tensor_download(ctx, t, (float *)output->data);
    float *host = malloc(jf_tensor_count(t) * sizeof(float));
    if (!host) return jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of host memory for the output");
    jf_status st = jf_tensor_download(ctx, t, host);
    if (st != JF_OK) {
        free(host);
        return st;
    }
    size_t plane = (size_t)t->w * t->h, stride = jf_image_stride(output);
    /* output channel k takes plane src[k]: planes are B, G, R */
    int src[3] = {2, 1, 0};
    if (output->order == JF_ORDER_BGR) {
        src[0] = 0;
        src[2] = 2;
    }
    for (int y = 0; y < output->height; y++) {
        unsigned char *row = (unsigned char *)output->data + (size_t)y * stride;
        for (int x = 0; x < output->width; x++) {
            size_t p = (size_t)y * t->w + x, o = (size_t)x * output->channels;
            if (t->c == 1) {
                jf_store(row, o, output->type, host[p]);
                continue;
            }
            for (int k = 0; k < 3; k++) jf_store(row, o + k, output->type, host[src[k] * plane + p]);
            if (output->channels == 4) jf_store(row, o + 3, output->type, 1.0f);
        }
    }
    free(host);
    return JF_OK;
}
