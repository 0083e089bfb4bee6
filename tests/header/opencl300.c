/* opencl300.c - an application that targets OpenCL 3.0 and includes
 * jfilter.h: the 2.0+ declarations must stay visible (tests/CMakeLists.txt
 * compiles it with -Werror=implicit-function-declaration; compile only). */
#define CL_TARGET_OPENCL_VERSION 300
#include <jfilter.h>

cl_command_queue app_queue(cl_context ctx, cl_device_id dev);

cl_command_queue app_queue(cl_context ctx, cl_device_id dev)
{
    const cl_queue_properties props[] = {CL_QUEUE_PROPERTIES, CL_QUEUE_PROFILING_ENABLE, 0};
    cl_int err = CL_SUCCESS;
    cl_command_queue q = clCreateCommandQueueWithProperties(ctx, dev, props, &err);
    return err == CL_SUCCESS && jf_version() ? q : NULL;
}
