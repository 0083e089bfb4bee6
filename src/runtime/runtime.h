/* runtime.h - the library's internal OpenCL runtime: the context, error
 * reporting, device tensors, run-time program builds with a disk cache, kernel
 * launches and the CLBlast SGEMM wrapper. Everything above (ops, models, api)
 * reaches OpenCL only through here. */
#ifndef JF_RUNTIME_H
#define JF_RUNTIME_H

#include "jfilter.h"

#include <stdarg.h>

#define JF_ERROR_MAX 16384
#define JF_MAX_PROGRAMS 32
#define JF_MAX_KERNELS 128

typedef struct jf_program_entry {
    char file[64];        /* "conv.cl" */
    cl_program program;
} jf_program_entry;

typedef struct jf_kernel_entry {
    char file[64];
    char name[64];
    cl_kernel kernel;
} jf_kernel_entry;

struct jf_context {
    cl_platform_id platform;
    cl_device_id device;
    cl_context cl;
    cl_command_queue queue;
    jf_device_info info;
    char build_options[1024]; /* -cl-std, device quirk -D options, JF_BUILD_OPTIONS */
    jf_program_entry programs[JF_MAX_PROGRAMS];
    int nprograms;
    jf_kernel_entry kernels[JF_MAX_KERNELS];
    int nkernels;
    double compile_ms;        /* time spent building programs (bench reports it) */
    int profile;              /* JF_PROFILE=1: time every op (serialises the queue) */
    struct { char name[48]; double ms; long calls; } prof[48];
    int nprof;
    int programs_from_cache;  /* how many programs came from the binary cache */
    char error[JF_ERROR_MAX];
};

/* ---- errors ---- */
/* Records a message on ctx (may be NULL: thread-local fallback) and returns status. */
jf_status jf_fail(jf_context *ctx, jf_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Maps an OpenCL error code to a status with a message naming `what`. */
jf_status jf_fail_cl(jf_context *ctx, cl_int err, const char *what);
const char *jf_cl_error_name(cl_int err);
/* The thread-local message used when no context exists yet. */
char *jf_global_error(void);

/* ---- devices (device.c) ---- */
typedef struct jf_device_ref {
    cl_platform_id platform;
    cl_device_id device;
} jf_device_ref;
/* Fills refs (up to max) with every device over all platforms; *count = total. */
jf_status jf_enumerate_devices(jf_device_ref *refs, int max, int *count);
void jf_query_device_info(cl_platform_id p, cl_device_id d, int index, jf_device_info *info);
/* Resolves a device spec (see jf_context_create) to a device; error text in err. */
jf_status jf_choose_device(const char *spec, jf_device_ref *out, int *index, char *err, size_t errlen);
/* Fills ctx->build_options from the device (the one place for vendor quirks). */
void jf_device_build_options(jf_context *ctx);

/* ---- programs and kernels (program.c) ---- */
/* The kernel `name` from cl/<file>, built on first use (binary cache on disk,
 * JF_KERNEL_DIR for sources on disk). Borrowed: owned by the context. */
jf_status jf_kernel(jf_context *ctx, const char *file, const char *name, cl_kernel *out);
/* The program source of cl/<file>: embedded, or from $JF_KERNEL_DIR. Caller frees. */
jf_status jf_program_source(jf_context *ctx, const char *file, char **source, size_t *len);
/* Where program binaries are cached ("" when caching is off: JF_CACHE_DIR=off). */
const char *jf_cache_dir(char *buf, size_t len);

/* ---- tensors (tensor.c) ----
 * A float32 device tensor in planar C x H x W order (row-major planes). */
typedef struct jf_tensor {
    cl_mem buf;
    int c, h, w;
    int owned;        /* 1: released by jf_tensor_free */
} jf_tensor;

static inline size_t jf_tensor_count(const jf_tensor *t) { return (size_t)t->c * t->h * t->w; }
jf_status jf_tensor_alloc(jf_context *ctx, jf_tensor *t, int c, int h, int w);
/* Wraps a caller's buffer (not owned, not released). */
jf_tensor jf_tensor_wrap(cl_mem buf, int c, int h, int w);
void jf_tensor_free(jf_tensor *t);
jf_status jf_tensor_upload(jf_context *ctx, jf_tensor *t, const float *host);
jf_status jf_tensor_download(jf_context *ctx, const jf_tensor *t, float *host);
jf_status jf_buffer_create(jf_context *ctx, size_t bytes, const void *init, cl_mem *out);

/* ---- launches (launch.c) ---- */
/* Sets argument i from a value of the given size; returns JF_OK or an error. */
jf_status jf_arg(jf_context *ctx, cl_kernel k, cl_uint i, size_t size, const void *value);
#define JF_ARG(ctx, k, i, v) jf_arg((ctx), (k), (i), sizeof(v), &(v))
/* Enqueues k over a 1-, 2- or 3-D global range (rounded up to the local size
 * when local is given; kernels check their bounds). */
jf_status jf_launch(jf_context *ctx, cl_kernel k, cl_uint dims, const size_t *global,
                    const size_t *local, const char *what);
jf_status jf_finish(jf_context *ctx);

/* ---- GEMM (blas.c) ----
 * C[m x n] = A[m x k] * B[k x n] (+ beta * C), row-major, on the context's queue. */
jf_status jf_sgemm(jf_context *ctx, size_t m, size_t n, size_t k, cl_mem a, size_t a_off,
                   size_t lda, cl_mem b, size_t b_off, size_t ldb, float beta, cl_mem c,
                   size_t c_off, size_t ldc);

/* ---- profiling (JF_PROFILE=1) ---- */
/* Returns a start mark (after draining the queue) when profiling, else 0. */
double jf_prof_begin(jf_context *ctx);
/* Drains the queue and adds the time since `mark` to the op's total. */
void jf_prof_end(jf_context *ctx, const char *name, double mark);
/* Prints the per-op table to stderr. */
void jf_prof_report(const jf_context *ctx);

/* ---- misc ---- */
double jf_now_ms(void);

#endif
