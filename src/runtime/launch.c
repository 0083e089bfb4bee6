/* launch.c - kernel argument setting and NDRange launches with errors that
 * name the kernel, so a failure deep in a model still says where it was. */
#include "runtime/runtime.h"

#include <stdio.h>
#include <string.h>

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
    double mark = jf_prof_begin(ctx);
    cl_int err = clEnqueueNDRangeKernel(ctx->queue, k, dims, NULL, g, local, 0, NULL, NULL);
    jf_prof_end(ctx, what, mark);
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

double jf_prof_begin(jf_context *ctx)
{
    if (!ctx->profile) return 0.0;
    clFinish(ctx->queue);
    return jf_now_ms();
}

void jf_prof_end(jf_context *ctx, const char *name, double mark)
{
    if (!ctx->profile) return;
    clFinish(ctx->queue);
    double ms = jf_now_ms() - mark;
    int i = 0;
    while (i < ctx->nprof && strcmp(ctx->prof[i].name, name)) i++;
    if (i == ctx->nprof) {
        if (ctx->nprof == (int)(sizeof ctx->prof / sizeof ctx->prof[0])) return;
        snprintf(ctx->prof[ctx->nprof++].name, sizeof ctx->prof[0].name, "%s", name);
    }
    ctx->prof[i].ms += ms;
    ctx->prof[i].calls++;
}

void jf_prof_report(const jf_context *ctx)
{
    if (!ctx->profile || ctx->nprof == 0) return;
    double total = 0;
    for (int i = 0; i < ctx->nprof; i++) total += ctx->prof[i].ms;
    fprintf(stderr, "jfilter profile on %s (queue drained around every op):\n", ctx->info.name);
    for (int i = 0; i < ctx->nprof; i++)
        fprintf(stderr, "  %-20s %6ld calls %10.1f ms %5.1f%%\n", ctx->prof[i].name, ctx->prof[i].calls,
                ctx->prof[i].ms, total > 0 ? 100.0 * ctx->prof[i].ms / total : 0.0);
}
