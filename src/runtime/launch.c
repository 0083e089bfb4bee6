/* launch.c - the one launch path (jf_run): every argument set and checked,
 * the range rounded to the work-group, errors that name the kernel and the
 * argument, so a failure deep in a model still says where it was; and the
 * JF_PROFILE timing of each op. */
#include "runtime/faults.h"
#include "runtime/runtime.h"

#include <stdio.h>
#include <string.h>

static jf_status jf_enqueue(jf_context *ctx, cl_kernel k, cl_uint dims, const size_t *global,
                            const size_t *local, const char *what)
{
    size_t g[3];
    for (cl_uint d = 0; d < dims; d++) {
        g[d] = global[d] ? global[d] : 1;
        if (local && local[d]) g[d] = (g[d] + local[d] - 1) / local[d] * local[d];
    }
    double mark = jf_prof_begin(ctx);
    cl_int err = jf_fault_hit(JF_FAULT_ENQUEUE) ? CL_OUT_OF_RESOURCES
                                                : clEnqueueNDRangeKernel(ctx->queue, k, dims, NULL, g, local, 0,
                                                                         NULL, NULL);
    jf_prof_end(ctx, what, mark);
    if (err == CL_SUCCESS) return JF_OK;
    char msg[128];
    snprintf(msg, sizeof msg, "launching %s", what);
    return jf_fail_cl(ctx, err, msg);
}

static jf_status jf_set_arg(jf_context *ctx, const jf_kernel_entry *e, int i, const jf_karg *a)
{
    size_t size = a->kind == JF_KARG_MEM ? sizeof a->v.mem : a->kind == JF_KARG_INT ? sizeof a->v.i
                                                                                      : sizeof a->v.f;
    cl_int err = clSetKernelArg(e->kernel, (cl_uint)i, size, &a->v);
    if (err == CL_SUCCESS) return JF_OK;
    static const char *kinds[] = {"buffer", "int", "float"};
    char what[192];
    snprintf(what, sizeof what, "clSetKernelArg(%s in cl/%s, argument %d: %s)", e->name, e->file, i,
             kinds[a->kind]);
    return jf_fail_cl(ctx, err, what);
}

jf_status jf_run(jf_context *ctx, const char *file, const char *options, const char *kernel,
                 jf_grid grid, const jf_karg *args, int nargs)
{
    const jf_kernel_entry *e;
    jf_status st = jf_kernel_get(ctx, file, options, kernel, &e);
    if (st != JF_OK) return st;
    /* a cached kernel keeps the arguments of its last launch: a missing one
     * would silently reuse a stale buffer, so the count must be exact */
    if (nargs != (int)e->nargs)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "kernel %s in cl/%s takes %u arguments, %d given",
                       kernel, file, e->nargs, nargs);
    for (int i = 0; i < nargs; i++)
        if ((st = jf_set_arg(ctx, e, i, &args[i])) != JF_OK) return st;
    if (grid.dims < 1 || grid.dims > 3)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "kernel %s: a %u-D range", kernel, grid.dims);
    size_t local[3] = {grid.local.x, grid.local.y, 1};
    return jf_enqueue(ctx, e->kernel, grid.dims, grid.global, grid.local.x ? local : NULL, kernel);
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
