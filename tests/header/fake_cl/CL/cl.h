/* fake_cl/CL/cl.h - stands in for the Khronos header when jf_api.cmake
 * preprocesses jfilter.h as if for Windows on a machine without Windows
 * headers: only the types jfilter.h names. */
typedef struct _cl_command_queue *cl_command_queue;
typedef struct _cl_mem *cl_mem;
