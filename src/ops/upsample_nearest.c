/* upsample_nearest.c - nearest-neighbour upsampling by f, cropped to the
 * output's size (kernel in cl/upsample_nearest.cl): a half-resolution map
 * of ceil(H/2) x ceil(W/2) back to H x W, as PyTorch's repeat-then-crop. */
#include "ops/ops.h"

jf_status jf_upsample_nearest(jf_context *ctx, const jf_tensor *in, int f, jf_tensor *out)
{
    if (f < 1 || out->c != in->c || in->h != (out->h + f - 1) / f || in->w != (out->w + f - 1) / f)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "upsample_nearest: %dx%dx%d by %d into %dx%dx%d (the input must be %dx%dx%d)", in->c, in->h,
                       in->w, f, out->c, out->h, out->w, out->c, f > 0 ? (out->h + f - 1) / f : 0,
                       f > 0 ? (out->w + f - 1) / f : 0);
    return JF_RUN(ctx, "upsample_nearest.cl", "upsample_nearest",
                  jf_grid3((size_t)out->w, (size_t)out->h, (size_t)out->c, ctx->tune.wg_resample),
                  JF_KMEM(in->buf), JF_KMEM(out->buf), JF_KINT(out->c), JF_KINT(out->h), JF_KINT(out->w),
                  JF_KINT(in->h), JF_KINT(in->w), JF_KINT(f));
}
