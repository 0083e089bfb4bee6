/* add_upsampled.c - a map plus a coarser one, nearest-upsampled by f and
 * scaled (kernel in cl/add_upsampled.cl): coarse-to-fine fusion such as
 * DAGF's lambda * up2(previous level) + this level, without the upsampled copy. */
#include "ops/ops.h"

jf_status jf_add_upsampled(jf_context *ctx, const jf_tensor *a, const jf_tensor *b, int f, float scale,
                           jf_tensor *out)
{
    if (f < 1 || b->c != a->c || b->h != (a->h + f - 1) / f || b->w != (a->w + f - 1) / f || out->c != a->c ||
        out->h != a->h || out->w != a->w)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "add_upsampled: %dx%dx%d + up%d(%dx%dx%d) into %dx%dx%d (the coarse map must be "
                       "%dx%dx%d)",
                       a->c, a->h, a->w, f, b->c, b->h, b->w, out->c, out->h, out->w, a->c,
                       f > 0 ? (a->h + f - 1) / f : 0, f > 0 ? (a->w + f - 1) / f : 0);
    return JF_RUN(ctx, "add_upsampled.cl", "add_upsampled",
                  jf_grid3((size_t)a->w, (size_t)a->h, (size_t)a->c, ctx->tune.wg_pixels), JF_KMEM(a->buf),
                  JF_KMEM(b->buf), JF_KMEM(out->buf), JF_KINT(a->c), JF_KINT(a->h), JF_KINT(a->w), JF_KINT(b->h),
                  JF_KINT(b->w), JF_KINT(f), JF_KFLOAT(scale));
}
