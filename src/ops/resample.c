/* resample.c - host side of space-to-depth, pixel shuffle and bicubic
 * resizing in two separable passes (kernels in cl/resample.cl). */
#include "ops/ops.h"

#include <stdio.h>

static jf_grid jf_resample_grid(const jf_context *ctx, int x, int y, int z)
{
    return jf_grid3((size_t)x, (size_t)y, (size_t)z, ctx->tune.wg_resample);
}

jf_status jf_space_to_depth(jf_context *ctx, const jf_tensor *in, int f, jf_tensor *out)
{
    if (f <= 0) return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "space_to_depth: factor %d", f);
    int ho = (in->h + f - 1) / f, wo = (in->w + f - 1) / f;
    if (out->c != in->c * f * f || out->h != ho || out->w != wo)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "space_to_depth: %dx%dx%d by %d into %dx%dx%d", in->c,
                       in->h, in->w, f, out->c, out->h, out->w);
    return JF_RUN(ctx, "resample.cl", "space_to_depth", jf_resample_grid(ctx, wo, ho, out->c), JF_KMEM(in->buf),
                  JF_KMEM(out->buf), JF_KINT(in->c), JF_KINT(in->h), JF_KINT(in->w), JF_KINT(f), JF_KINT(ho),
                  JF_KINT(wo));
}

jf_status jf_pixel_shuffle(jf_context *ctx, const jf_tensor *in, int f, jf_tensor *out)
{
    /* out may be up to f - 1 rows and columns smaller: the top-left part (a
     * transposed convolution cropped back to an odd size) */
    if (f <= 0 || in->c % (f * f) || out->c != in->c / (f * f) || out->h > in->h * f ||
        out->h <= (in->h - 1) * f || out->w > in->w * f || out->w <= (in->w - 1) * f)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "pixel_shuffle: %dx%dx%d by %d into %dx%dx%d", in->c,
                       in->h, in->w, f, out->c, out->h, out->w);
    return JF_RUN(ctx, "resample.cl", "pixel_shuffle", jf_resample_grid(ctx, out->w, out->h, out->c),
                  JF_KMEM(in->buf), JF_KMEM(out->buf), JF_KINT(out->c), JF_KINT(in->h), JF_KINT(in->w),
                  JF_KINT(f), JF_KINT(out->h), JF_KINT(out->w));
}

/* s when out = s * in for s = 2, 4, 8 or 16 (the factors cl/resample.cl has
 * phase kernels for), else 0 */
static int jf_phase_factor(int in, int out)
{
    int s = in > 0 && out % in == 0 ? out / in : 0;
    return s == 2 || s == 4 || s == 8 || s == 16 ? s : 0;
}

jf_status jf_resize_cubic(jf_context *ctx, const jf_tensor *in, jf_tensor *out, jf_resize_mode mode)
{
    if (in->c != out->c)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "resize: %d planes into %d", in->c, out->c);
    /* rows first into c x h x wo, then columns (cl/resample.cl says why); PIL's
     * antialiased taps only on an axis that shrinks, four fixed taps otherwise */
    const char *rows = "resize_opencv_rows", *cols = "resize_opencv_cols";
    if (mode == JF_RESIZE_PIL) {
        rows = out->w >= in->w ? "resize_pil_rows4" : "resize_pil_rows";
        cols = out->h >= in->h ? "resize_pil_cols4" : "resize_pil_cols";
    }
    /* OpenCV's convention enlarged by 2, 4, 8 or 16: the phase kernels load each
     * input sample once per s outputs instead of four per output */
    const int sx = mode == JF_RESIZE_OPENCV ? jf_phase_factor(in->w, out->w) : 0;
    const int sy = mode == JF_RESIZE_OPENCV ? jf_phase_factor(in->h, out->h) : 0;
    char rows_x[32], cols_x[32];
    snprintf(rows_x, sizeof rows_x, "resize_opencv_rows_x%d", sx);
    snprintf(cols_x, sizeof cols_x, "resize_opencv_cols_x%d", sy);
    jf_tensor tmp = {0};
    jf_status st = jf_tensor_alloc(ctx, &tmp, in->c, in->h, out->w);
    if (st == JF_OK && sx)
        st = JF_RUN(ctx, "resample.cl", rows_x, jf_resample_grid(ctx, in->w, in->h, in->c), JF_KMEM(in->buf),
                    JF_KMEM(tmp.buf), JF_KINT(in->c), JF_KINT(in->h), JF_KINT(in->w));
    else if (st == JF_OK)
        st = JF_RUN(ctx, "resample.cl", rows, jf_resample_grid(ctx, out->w, in->h, in->c), JF_KMEM(in->buf),
                    JF_KMEM(tmp.buf), JF_KINT(in->c), JF_KINT(in->h), JF_KINT(in->w), JF_KINT(out->w));
    if (st == JF_OK && sy)
        st = JF_RUN(ctx, "resample.cl", cols_x, jf_resample_grid(ctx, out->w, in->h, out->c), JF_KMEM(tmp.buf),
                    JF_KMEM(out->buf), JF_KINT(in->c), JF_KINT(in->h), JF_KINT(out->w));
    else if (st == JF_OK)
        st = JF_RUN(ctx, "resample.cl", cols, jf_resample_grid(ctx, out->w, out->h, out->c), JF_KMEM(tmp.buf),
                    JF_KMEM(out->buf), JF_KINT(in->c), JF_KINT(in->h), JF_KINT(out->w), JF_KINT(out->h));
    jf_tensor_free(&tmp);
    return st;
}
