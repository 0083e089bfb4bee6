/* context.c - creation and destruction of jf_context: on a chosen device, or
 * around an application's own command queue. */
#include "runtime/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static jf_status jf_context_init(jf_context *ctx, cl_platform_id p, cl_device_id d, int index)
{
    ctx->platform = p;
    ctx->device = d;
    jf_query_device_info(p, d, index, &ctx->info);
    const char *prof = getenv("JF_PROFILE");
    ctx->profile = prof && *prof && strcmp(prof, "0") != 0;
    return jf_device_tune(ctx);
}

/* jfilter compiles OpenCL C 1.2 at run time: the device must take it. */
static jf_status jf_check_device(jf_context *ctx)
{
    int major = 0, minor = 0;
    if (sscanf(ctx->info.version, "OpenCL %d.%d", &major, &minor) != 2 || major * 10 + minor < 12)
        return jf_fail(ctx, JF_ERR_UNSUPPORTED, "device %s reports '%s'; jfilter needs OpenCL 1.2 or later",
                       ctx->info.name, ctx->info.version);
    cl_bool compiler = CL_FALSE;
    clGetDeviceInfo(ctx->device, CL_DEVICE_COMPILER_AVAILABLE, sizeof compiler, &compiler, NULL);
    if (!compiler)
        return jf_fail(ctx, JF_ERR_UNSUPPORTED,
                       "device %s has no OpenCL C compiler; jfilter builds its kernels at run time", ctx->info.name);
    return JF_OK;
}

jf_status jf_context_create(jf_context **out, const char *spec)
{
    if (!out) return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "jf_context_create: ctx is NULL");
    *out = NULL;
    jf_device_ref ref;
    int index = -1;
    char err[512];
    jf_status st = jf_choose_device(spec, &ref, &index, err, sizeof err);
    if (st != JF_OK) return jf_fail(NULL, st, "%s", err);
    jf_context *ctx = jf_calloc(1, sizeof *ctx);
    if (!ctx) return jf_fail(NULL, JF_ERR_OUT_OF_MEMORY, "out of memory");
    if ((st = jf_context_init(ctx, ref.platform, ref.device, index)) != JF_OK ||
        (st = jf_check_device(ctx)) != JF_OK)
        goto fail;
    cl_int e;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)ref.platform, 0};
    ctx->cl = clCreateContext(props, 1, &ref.device, NULL, NULL, &e);
    if (e != CL_SUCCESS) {
        st = jf_fail_cl(ctx, e, "clCreateContext");
        goto fail;
    }
    ctx->queue = clCreateCommandQueue(ctx->cl, ref.device, 0, &e);
    if (e != CL_SUCCESS) {
        st = jf_fail_cl(ctx, e, "clCreateCommandQueue");
        goto fail;
    }
    *out = ctx;
    return JF_OK;
fail:
    jf_fail(NULL, st, "on %s: %s", ctx->info.name, ctx->error);
    jf_context_destroy(ctx);
    return st;
}

jf_status jf_context_create_from_queue(jf_context **out, cl_command_queue queue)
{
    if (!out || !queue)
        return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "jf_context_create_from_queue: NULL argument");
    *out = NULL;
    cl_context clctx;
    cl_device_id dev;
    cl_int e = clGetCommandQueueInfo(queue, CL_QUEUE_CONTEXT, sizeof clctx, &clctx, NULL);
    if (e == CL_SUCCESS) e = clGetCommandQueueInfo(queue, CL_QUEUE_DEVICE, sizeof dev, &dev, NULL);
    if (e != CL_SUCCESS) return jf_fail_cl(NULL, e, "clGetCommandQueueInfo (is the queue valid?)");
    cl_platform_id p;
    e = clGetDeviceInfo(dev, CL_DEVICE_PLATFORM, sizeof p, &p, NULL);
    if (e != CL_SUCCESS) return jf_fail_cl(NULL, e, "clGetDeviceInfo(CL_DEVICE_PLATFORM)");
    jf_context *ctx = jf_calloc(1, sizeof *ctx);
    if (!ctx) return jf_fail(NULL, JF_ERR_OUT_OF_MEMORY, "out of memory");
    jf_status st = jf_context_init(ctx, p, dev, -1);
    if (st == JF_OK) st = jf_check_device(ctx);
    if (st != JF_OK) {
        jf_fail(NULL, st, "%s", ctx->error);
        free(ctx);
        return st;
    }
    clRetainContext(clctx);
    clRetainCommandQueue(queue);
    ctx->cl = clctx;
    ctx->queue = queue;
    *out = ctx;
    return JF_OK;
}

void jf_context_destroy(jf_context *ctx)
{
    if (!ctx) return;
    if (ctx->queue) clFinish(ctx->queue);
    jf_prof_report(ctx);
    jf_scratch_release(ctx);
    for (int i = 0; i < ctx->nkernels; i++) jf_release_kernel(ctx->kernels[i].kernel);
    for (int i = 0; i < ctx->nprograms; i++) jf_release_program(ctx->programs[i].program);
    if (ctx->queue) clReleaseCommandQueue(ctx->queue);
    if (ctx->cl) clReleaseContext(ctx->cl);
    free(ctx);
}

const jf_device_info *jf_context_device(const jf_context *ctx) { return ctx ? &ctx->info : NULL; }

cl_command_queue jf_context_queue(const jf_context *ctx) { return ctx ? ctx->queue : NULL; }

jf_status jf_context_get_stats(const jf_context *ctx, jf_context_stats *stats)
{
    if (!ctx || !stats) return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "jf_context_get_stats: NULL argument");
    stats->compile_ms = ctx->compile_ms;
    stats->programs_from_cache = ctx->programs_from_cache;
    stats->programs_built = ctx->nprograms - ctx->programs_from_cache;
    return JF_OK;
}

size_t jf_memory_budget(const jf_context *ctx, size_t asked)
{
    size_t b = asked ? asked : ctx->memory_budget ? ctx->memory_budget : JF_DEFAULT_BUDGET;
    uint64_t dev = ctx->info.global_mem_bytes;
    if (dev && b > dev / 4 * 3) b = (size_t)(dev / 4 * 3);
    return b;
}

jf_status jf_context_set_memory_budget(jf_context *ctx, size_t bytes)
{
    if (!ctx) return jf_fail(NULL, JF_ERR_INVALID_ARGUMENT, "jf_context_set_memory_budget: the context is NULL");
    if (bytes && bytes < ((size_t)16 << 20))
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "memory budget %zu bytes: at least 16 MiB (or 0, the default)",
                       bytes);
    ctx->memory_budget = bytes;
    jf_scratch_release(ctx); /* sized under the old budget */
    return JF_OK;
}
