/* image.c - host image <-> planar float conversion (see image.h). */
#include "image.h"

#include <math.h>
#include <stdio.h>

static size_t jf_pixel_bytes(jf_pixel_type t)
{
    return t == JF_PIXEL_U8 ? 1 : t == JF_PIXEL_U16 ? 2 : 4;
}

size_t jf_image_stride(const jf_image *img)
{
    return img->stride ? img->stride : (size_t)img->width * img->channels * jf_pixel_bytes(img->type);
}

jf_status jf_image_check(const jf_image *img, const char *role, char *msg, size_t len)
{
    if (!img) {
        snprintf(msg, len, "%s image is NULL", role);
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

void jf_image_to_planes(const jf_image *img, float *planes)
{
    size_t plane = (size_t)img->width * img->height;
    /* source channel feeding output planes B, G, R */
    int src[3] = {2, 1, 0};
    if (img->order == JF_ORDER_BGR) {
        src[0] = 0;
        src[2] = 2;
    }
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

void jf_plane_to_image(const float *plane, jf_image *img)
{
    for (int y = 0; y < img->height; y++) {
        unsigned char *row = (unsigned char *)img->data + (size_t)y * jf_image_stride(img);
        for (int x = 0; x < img->width; x++) {
            float v = plane[(size_t)y * img->width + x];
            if (img->type == JF_PIXEL_F32) {
                ((float *)(void *)row)[x] = v;
            } else {
                float maxv = img->type == JF_PIXEL_U8 ? 255.0f : 65535.0f;
                float q = v * maxv;
                q = isnan(q) ? 0.0f : q < 0.0f ? 0.0f : q > maxv ? maxv : q;
                long r = lrintf(q);
                if (img->type == JF_PIXEL_U8) row[x] = (unsigned char)r;
                else ((uint16_t *)(void *)row)[x] = (uint16_t)r;
            }
        }
    }
}
