/* pad.c - padding of every plane (kernels in cl/pad.cl): zeros around (DKN
 * pads its input once before its unpadded convolutions) and edge replication
 * below and to the right (DAGF pads to a multiple of its pyramid's grid). */
#include "ops/ops.h"

jf_status jf_pad_zero(jf_context *ctx, const jf_tensor *in, int top_left, jf_tensor *out)
{
    if (out->c != in->c || out->h < in->h + top_left || out->w < in->w + top_left || top_left < 0)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "pad_zero: %dx%dx%d at %d into %dx%dx%d", in->c, in->h, in->w,
                       top_left, out->c, out->h, out->w);
    return JF_RUN(ctx, "pad.cl", "pad_zero",
                  jf_grid3((size_t)out->w, (size_t)out->h, (size_t)in->c, ctx->tune.wg_pixels), JF_KMEM(in->buf),
                  JF_KMEM(out->buf), JF_KINT(in->c), JF_KINT(in->h), JF_KINT(in->w), JF_KINT(top_left),
                  JF_KINT(out->h), JF_KINT(out->w));
}

jf_status jf_pad_replicate(jf_context *ctx, const jf_tensor *in, jf_tensor *out)
{
    if (out->c != in->c || out->h < in->h || out->w < in->w || in->h < 1 || in->w < 1)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "pad_replicate: %dx%dx%d into %dx%dx%d", in->c, in->h, in->w,
                       out->c, out->h, out->w);
    return JF_RUN(ctx, "pad.cl", "pad_replicate",
                  jf_grid3((size_t)out->w, (size_t)out->h, (size_t)in->c, ctx->tune.wg_pixels), JF_KMEM(in->buf),
                  JF_KMEM(out->buf), JF_KINT(in->c), JF_KINT(in->h), JF_KINT(in->w), JF_KINT(out->h),
                  JF_KINT(out->w));
}
