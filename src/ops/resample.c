/* resample.c - host side of space-to-depth, pixel shuffle, bicubic resizing
 * and guide-to-gray (kernels in cl/resample.cl). */
#include "ops/ops.h"

static jf_status jf_launch3(jf_context *ctx, cl_kernel k, int x, int y, int z, const char *what)
{
    size_t g[3] = {(size_t)x, (size_t)y, (size_t)z}, l[3] = {64, 4, 1};
    return jf_launch(ctx, k, 3, g, l, what);
}

jf_status jf_space_to_depth(jf_context *ctx, const jf_tensor *in, int f, jf_tensor *out)
{
    if (f <= 0) return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "space_to_depth: factor %d", f);
    int ho = (in->h + f - 1) / f, wo = (in->w + f - 1) / f;
    if (out->c != in->c * f * f || out->h != ho || out->w != wo)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "space_to_depth: %dx%dx%d by %d into %dx%dx%d", in->c,
                       in->h, in->w, f, out->c, out->h, out->w);
    cl_kernel k;
    jf_status st = jf_kernel(ctx, "resample.cl", "space_to_depth", &k);
    if (st != JF_OK) return st;
    jf_arg(ctx, k, 0, sizeof(cl_mem), &in->buf);
    jf_arg(ctx, k, 1, sizeof(cl_mem), &out->buf);
    JF_ARG(ctx, k, 2, in->c);
    JF_ARG(ctx, k, 3, in->h);
    JF_ARG(ctx, k, 4, in->w);
    JF_ARG(ctx, k, 5, f);
    JF_ARG(ctx, k, 6, ho);
    if ((st = JF_ARG(ctx, k, 7, wo)) != JF_OK) return st;
    return jf_launch3(ctx, k, wo, ho, out->c, "space_to_depth");
}

jf_status jf_pixel_shuffle(jf_context *ctx, const jf_tensor *in, int f, jf_tensor *out)
{
    if (f <= 0 || in->c % (f * f) || out->c != in->c / (f * f) || out->h != in->h * f ||
        out->w != in->w * f)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "pixel_shuffle: %dx%dx%d by %d into %dx%dx%d", in->c,
                       in->h, in->w, f, out->c, out->h, out->w);
    cl_kernel k;
    jf_status st = jf_kernel(ctx, "resample.cl", "pixel_shuffle", &k);
    if (st != JF_OK) return st;
    jf_arg(ctx, k, 0, sizeof(cl_mem), &in->buf);
    jf_arg(ctx, k, 1, sizeof(cl_mem), &out->buf);
    JF_ARG(ctx, k, 2, out->c);
    JF_ARG(ctx, k, 3, in->h);
    JF_ARG(ctx, k, 4, in->w);
    if ((st = JF_ARG(ctx, k, 5, f)) != JF_OK) return st;
    return jf_launch3(ctx, k, out->w, out->h, out->c, "pixel_shuffle");
}

jf_status jf_resize_cubic(jf_context *ctx, const jf_tensor *in, jf_tensor *out, jf_resize_mode mode)
{
    if (in->c != out->c)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "resize: %d planes into %d", in->c, out->c);
    const char *name = mode == JF_RESIZE_PIL ? "resize_pil" : "resize_opencv";
    cl_kernel k;
    jf_status st = jf_kernel(ctx, "resample.cl", name, &k);
    if (st != JF_OK) return st;
    jf_arg(ctx, k, 0, sizeof(cl_mem), &in->buf);
    jf_arg(ctx, k, 1, sizeof(cl_mem), &out->buf);
    JF_ARG(ctx, k, 2, in->c);
    JF_ARG(ctx, k, 3, in->h);
    JF_ARG(ctx, k, 4, in->w);
    JF_ARG(ctx, k, 5, out->h);
    if ((st = JF_ARG(ctx, k, 6, out->w)) != JF_OK) return st;
    return jf_launch3(ctx, k, out->w, out->h, out->c, name);
}

jf_status jf_rgb_to_gray(jf_context *ctx, const jf_tensor *in, int r, int g, int b,
                         jf_gray_mode mode, jf_tensor *out)
{
    if (in->c < 3 || out->c != 1 || out->h != in->h || out->w != in->w)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "rgb_to_gray: %dx%dx%d into %dx%dx%d", in->c, in->h,
                       in->w, out->c, out->h, out->w);
    cl_kernel k;
    jf_status st = jf_kernel(ctx, "resample.cl", "rgb_to_gray", &k);
    if (st != JF_OK) return st;
    int plane = in->h * in->w, m = (int)mode;
    jf_arg(ctx, k, 0, sizeof(cl_mem), &in->buf);
    jf_arg(ctx, k, 1, sizeof(cl_mem), &out->buf);
    JF_ARG(ctx, k, 2, plane);
    JF_ARG(ctx, k, 3, r);
    JF_ARG(ctx, k, 4, g);
    JF_ARG(ctx, k, 5, b);
    if ((st = JF_ARG(ctx, k, 6, m)) != JF_OK) return st;
    size_t gs[1] = {(size_t)plane}, l[1] = {64};
    return jf_launch(ctx, k, 1, gs, l, "rgb_to_gray");
}
