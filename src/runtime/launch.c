/* launch.c - kernel argument setting and NDRange launches with errors that
 * name the kernel, so a failure deep in a model still says where it was. */
#include "runtime/runtime.h"

#include <stdio.h>

jf_status jf_arg(jf_context *ctx, cl_kernel k, cl_uint i, size_t size, const void *value)
{
    cl_int err = clSetKernelArg(k, i, size, value);
    if (err == CL_SUCCESS) return JF_OK;
    char what[96];
    snprintf(what, sizeof what, "clSetKernelArg(%u)", i);
    return jf_fail_cl(ctx, err, what);
}

jf_status jf_launch(jf_context *ctx, cl_kernel k, cl_uint dims, const size_t *global,
                    const size_t *local, const char *what)
{
    size_t g[3];
    for (cl_uint d = 0; d < dims; d++) {
        g[d] = global[d] ? global[d] : 1;
        if (local && local[d]) g[d] = (g[d] + local[d] - 1) / local[d] * local[d];
    }
    cl_int err = clEnqueueNDRangeKernel(ctx->queue, k, dims, NULL, g, local, 0, NULL, NULL);
    if (err == CL_SUCCESS) return JF_OK;
    char msg[128];
    snprintf(msg, sizeof msg, "launching %s", what);
    return jf_fail_cl(ctx, err, msg);
}

jf_status jf_finish(jf_context *ctx)
{
    cl_int err = clFinish(ctx->queue);
    return err == CL_SUCCESS ? JF_OK : jf_fail_cl(ctx, err, "clFinish");
}
