/* pool.c - average pooling by an integer factor without padding (kernel in
 * cl/pool.cl): DAGF's per-level target input. The output's size chooses the
 * edge rule: floor(H/f) is PyTorch's avg_pool2d, ceil(H/f) also averages the
 * partial last block. */
#include "ops/ops.h"

jf_status jf_avg_pool(jf_context *ctx, const jf_tensor *in, int f, jf_tensor *out)
{
    if (f < 1) return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "avg_pool: factor %d", f);
    int hf = in->h / f, wf = in->w / f, hc = (in->h + f - 1) / f, wc = (in->w + f - 1) / f;
    if (out->c != in->c || (out->h != hf && out->h != hc) || (out->w != wf && out->w != wc) || out->h < 1 ||
        out->w < 1)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "avg_pool: %dx%dx%d by %d into %dx%dx%d (rows %d or %d, columns %d or %d)", in->c, in->h,
                       in->w, f, out->c, out->h, out->w, hf, hc, wf, wc);
    return JF_RUN(ctx, "pool.cl", "avg_pool",
                  jf_grid3((size_t)out->w, (size_t)out->h, (size_t)out->c, ctx->tune.wg_pixels), JF_KMEM(in->buf),
                  JF_KMEM(out->buf), JF_KINT(in->c), JF_KINT(in->h), JF_KINT(in->w), JF_KINT(out->h),
                  JF_KINT(out->w), JF_KINT(f));
}
