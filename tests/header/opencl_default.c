/* opencl_default.c - an application that includes jfilter.h first, before it
 * says anything about OpenCL: it gets the Khronos headers' default target
 * (3.0), not jfilter's own 1.2, so 2.0+ calls are declared (compile only,
 * -Werror=implicit-function-declaration; see tests/CMakeLists.txt). */
#include <jfilter.h>

#if !defined(CL_VERSION_2_0)
#error "jfilter.h pinned the caller's OpenCL target below 2.0"
#endif

cl_command_queue app_queue(cl_context ctx, cl_device_id dev);

cl_command_queue app_queue(cl_context ctx, cl_device_id dev)
{
    cl_int err = CL_SUCCESS;
    cl_command_queue q = clCreateCommandQueueWithProperties(ctx, dev, NULL, &err);
    return err == CL_SUCCESS && jf_version() ? q : NULL;
}
