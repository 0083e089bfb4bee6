/* scale_shift.c - out = a * in + b element-wise (kernel in cl/scale_shift.cl).
 * A network whose input is an affine map of the image needs it as an op of
 * its own: folded into the first convolution it would also move the zero
 * padding around the image. */
#include "ops/ops.h"

jf_status jf_scale_shift(jf_context *ctx, const jf_tensor *in, float a, float b, jf_tensor *out)
{
    if (out->c != in->c || out->h != in->h || out->w != in->w)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "scale_shift: %dx%dx%d into %dx%dx%d", in->c, in->h, in->w,
                       out->c, out->h, out->w);
    size_t n = jf_tensor_count(in);
    if (n > 0x7fffffff) return jf_fail(ctx, JF_ERR_UNSUPPORTED, "scale_shift: %zu elements (at most 2^31 - 1)", n);
    return JF_RUN(ctx, "scale_shift.cl", "scale_shift", jf_grid1(n, ctx->tune.wg_pointwise), JF_KMEM(in->buf),
                  JF_KMEM(out->buf), JF_KINT((int)n), JF_KFLOAT(a), JF_KFLOAT(b));
}
