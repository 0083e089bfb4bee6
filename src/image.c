/* image.c - the image bridge (see image.h): jf_image checks, host image <->
 * planar float conversion, upload to and download from device tensors, and
 * the quantiser every integer output goes through. */
#include "image.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static size_t jf_pixel_bytes(jf_pixel_type t)
{
    return t == JF_PIXEL_U8 ? 1 : t == JF_PIXEL_U16 ? 2 : 4;
}

size_t jf_image_stride(const jf_image *img)
{
    return img->stride ? img->stride : (size_t)img->width * img->channels * jf_pixel_bytes(img->type);
}

int jf_image_planes(const jf_image *img)
{
    return img->channels == 1 ? 1 : 3;
}

jf_image jf_image_crop(const jf_image *img, int x, int y, int w, int h)
{
    jf_image v = *img;
    v.stride = jf_image_stride(img);
    v.data = (unsigned char *)img->data + (size_t)y * v.stride + (size_t)x * img->channels * jf_pixel_bytes(img->type);
    v.width = w;
    v.height = h;
    return v;
}

jf_status jf_image_check(const jf_image *img, const char *role, char *msg, size_t len)
{
    if (!img) {
        snprintf(msg, len, "%s image is NULL", role);
        return JF_ERR_INVALID_ARGUMENT;
    }
    if (img->size != sizeof(jf_image)) {
        snprintf(msg, len, "%s image: its size member is %zu, not sizeof(jf_image) = %zu (set it: jf_image img "
                 "= {sizeof img, width, height, ...})", role, img->size, sizeof(jf_image));
        return JF_ERR_INVALID_ARGUMENT;
    }
    if (!img->data || img->width <= 0 || img->height <= 0 || img->width > 65535 || img->height > 65535) {
        snprintf(msg, len, "%s image: size %dx%d or data pointer is invalid", role, img->width,
                 img->height);
        return JF_ERR_INVALID_ARGUMENT;
    }
    if (img->channels != 1 && img->channels != 3 && img->channels != 4) {
        snprintf(msg, len, "%s image has %d channels (1, 3 or 4 supported)", role, img->channels);
        return JF_ERR_UNSUPPORTED;
    }
    if (img->type != JF_PIXEL_U8 && img->type != JF_PIXEL_U16 && img->type != JF_PIXEL_F32) {
        snprintf(msg, len, "%s image has an unknown pixel type %d", role, (int)img->type);
        return JF_ERR_INVALID_ARGUMENT;
    }
    if (img->stride && img->stride < (size_t)img->width * img->channels * jf_pixel_bytes(img->type)) {
        snprintf(msg, len, "%s image: stride %zu is shorter than a row", role, img->stride);
        return JF_ERR_INVALID_ARGUMENT;
    }
    return JF_OK;
}

jf_status jf_image_validate(jf_context *ctx, const jf_image *img, const char *role)
{
    char msg[256];
    jf_status st = jf_image_check(img, role, msg, sizeof msg);
    return st == JF_OK ? JF_OK : jf_fail(ctx, st, "%s", msg);
}

/* ---- pixels <-> normalized floats ---- */

static float jf_sample(const jf_image *img, int y, int x, int c)
{
    const unsigned char *row = (const unsigned char *)img->data + (size_t)y * jf_image_stride(img);
    size_t i = (size_t)x * img->channels + c;
    switch (img->type) {
    case JF_PIXEL_U8: return row[i] / 255.0f;
    case JF_PIXEL_U16: return ((const uint16_t *)(const void *)row)[i] / 65535.0f;
    default: return ((const float *)(const void *)row)[i];
    }
}

/* The quantiser: element i of a row gets v, float as is, integers scaled to
 * the type's range, clamped (NaN counts as 0) and rounded to nearest. */
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

/* Which channel of an interleaved colour pixel holds plane k (planes are B, G, R). */
static void jf_colour_map(jf_channel_order order, int src[3])
{
    src[0] = order == JF_ORDER_BGR ? 0 : 2;
    src[1] = 1;
    src[2] = order == JF_ORDER_BGR ? 2 : 0;
}

static void jf_image_to_planes(const jf_image *img, float *planes)
{
    size_t plane = (size_t)img->width * img->height;
    int src[3];
    jf_colour_map(img->order, src);
    for (int y = 0; y < img->height; y++) {
        for (int x = 0; x < img->width; x++) {
            size_t p = (size_t)y * img->width + x;
            if (img->channels == 1) {
                planes[p] = jf_sample(img, y, x, 0);
            } else {
                for (int c = 0; c < 3; c++) planes[c * plane + p] = jf_sample(img, y, x, src[c]);
            }
        }
    }
}

/* Planes (1, or 3 in B, G, R order) of width x height into output. */
static void jf_planes_to_image(const float *planes, int nplanes, jf_image *output)
{
    size_t plane = (size_t)output->width * output->height, stride = jf_image_stride(output);
    int src[3];
    jf_colour_map(output->order, src);
    for (int y = 0; y < output->height; y++) {
        unsigned char *row = (unsigned char *)output->data + (size_t)y * stride;
        for (int x = 0; x < output->width; x++) {
            size_t p = (size_t)y * output->width + x, o = (size_t)x * output->channels;
            if (nplanes == 1) {
                jf_store(row, o, output->type, planes[p]);
                continue;
            }
            for (int k = 0; k < 3; k++) jf_store(row, o + k, output->type, planes[src[k] * plane + p]);
            if (output->channels == 4) jf_store(row, o + 3, output->type, 1.0f);
        }
    }
}

/* ---- host images <-> device tensors ---- */

/* A packed float gray image is already one device plane's layout. */
static int jf_image_is_plane(const jf_image *img)
{
    return img->channels == 1 && img->type == JF_PIXEL_F32 && jf_image_stride(img) == (size_t)img->width * sizeof(float);
}

jf_status jf_image_upload(jf_context *ctx, const jf_image *img, jf_tensor *t)
{
    jf_status st = jf_tensor_alloc(ctx, t, jf_image_planes(img), img->height, img->width);
    if (st != JF_OK) return st;
    /* a packed float gray image is already a plane: no host copy */
    if (jf_image_is_plane(img)) {
        st = jf_tensor_upload(ctx, t, (const float *)img->data);
        if (st != JF_OK) jf_tensor_free(t);
        return st;
    }
    float *host = jf_malloc(jf_tensor_count(t) * sizeof(float));
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

jf_status jf_image_download(jf_context *ctx, const jf_tensor *t, jf_image *output)
{
    /* a packed float gray output takes the plane as it is: no host copy */
    if (t->c == 1 && jf_image_is_plane(output))
        return jf_tensor_download(ctx, t, (float *)output->data);
    float *host = jf_malloc(jf_tensor_count(t) * sizeof(float));
    if (!host) return jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of host memory for the output");
    jf_status st = jf_tensor_download(ctx, t, host);
    if (st == JF_OK) jf_planes_to_image(host, t->c == 1 ? 1 : 3, output);
    free(host);
    return st;
}

/* A packed float gray image on a CPU device: the device can use its memory. */
static int jf_image_on_host(const jf_context *ctx, const jf_image *img, int c, int h, int w)
{
    return ctx->info.is_cpu && c == 1 && img->width == w && img->height == h && jf_image_is_plane(img);
}

jf_status jf_image_input(jf_context *ctx, const jf_image *img, jf_tensor *t)
{
    if (!jf_image_on_host(ctx, img, jf_image_planes(img), img->height, img->width))
        return jf_image_upload(ctx, img, t);
    *t = jf_tensor_wrap(NULL, 1, img->height, img->width);
    t->owned = 1;
    return jf_buffer_wrap_host_read(ctx, jf_tensor_count(t) * sizeof(float), img->data, &t->buf);
}

/* Whether two images' bytes overlap (a filter run in place). */
static int jf_image_overlap(const jf_image *a, const jf_image *b)
{
    if (!a || !b) return 0;
    const char *a0 = a->data, *b0 = b->data;
    const char *a1 = a0 + jf_image_stride(a) * (size_t)a->height, *b1 = b0 + jf_image_stride(b) * (size_t)b->height;
    return a0 < b1 && b0 < a1;
}

jf_status jf_image_output_alloc(jf_context *ctx, jf_image *output, jf_tensor *t, int c, int h, int w,
                                const jf_image *in1, const jf_image *in2)
{
    if (!jf_image_on_host(ctx, output, c, h, w) || jf_image_overlap(output, in1) || jf_image_overlap(output, in2))
        return jf_tensor_alloc(ctx, t, c, h, w);
    *t = jf_tensor_wrap(NULL, c, h, w);
    t->owned = 1;
    return jf_buffer_wrap_host(ctx, jf_tensor_count(t) * sizeof(float), output->data, &t->buf);
}

jf_status jf_image_output_finish(jf_context *ctx, const jf_tensor *t, jf_image *output)
{
    size_t host = 0;
    if (clGetMemObjectInfo(t->buf, CL_MEM_HOST_PTR, sizeof host, &host, NULL) == CL_SUCCESS &&
        host == (size_t)(uintptr_t)output->data && host)
        return jf_buffer_sync_host(ctx, t->buf, jf_tensor_count(t) * sizeof(float));
    return jf_image_download(ctx, t, output);
}
