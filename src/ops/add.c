/* add.c - element-wise sum with a fused activation (kernel in cl/add.cl):
 * residual blocks (PReLU(x + f(x)) is JF_ACT_LEAKY with the slope) and skip
 * connections (JF_ACT_NONE). */
#include "ops/ops.h"

jf_status jf_add_act(jf_context *ctx, const jf_tensor *a, const jf_tensor *b, jf_act act, float slope,
                     jf_tensor *out)
{
    if (b->c != a->c || b->h != a->h || b->w != a->w || out->c != a->c || out->h != a->h || out->w != a->w)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "add: %dx%dx%d + %dx%dx%d into %dx%dx%d", a->c, a->h, a->w, b->c,
                       b->h, b->w, out->c, out->h, out->w);
    size_t n = jf_tensor_count(a);
    if (n > 0x7fffffff) return jf_fail(ctx, JF_ERR_UNSUPPORTED, "add: %zu elements (at most 2^31 - 1)", n);
    return JF_RUN(ctx, "add.cl", "add_act", jf_grid1(n, ctx->tune.wg_pointwise), JF_KMEM(a->buf), JF_KMEM(b->buf),
                  JF_KMEM(out->buf), JF_KINT((int)n), JF_KINT(act), JF_KFLOAT(slope));
}
