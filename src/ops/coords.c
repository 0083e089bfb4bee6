/* coords.c - appends two coordinate planes to an image (kernel in
 * cl/coords.cl): x and y of each pixel centre mapped to (-1, 1) over the whole
 * image, the extra inputs of Fang et al.'s feature network. */
#include "ops/ops.h"

jf_status jf_append_coords(jf_context *ctx, const jf_tensor *in, jf_tensor *out)
{
    if (out->c != in->c + 2 || out->h != in->h || out->w != in->w)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "append_coords: %dx%dx%d needs a %dx%dx%d output, got %dx%dx%d",
                       in->c, in->h, in->w, in->c + 2, in->h, in->w, out->c, out->h, out->w);
    return JF_RUN(ctx, "coords.cl", "append_coords",
                  jf_grid3((size_t)in->w, (size_t)in->h, (size_t)out->c, ctx->tune.wg_resample), JF_KMEM(in->buf),
                  JF_KMEM(out->buf), JF_KINT(in->c), JF_KINT(in->h), JF_KINT(in->w));
}
