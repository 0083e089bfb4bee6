/* tensor.c - float32 device tensors (planar C x H x W): allocation with size
 * checks against the device's limits, host transfers of all or some planes,
 * device copies of planes and windows, plane views; and raw buffers. */
#include "runtime/faults.h"
#include "runtime/runtime.h"

#include <stdint.h>

/* Every buffer jfilter makes: the size checked against the device's largest
 * allocation, the fault hook, the live count. */
static jf_status jf_buffer_make(jf_context *ctx, size_t bytes, cl_mem_flags flags, void *host, cl_mem *out)
{
    *out = NULL;
    if (ctx->info.max_alloc_bytes && bytes > ctx->info.max_alloc_bytes)
        return jf_fail(ctx, JF_ERR_DEVICE_MEMORY,
                       "a %.1f MiB buffer exceeds the device's largest allocation (%.1f MiB) on %s",
                       bytes / 1048576.0, ctx->info.max_alloc_bytes / 1048576.0, ctx->info.name);
    cl_int err = CL_MEM_OBJECT_ALLOCATION_FAILURE;
    cl_mem m = jf_fault_hit(JF_FAULT_DEVICE_ALLOC) ? NULL : clCreateBuffer(ctx->cl, flags, bytes, host, &err);
    if (err != CL_SUCCESS)
        return jf_fail_cl(ctx, err, flags & CL_MEM_USE_HOST_PTR ? "clCreateBuffer (on host memory)" : "clCreateBuffer");
    jf_live_add(JF_LIVE_MEM, 1);
    if (!(flags & CL_MEM_USE_HOST_PTR)) jf_live_bytes_add((long long)bytes);
    *out = m;
    return JF_OK;
}

jf_status jf_buffer_create(jf_context *ctx, size_t bytes, const void *init, cl_mem *out)
{
    if (bytes == 0) bytes = 4; /* OpenCL rejects empty buffers; keep callers simple */
    return jf_buffer_make(ctx, bytes, CL_MEM_READ_WRITE | (init ? CL_MEM_COPY_HOST_PTR : 0), (void *)(uintptr_t)init,
                          out);
}

jf_status jf_buffer_wrap_host(jf_context *ctx, size_t bytes, void *host, cl_mem *out)
{
    return jf_buffer_make(ctx, bytes, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR, host, out);
}

jf_status jf_buffer_wrap_host_read(jf_context *ctx, size_t bytes, const void *host, cl_mem *out)
{
    /* OpenCL's API takes a void *; the kernels given this buffer never write it */
    return jf_buffer_make(ctx, bytes, CL_MEM_READ_ONLY | CL_MEM_USE_HOST_PTR, (void *)(uintptr_t)host, out);
}

jf_status jf_buffer_sync_host(jf_context *ctx, cl_mem buf, size_t bytes)
{
    cl_int err = CL_OUT_OF_RESOURCES;
    void *p = jf_fault_hit(JF_FAULT_ENQUEUE)
                  ? NULL
                  : clEnqueueMapBuffer(ctx->queue, buf, CL_TRUE, CL_MAP_READ, 0, bytes, 0, NULL, NULL, &err);
    if (!p || err != CL_SUCCESS) return jf_fail_cl(ctx, err, "clEnqueueMapBuffer");
    err = clEnqueueUnmapMemObject(ctx->queue, buf, p, 0, NULL, NULL);
    if (err == CL_SUCCESS) err = clFinish(ctx->queue);
    return err == CL_SUCCESS ? JF_OK : jf_fail_cl(ctx, err, "clEnqueueUnmapMemObject");
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

jf_status jf_scratch_tensor(jf_context *ctx, int slot, int c, int h, int w, jf_tensor *t)
{
    *t = jf_tensor_wrap(NULL, c, h, w);
    if (slot < 0 || slot >= JF_SCRATCH_SLOTS || c <= 0 || h <= 0 || w <= 0)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "scratch slot %d of size %dx%dx%d", slot, c, h, w);
    size_t bytes = jf_tensor_count(t) * sizeof(float);
    if (ctx->scratch[slot].bytes < bytes) {
        jf_buffer_release(ctx->scratch[slot].mem);
        ctx->scratch[slot].mem = NULL;
        ctx->scratch[slot].bytes = 0;
        jf_status st = jf_buffer_create(ctx, bytes, NULL, &ctx->scratch[slot].mem);
        if (st != JF_OK) return st;
        ctx->scratch[slot].bytes = bytes;
    }
    t->buf = ctx->scratch[slot].mem;
    return JF_OK;
}

void jf_scratch_release(jf_context *ctx)
{
    for (int i = 0; i < JF_SCRATCH_SLOTS; i++) {
        jf_buffer_release(ctx->scratch[i].mem);
        ctx->scratch[i].mem = NULL;
        ctx->scratch[i].bytes = 0;
    }
}

jf_tensor jf_tensor_wrap(cl_mem buf, int c, int h, int w)
{
    jf_tensor t = {buf, c, h, w, 0};
    return t;
}

void jf_buffer_release(cl_mem buf)
{
    if (buf) {
        size_t bytes = 0;
        cl_mem_flags flags = 0;
        if (clGetMemObjectInfo(buf, CL_MEM_SIZE, sizeof bytes, &bytes, NULL) == CL_SUCCESS &&
            clGetMemObjectInfo(buf, CL_MEM_FLAGS, sizeof flags, &flags, NULL) == CL_SUCCESS &&
            !(flags & CL_MEM_USE_HOST_PTR))
            jf_live_bytes_add(-(long long)bytes);
        clReleaseMemObject(buf);
        jf_live_add(JF_LIVE_MEM, -1);
    }
}

void jf_tensor_free(jf_tensor *t)
{
    if (t && t->owned) jf_buffer_release(t->buf);
    if (t) t->buf = NULL;
}

jf_status jf_tensor_upload(jf_context *ctx, jf_tensor *t, const float *host)
{
    cl_int err = jf_fault_hit(JF_FAULT_ENQUEUE)
                     ? CL_OUT_OF_RESOURCES
                     : clEnqueueWriteBuffer(ctx->queue, t->buf, CL_TRUE, 0, jf_tensor_count(t) * sizeof(float),
                                            host, 0, NULL, NULL);
    return err == CL_SUCCESS ? JF_OK : jf_fail_cl(ctx, err, "clEnqueueWriteBuffer");
}

jf_status jf_tensor_download(jf_context *ctx, const jf_tensor *t, float *host)
{
    cl_int err = jf_fault_hit(JF_FAULT_ENQUEUE) ? CL_OUT_OF_RESOURCES : clEnqueueReadBuffer(ctx->queue, t->buf, CL_TRUE, 0,
                                     jf_tensor_count(t) * sizeof(float), host, 0, NULL, NULL);
    return err == CL_SUCCESS ? JF_OK : jf_fail_cl(ctx, err, "clEnqueueReadBuffer");
}

/* The byte range of planes [first, first + n) of t, after checking they exist. */
static jf_status jf_plane_bytes(jf_context *ctx, const jf_tensor *t, int first, int n, const char *what,
                                size_t *offset, size_t *bytes)
{
    if (first < 0 || n < 1 || first > t->c - n)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "%s: planes %d..%d of a %d-plane tensor", what, first,
                       first + n - 1, t->c);
    size_t plane = (size_t)t->h * t->w * sizeof(float);
    *offset = (size_t)first * plane;
    *bytes = (size_t)n * plane;
    return JF_OK;
}

jf_status jf_tensor_download_planes(jf_context *ctx, const jf_tensor *t, int first_plane, int nplanes,
                                    float *host)
{
    size_t at = 0, bytes = 0;
    jf_status st = jf_plane_bytes(ctx, t, first_plane, nplanes, "plane download", &at, &bytes);
    if (st != JF_OK) return st;
    cl_int err = jf_fault_hit(JF_FAULT_ENQUEUE)
                     ? CL_OUT_OF_RESOURCES
                     : clEnqueueReadBuffer(ctx->queue, t->buf, CL_TRUE, at, bytes, host, 0, NULL, NULL);
    return err == CL_SUCCESS ? JF_OK : jf_fail_cl(ctx, err, "clEnqueueReadBuffer (planes)");
}

jf_status jf_tensor_copy_planes(jf_context *ctx, const jf_tensor *src, int src_plane, jf_tensor *dst,
                                int dst_plane, int nplanes)
{
    if (src->h != dst->h || src->w != dst->w)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "plane copy from %dx%d planes into %dx%d planes", src->w,
                       src->h, dst->w, dst->h);
    size_t from = 0, to = 0, bytes = 0;
    jf_status st = jf_plane_bytes(ctx, src, src_plane, nplanes, "plane copy source", &from, &bytes);
    if (st == JF_OK) st = jf_plane_bytes(ctx, dst, dst_plane, nplanes, "plane copy destination", &to, &bytes);
    if (st != JF_OK) return st;
    cl_int err = jf_fault_hit(JF_FAULT_ENQUEUE)
                     ? CL_OUT_OF_RESOURCES
                     : clEnqueueCopyBuffer(ctx->queue, src->buf, dst->buf, from, to, bytes, 0, NULL, NULL);
    return err == CL_SUCCESS ? JF_OK : jf_fail_cl(ctx, err, "clEnqueueCopyBuffer (planes)");
}

jf_status jf_tensor_copy_rect(jf_context *ctx, const jf_tensor *src, int sx, int sy, jf_tensor *dst, int dx,
                              int dy, int w, int h)
{
    if (src->c != dst->c || w < 1 || h < 1 || sx < 0 || sy < 0 || dx < 0 || dy < 0 || sx > src->w - w ||
        sy > src->h - h || dx > dst->w - w || dy > dst->h - h)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "window copy of %dx%d from (%d, %d) of %dx%dx%d to (%d, %d) of %dx%dx%d", w, h, sx, sy,
                       src->c, src->h, src->w, dx, dy, dst->c, dst->h, dst->w);
    const size_t f = sizeof(float);
    size_t so[3] = {(size_t)sx * f, (size_t)sy, 0}, doff[3] = {(size_t)dx * f, (size_t)dy, 0};
    size_t region[3] = {(size_t)w * f, (size_t)h, (size_t)src->c};
    cl_int err = jf_fault_hit(JF_FAULT_ENQUEUE) ? CL_OUT_OF_RESOURCES : clEnqueueCopyBufferRect(ctx->queue, src->buf, dst->buf, so, doff, region, (size_t)src->w * f,
                                         (size_t)src->w * src->h * f, (size_t)dst->w * f,
                                         (size_t)dst->w * dst->h * f, 0, NULL, NULL);
    return err == CL_SUCCESS ? JF_OK : jf_fail_cl(ctx, err, "clEnqueueCopyBufferRect (window copy)");
}

jf_status jf_sub_buffer(jf_context *ctx, cl_mem parent, size_t origin, size_t size, jf_status misaligned,
                        const char *what, cl_mem *out)
{
    *out = NULL;
    cl_uint align_bits = 0;
    if (clGetDeviceInfo(ctx->device, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof align_bits, &align_bits, NULL) ==
            CL_SUCCESS &&
        align_bits >= 8 && origin % (align_bits / 8) != 0)
        return jf_fail(ctx, misaligned,
                       "%s: byte offset %zu is not a multiple of %s's %u-byte sub-buffer alignment "
                       "(CL_DEVICE_MEM_BASE_ADDR_ALIGN)", what, origin, ctx->info.name, align_bits / 8);
    cl_buffer_region region = {origin, size};
    cl_int err = CL_MEM_OBJECT_ALLOCATION_FAILURE; /* what an injected fault reports */
    cl_mem sub = jf_fault_hit(JF_FAULT_DEVICE_ALLOC)
                     ? NULL
                     : clCreateSubBuffer(parent, 0, CL_BUFFER_CREATE_TYPE_REGION, &region, &err);
    if (!sub) return jf_fail_cl(ctx, err, "clCreateSubBuffer");
    jf_live_add(JF_LIVE_MEM, 1);
    *out = sub;
    return JF_OK;
}

jf_status jf_tensor_view_planes(jf_context *ctx, const jf_tensor *t, int first_plane, int nplanes,
                                jf_tensor *view)
{
    *view = jf_tensor_wrap(NULL, nplanes, t->h, t->w);
    size_t origin = 0, size = 0;
    jf_status st = jf_plane_bytes(ctx, t, first_plane, nplanes, "plane view", &origin, &size);
    if (st == JF_OK) st = jf_sub_buffer(ctx, t->buf, origin, size, JF_ERR_UNSUPPORTED, "plane view", &view->buf);
    view->owned = view->buf != NULL;
    return st;
}
