/* tensor.c - float32 device tensors (planar C x H x W), their allocation
 * with size checks against the device's limits, and host transfers. */
#include "runtime/runtime.h"

#include <stdint.h>

jf_status jf_buffer_create(jf_context *ctx, size_t bytes, const void *init, cl_mem *out)
{
    *out = NULL;
    if (bytes == 0) bytes = 4; /* OpenCL rejects empty buffers; keep callers simple */
    if (ctx->info.max_alloc_bytes && bytes > ctx->info.max_alloc_bytes)
        return jf_fail(ctx, JF_ERR_DEVICE_MEMORY,
                       "a %.1f MiB buffer exceeds the device's largest allocation (%.1f MiB) on %s",
                       bytes / 1048576.0, ctx->info.max_alloc_bytes / 1048576.0, ctx->info.name);
    cl_int err;
    cl_mem m = clCreateBuffer(ctx->cl, CL_MEM_READ_WRITE | (init ? CL_MEM_COPY_HOST_PTR : 0), bytes,
                              (void *)init, &err);
    if (err != CL_SUCCESS) return jf_fail_cl(ctx, err, "clCreateBuffer");
    *out = m;
    return JF_OK;
}

jf_status jf_tensor_alloc(jf_context *ctx, jf_tensor *t, int c, int h, int w)
{
    t->buf = NULL;
    t->c = c;
    t->h = h;
    t->w = w;
    t->owned = 1;
    if (c <= 0 || h <= 0 || w <= 0)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "tensor of size %dx%dx%d", c, h, w);
    if ((uint64_t)c * (uint64_t)h * (uint64_t)w > SIZE_MAX / sizeof(float) / 2)
        return jf_fail(ctx, JF_ERR_DEVICE_MEMORY, "tensor of size %dx%dx%d is too large", c, h, w);
    return jf_buffer_create(ctx, jf_tensor_count(t) * sizeof(float), NULL, &t->buf);
}

jf_tensor jf_tensor_wrap(cl_mem buf, int c, int h, int w)
{
    jf_tensor t = {buf, c, h, w, 0};
    return t;
}

void jf_tensor_free(jf_tensor *t)
{
    if (t && t->buf && t->owned) clReleaseMemObject(t->buf);
    if (t) t->buf = NULL;
}

jf_status jf_tensor_upload(jf_context *ctx, jf_tensor *t, const float *host)
{
    cl_int err = clEnqueueWriteBuffer(ctx->queue, t->buf, CL_TRUE, 0,
                                      jf_tensor_count(t) * sizeof(float), host, 0, NULL, NULL);
    return err == CL_SUCCESS ? JF_OK : jf_fail_cl(ctx, err, "clEnqueueWriteBuffer");
}

jf_status jf_tensor_download(jf_context *ctx, const jf_tensor *t, float *host)
{
    cl_int err = clEnqueueReadBuffer(ctx->queue, t->buf, CL_TRUE, 0,
                                     jf_tensor_count(t) * sizeof(float), host, 0, NULL, NULL);
    return err == CL_SUCCESS ? JF_OK : jf_fail_cl(ctx, err, "clEnqueueReadBuffer");
}
