/* color.c - colour conversion on the device (kernel in cl/color.cl): the
 * gray guide of models trained on gray images, in float or OpenCV's 8-bit way. */
#include "ops/ops.h"

jf_status jf_rgb_to_gray(jf_context *ctx, const jf_tensor *in, int r, int g, int b,
                         jf_gray_mode mode, jf_tensor *out)
{
    if (in->c < 3 || out->c != 1 || out->h != in->h || out->w != in->w)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "rgb_to_gray: %dx%dx%d into %dx%dx%d", in->c, in->h,
                       in->w, out->c, out->h, out->w);
    int plane = in->h * in->w;
    return JF_RUN(ctx, "color.cl", "rgb_to_gray", jf_grid1((size_t)plane, ctx->tune.wg_pointwise), JF_KMEM(in->buf),
                  JF_KMEM(out->buf), JF_KINT(plane), JF_KINT(r), JF_KINT(g), JF_KINT(b), JF_KINT(mode));
}
