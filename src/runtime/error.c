/* error.c - status names, per-context error messages and the mapping of
 * OpenCL error codes onto jf_status (allocation failures become
 * JF_ERR_DEVICE_MEMORY so callers can tell "too big" from "broken"). */
#include "runtime/runtime.h"

#include <stdio.h>
#include <string.h>

static _Thread_local char jf_thread_error[JF_ERROR_MAX];

char *jf_global_error(void) { return jf_thread_error; }

const char *jf_status_string(jf_status status)
{
    switch (status) {
    case JF_OK: return "ok";
    case JF_ERR_INVALID_ARGUMENT: return "invalid argument";
    case JF_ERR_OUT_OF_MEMORY: return "out of host memory";
    case JF_ERR_IO: return "i/o error";
    case JF_ERR_BAD_FORMAT: return "malformed file";
    case JF_ERR_UNSUPPORTED: return "unsupported";
    case JF_ERR_NO_DEVICE: return "no matching OpenCL device";
    case JF_ERR_OPENCL: return "OpenCL error";
    case JF_ERR_BUILD: return "OpenCL program build failed";
    case JF_ERR_SIZE_MISMATCH: return "image sizes do not match";
    case JF_ERR_DEVICE_MEMORY: return "out of device memory";
    case JF_ERR_BLAS: return "CLBlast error";
    case JF_ERR_CANCELLED: return "cancelled";
    }
    return "unknown status";
}

jf_status jf_fail(jf_context *ctx, jf_status status, const char *fmt, ...)
{
    char *dst = ctx ? ctx->error : jf_thread_error;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, JF_ERROR_MAX, fmt, ap);
    va_end(ap);
    return status;
}

const char *jf_last_error(const jf_context *ctx)
{
    return ctx ? ctx->error : jf_thread_error;
}

const char *jf_cl_error_name(cl_int err)
{
    switch (err) {
#define C(x) case x: return #x
    C(CL_SUCCESS); C(CL_DEVICE_NOT_FOUND); C(CL_DEVICE_NOT_AVAILABLE);
    C(CL_COMPILER_NOT_AVAILABLE); C(CL_MEM_OBJECT_ALLOCATION_FAILURE); C(CL_OUT_OF_RESOURCES);
    C(CL_OUT_OF_HOST_MEMORY); C(CL_PROFILING_INFO_NOT_AVAILABLE); C(CL_MEM_COPY_OVERLAP);
    C(CL_BUILD_PROGRAM_FAILURE); C(CL_INVALID_VALUE); C(CL_INVALID_DEVICE_TYPE);
    C(CL_INVALID_PLATFORM); C(CL_INVALID_DEVICE); C(CL_INVALID_CONTEXT);
    C(CL_INVALID_COMMAND_QUEUE); C(CL_INVALID_HOST_PTR); C(CL_INVALID_MEM_OBJECT);
    C(CL_INVALID_BINARY); C(CL_INVALID_BUILD_OPTIONS); C(CL_INVALID_PROGRAM);
    C(CL_INVALID_PROGRAM_EXECUTABLE); C(CL_INVALID_KERNEL_NAME); C(CL_INVALID_KERNEL);
    C(CL_INVALID_ARG_INDEX); C(CL_INVALID_ARG_VALUE); C(CL_INVALID_ARG_SIZE);
    C(CL_INVALID_KERNEL_ARGS); C(CL_INVALID_WORK_DIMENSION); C(CL_INVALID_WORK_GROUP_SIZE);
    C(CL_INVALID_WORK_ITEM_SIZE); C(CL_INVALID_GLOBAL_OFFSET); C(CL_INVALID_EVENT_WAIT_LIST);
    C(CL_INVALID_OPERATION); C(CL_INVALID_BUFFER_SIZE); C(CL_INVALID_GLOBAL_WORK_SIZE);
#undef C
    }
    return "unknown OpenCL error";
}

jf_status jf_fail_cl(jf_context *ctx, cl_int err, const char *what)
{
    jf_status st = JF_ERR_OPENCL;
    const char *hint = "";
    if (err == CL_MEM_OBJECT_ALLOCATION_FAILURE || err == CL_OUT_OF_RESOURCES ||
        err == CL_INVALID_BUFFER_SIZE) {
        st = JF_ERR_DEVICE_MEMORY;
        hint = " (the device ran out of memory: try a smaller image or another device)";
    } else if (err == CL_OUT_OF_HOST_MEMORY) {
        st = JF_ERR_OUT_OF_MEMORY;
    }
    return jf_fail(ctx, st, "%s failed: %s (%d)%s", what, jf_cl_error_name(err), (int)err, hint);
}
