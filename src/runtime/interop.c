/* interop.c - the caller's device buffers and events in the non-blocking
 * calls (jf_model_enqueue, jf_guided_filter_enqueue): a buffer region becomes
 * a tensor (a sub-buffer when it starts at an offset), the caller's wait list
 * becomes a barrier at the head of the work, and the work's end a marker
 * event. The queue is in order, so everything jfilter enqueues in between
 * runs after the wait list and before the marker, without a host wait. */
#include "runtime/runtime.h"

jf_status jf_region_tensor(jf_context *ctx, jf_buffer region, int c, int h, int w, const char *role,
                           jf_tensor *out)
{
    *out = jf_tensor_wrap(region.mem, c, h, w);
    if (!region.mem) return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "%s: the buffer is NULL", role);
    if (c <= 0 || h <= 0 || w <= 0 || c > 4 || h > 65535 || w > 65535)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "%s: %d planes of %dx%d (1..4 planes, sides 1..65535)", role,
                       c, w, h);
    size_t need = (size_t)c * h * w * sizeof(float), size = 0;
    cl_int err = clGetMemObjectInfo(region.mem, CL_MEM_SIZE, sizeof size, &size, NULL);
    if (err != CL_SUCCESS) return jf_fail_cl(ctx, err, "clGetMemObjectInfo (the caller's buffer)");
    if (region.offset > size || size - region.offset < need)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "%s: %d planes of %dx%d floats need %zu bytes from offset %zu, but the buffer holds %zu",
                       role, c, w, h, need, region.offset, size);
    if (region.offset == 0) return JF_OK;
    jf_status st = jf_sub_buffer(ctx, region.mem, region.offset, need, JF_ERR_INVALID_ARGUMENT, role, &out->buf);
    out->owned = out->buf != NULL;
    return st;
}

jf_status jf_wait_for(jf_context *ctx, cl_uint n, const cl_event *wait)
{
    if ((n == 0) != (wait == NULL))
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "a wait list of %u events %s", n,
                       wait ? "with a count of 0" : "without the events");
    if (n == 0) return JF_OK;
    cl_int err = jf_fault_hit(JF_FAULT_ENQUEUE) ? CL_OUT_OF_RESOURCES
                                                : clEnqueueBarrierWithWaitList(ctx->queue, n, wait, NULL);
    return err == CL_SUCCESS ? JF_OK : jf_fail_cl(ctx, err, "clEnqueueBarrierWithWaitList (the wait list)");
}

jf_status jf_mark_done(jf_context *ctx, cl_event *done)
{
    if (!done) return JF_OK;
    *done = NULL;
    cl_int err = jf_fault_hit(JF_FAULT_ENQUEUE) ? CL_OUT_OF_RESOURCES
                                                : clEnqueueMarkerWithWaitList(ctx->queue, 0, NULL, done);
    if (err != CL_SUCCESS) return jf_fail_cl(ctx, err, "clEnqueueMarkerWithWaitList (the done event)");
    /* start the work now: a caller waiting on the event must not depend on a later flush */
    clFlush(ctx->queue);
    return JF_OK;
}

jf_status jf_enqueue_begin(jf_context *ctx, const jf_region *regions, int n, jf_tensor *tensors, cl_uint num_wait,
                           const cl_event *wait, cl_event *done)
{
    if (done) *done = NULL;
    for (int i = 0; i < n; i++) tensors[i] = (jf_tensor){0};
    jf_status st = JF_OK;
    for (int i = 0; st == JF_OK && i < n; i++)
        st = jf_region_tensor(ctx, regions[i].buf, regions[i].c, regions[i].h, regions[i].w, regions[i].role,
                              &tensors[i]);
    if (st == JF_OK) st = jf_wait_for(ctx, num_wait, wait);
    return st;
}

jf_status jf_enqueue_end(jf_context *ctx, jf_status st, jf_tensor *tensors, int n, cl_event *done)
{
    if (st == JF_OK) st = jf_mark_done(ctx, done);
    for (int i = 0; i < n; i++) jf_tensor_free(&tensors[i]);
    return st;
}
