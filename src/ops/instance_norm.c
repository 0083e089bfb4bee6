/* instance_norm.c - instance normalisation over the whole image, in two
 * passes (kernels in cl/instance_norm.cl): statistics per channel, then the
 * affine normalisation fused with an optional residual sum and the
 * activation. A whole-image reduction: a model using it does not tile. */
#include "ops/ops.h"

#include <stdio.h>

#define JF_IN_GROUP 64 /* work-items per channel in the statistics pass */

jf_status jf_instance_norm(jf_context *ctx, const jf_tensor *in, cl_mem gamma, cl_mem beta, float eps,
                           const jf_tensor *residual, jf_act act, jf_tensor *out)
{
    if (out->c != in->c || out->h != in->h || out->w != in->w ||
        (residual && (residual->c != in->c || residual->h != in->h || residual->w != in->w)))
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "instance_norm: input %dx%dx%d, residual %dx%dx%d and output %dx%dx%d must share one shape",
                       in->c, in->h, in->w, residual ? residual->c : in->c, residual ? residual->h : in->h,
                       residual ? residual->w : in->w, out->c, out->h, out->w);
    if (in->c < 1 || in->h < 1 || in->w < 1 || !gamma || !beta || !(eps > 0.0f))
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT,
                       "instance_norm: %dx%dx%d input, eps %g (needs planes, gamma, beta and eps > 0)", in->c, in->h,
                       in->w, (double)eps);
    int plane = in->h * in->w;
    cl_mem stats = NULL;
    jf_status s = jf_buffer_create(ctx, 2 * sizeof(float) * (size_t)in->c, NULL, &stats);
    if (s != JF_OK) return s;
    char options[32];
    snprintf(options, sizeof options, "-DJF_IN_GROUP=%d", JF_IN_GROUP);
    s = jf_run(ctx, "instance_norm.cl", options, "instance_norm_stats",
               jf_grid1((size_t)in->c * JF_IN_GROUP, (jf_wg){JF_IN_GROUP, 1}),
               JF_KARGS(JF_KMEM(in->buf), JF_KMEM(stats), JF_KINT(plane), JF_KFLOAT(eps)));
    if (s == JF_OK)
        s = jf_run(ctx, "instance_norm.cl", options, "instance_norm_apply",
                   jf_grid2((size_t)plane, (size_t)in->c, ctx->tune.wg_pointwise),
                   JF_KARGS(JF_KMEM(in->buf), JF_KMEM(stats), JF_KMEM(gamma), JF_KMEM(beta),
                            JF_KMEM(residual ? residual->buf : in->buf), JF_KINT(residual != NULL),
                            JF_KMEM(out->buf), JF_KINT(in->c), JF_KINT(plane), JF_KINT((int)act)));
    jf_buffer_release(stats); /* kept alive by OpenCL until the kernels have run */
    return s;
}
