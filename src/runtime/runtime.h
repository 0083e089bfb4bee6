/* runtime.h - the library's internal OpenCL runtime: the context, error
 * reporting, the per-device table of tuned parameters, device tensors and
 * their copies, run-time program builds with a disk cache, the one checked
 * kernel launch and the CLBlast SGEMM wrapper. Everything above (ops, models,
 * api) reaches OpenCL only through here. */
#ifndef JF_RUNTIME_H
#define JF_RUNTIME_H

#include "jfilter.h"
#include "runtime/faults.h"

#include <stdarg.h>

#define JF_ERROR_MAX 16384
#define JF_MAX_PROGRAMS 32
#define JF_MAX_KERNELS 128
#define JF_MAX_PROGRAM_OPTIONS 256
#define JF_MAX_CONV_CHOICES 128

/* ---- tuned parameters (device.c) ----
 * One row per device family in device.c's table, chosen when the context is
 * made. The values a kernel reads become -D options of every program (the
 * kernels keep #ifndef defaults) and the host computes its ranges from the
 * same struct, so the two cannot disagree. */
typedef struct jf_wg {
    size_t x, y;            /* a work-group's extent (z is 1); {0, 0}: the driver chooses */
} jf_wg;

typedef struct jf_tune {
    const char *family;     /* the row: "cpu", "nvidia", "amd", "intel", "default" */
    int conv_direct;        /* default convolution path: 1 cl/conv_direct.cl, 0 im2col + SGEMM */
    int conv_channels;      /* -DJF_CONV_CHANNELS: output channels per work-item of conv_direct */
    int conv_pixels;        /* -DJF_CONV_PIXELS: output pixels per work-item of conv_direct */
    int box_vec;            /* -DJF_BOX_VEC: columns per work-item of box_cols (2, 4, 8, 16) */
    int bilateral_vec;      /* -DJF_BILATERAL_VEC: pixels per work-item of bilateral.cl (2, 4, 8, 16) */
    int box_segment;        /* shortest running-sum segment of box.cl (host only) */
    int wino_chunk_kib;     /* Winograd: transformed-input chunk at most this (KiB; 0: no limit
                             * but the memory share), so it is still in cache when multiplied */
    jf_wg wg_pointwise;     /* 1-D kernels, and im2col / bias_act (pixels x rows) */
    jf_wg wg_pixels;        /* one work-item per pixel: pad, deform, guided filter */
    jf_wg wg_resample;      /* resample.cl: space-to-depth, pixel shuffle, resize */
    jf_wg wg_box_rows;      /* box_rows, box_rows_products (segments x rows) */
    jf_wg wg_box_cols;      /* box_cols (column groups x segments) */
    jf_wg wg_bilateral;     /* bilateral.cl (pixel groups x rows) */
    jf_wg wg_conv_direct;   /* conv_direct (channel blocks x pixel groups) */
    jf_wg wg_wino_input;    /* winograd.cl wino_input (8-tile groups x input channels) */
    jf_wg wg_wino_gemm;     /* winograd.cl wino_gemm_out (channel blocks x 8-tile groups); its
                             * work-items hold (m+2)^2 x 128 floats in private memory: on PoCL
                             * a work-group of many overflowed the stack, so 1 x 1 there */
    jf_wg wg_conv_pointwise; /* conv_pointwise.cl (channel blocks x 16-pixel groups); PoCL: 1 x 1
                              * measured 10-20 % faster than the driver's choice */
    int conv_winograd;       /* 1: stride-1 square layers (2x2-9x9) default to Winograd F(4x4) (src/ops/conv.c);
                              * results then move with where a tile starts, by float rounding */
} jf_tune;

typedef struct jf_program_entry {
    char file[64];        /* "conv.cl" */
    char options[JF_MAX_PROGRAM_OPTIONS]; /* the program's own options ("" for none) */
    cl_program program;
} jf_program_entry;

typedef struct jf_kernel_entry {
    char file[64];
    char options[JF_MAX_PROGRAM_OPTIONS];
    char name[64];
    cl_kernel kernel;
    cl_uint nargs;        /* CL_KERNEL_NUM_ARGS: jf_run checks every launch gives them all */
} jf_kernel_entry;

/* Scratch buffers a context keeps between calls (jf_scratch_tensor). */
#define JF_SCRATCH_SLOTS 4

struct jf_context {
    cl_platform_id platform;
    cl_device_id device;
    cl_context cl;
    cl_command_queue queue;
    jf_device_info info;
    int wino_gemm_tiles;    /* -DJF_WTB: tiles per work-item of wino_gemm_out, 8 where the native
                             * float vector is 16 wide (AVX-512), else 6 (jf_tune_apply) */
    jf_tune tune;             /* the device family's row (device.c) */
    char build_options[1024]; /* -cl-std, the tuning -D values, JF_BUILD_OPTIONS */
    jf_program_entry programs[JF_MAX_PROGRAMS];
    int nprograms;
    jf_kernel_entry kernels[JF_MAX_KERNELS];
    int nkernels;
    double compile_ms;        /* time spent building programs (bench reports it) */
    int profile;              /* JF_PROFILE=1: time every op (serialises the queue) */
    struct { char name[48]; double ms; long calls; } prof[48];
    int nprof;
    int programs_from_cache;  /* how many programs came from the binary cache */
    size_t memory_budget;     /* jf_context_set_memory_budget; 0: JF_DEFAULT_BUDGET */
    struct { cl_mem mem; size_t bytes; } scratch[JF_SCRATCH_SLOTS]; /* jf_scratch_tensor */
    /* JF_CONV=auto (src/ops/conv_choose.c): the measured path of each layer shape
     * (cin, cout, kh, kw, stride, pad, dil), a jf_conv_path value */
    struct { int key[7]; int path; } conv_choices[JF_MAX_CONV_CHOICES];
    int nconv_choices;
    int conv_choices_loaded;  /* the cache file was read */
    char error[JF_ERROR_MAX];
};

/* Device memory for intermediate maps when nobody set one: leaves room on a 2 GiB device. */
#define JF_DEFAULT_BUDGET ((size_t)1536 << 20)
/* The budget in effect: `asked` when set, else the context's, else the default,
 * never more than three quarters of the device's memory. */
size_t jf_memory_budget(const jf_context *ctx, size_t asked);

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
/* Chooses the device's row of the tuning table (JF_TUNE=<family> forces one)
 * and applies it: the one place where device differences become parameters. */
jf_status jf_device_tune(jf_context *ctx);
/* Makes *tune the context's parameters and rebuilds ctx->build_options from
 * it (-cl-std=CL1.2, the -D values, then $JF_BUILD_OPTIONS). Only before the
 * first program is built: programs already built would keep the old values. */
jf_status jf_tune_apply(jf_context *ctx, const jf_tune *tune);
/* The table's row named `family`, or NULL. */
const jf_tune *jf_tune_find(const char *family);

/* ---- programs and kernels (program.c) ----
 * A program is cl/common.cl followed by cl/<file>, built with the context's
 * options plus its own `options` (NULL or "": none); programs are keyed by
 * file and options, so one file can be built with different -D values. */
/* The program, built on first use (binary cache on disk, JF_KERNEL_DIR for
 * sources on disk). Borrowed: owned by the context. */
jf_status jf_program(jf_context *ctx, const char *file, const char *options, cl_program *out);
/* The kernel `name` of that program. Borrowed: owned by the context. */
jf_status jf_kernel_get(jf_context *ctx, const char *file, const char *options, const char *name,
                        const jf_kernel_entry **out);
/* The text of cl/<file> alone: embedded, or from $JF_KERNEL_DIR (common.cl is
 * taken from there when present, else the embedded one). Caller frees. */
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
/* Blocking transfers of the whole tensor. */
jf_status jf_tensor_upload(jf_context *ctx, jf_tensor *t, const float *host);
jf_status jf_tensor_download(jf_context *ctx, const jf_tensor *t, float *host);
/* Blocking read of planes [first_plane, first_plane + nplanes) into host
 * (nplanes * h * w floats). */
jf_status jf_tensor_download_planes(jf_context *ctx, const jf_tensor *t, int first_plane, int nplanes,
                                    float *host);
/* Copies whole planes src[src_plane ..] to dst[dst_plane ..] (same h and w);
 * enqueued, in queue order with the kernels. */
jf_status jf_tensor_copy_planes(jf_context *ctx, const jf_tensor *src, int src_plane, jf_tensor *dst,
                                int dst_plane, int nplanes);
/* Copies the w x h window at (sx, sy) of every plane of src to (dx, dy) of
 * dst (same plane count, sizes may differ); enqueued. */
jf_status jf_tensor_copy_rect(jf_context *ctx, const jf_tensor *src, int sx, int sy, jf_tensor *dst, int dx,
                              int dy, int w, int h);
/* A sub-buffer of parent's bytes [origin, origin + size), counted as a live
 * buffer (faults.h); an origin off the device's CL_DEVICE_MEM_BASE_ADDR_ALIGN
 * fails with `misaligned`, the message naming `what`. */
jf_status jf_sub_buffer(jf_context *ctx, cl_mem parent, size_t origin, size_t size, jf_status misaligned,
                        const char *what, cl_mem *out);
/* *view = planes [first_plane, first_plane + nplanes) of t as a tensor of
 * their own (an OpenCL sub-buffer: the offset must meet the device's base
 * address alignment, else JF_ERR_UNSUPPORTED). The view is owned: free it with
 * jf_tensor_free, before or after t. */
jf_status jf_tensor_view_planes(jf_context *ctx, const jf_tensor *t, int first_plane, int nplanes,
                                jf_tensor *view);
/* A device buffer of `bytes` (initialised from init when not NULL); owned by
 * the caller, released with jf_buffer_release. */
jf_status jf_buffer_create(jf_context *ctx, size_t bytes, const void *init, cl_mem *out);
/* A device buffer backed by the caller's host memory (CL_MEM_USE_HOST_PTR),
 * which must outlive it; released with jf_buffer_release. */
jf_status jf_buffer_wrap_host(jf_context *ctx, size_t bytes, void *host, cl_mem *out);
/* The same over memory the kernels only read (CL_MEM_READ_ONLY). */
jf_status jf_buffer_wrap_host_read(jf_context *ctx, size_t bytes, const void *host, cl_mem *out);
/* Makes the device's writes to a jf_buffer_wrap_host buffer visible in its
 * host memory (a blocking map and unmap: no copy where the runtime uses the
 * memory itself, as CPU runtimes do). */
jf_status jf_buffer_sync_host(jf_context *ctx, cl_mem buf, size_t bytes);
/* A c x h x w view (not owned) of the context's scratch buffer `slot`, grown to
 * fit and kept until the context goes (or the memory budget changes). For a
 * filter's intermediate maps that every call of the same size needs again:
 * fresh device memory is fresh pages on a CPU device, and at 4K a guided
 * filter call faulted in 190 MB of them. The queue is in order, so a later
 * call's kernels only touch it after the earlier call's have run. */
jf_status jf_scratch_tensor(jf_context *ctx, int slot, int c, int h, int w, jf_tensor *t);
/* Frees every scratch buffer (context destroy, a new memory budget). */
void jf_scratch_release(jf_context *ctx);
/* Releases a buffer from jf_buffer_create (NULL is ignored). OpenCL keeps it
 * alive until the kernels enqueued with it have run. */
void jf_buffer_release(cl_mem buf);
/* Releases a program / kernel the runtime created (counted for leak checks, faults.h). */
void jf_release_program(cl_program program);
void jf_release_kernel(cl_kernel kernel);

/* ---- launches (launch.c) ----
 * The one launch path: jf_run fetches the kernel, checks that the argument
 * list has as many entries as the kernel takes, sets each one (an error names
 * the kernel and the argument's index), rounds the global range up to the
 * work-group and enqueues it, timed under JF_PROFILE. Kernels check their own
 * bounds. Typical use:
 *   return JF_RUN(ctx, "resample.cl", "pixel_shuffle", jf_grid3(w, h, c, ctx->tune.wg_resample),
 *                 JF_KMEM(in->buf), JF_KMEM(out->buf), JF_KINT(c), JF_KINT(f));  */
typedef enum jf_karg_kind { JF_KARG_MEM, JF_KARG_INT, JF_KARG_FLOAT } jf_karg_kind;
typedef struct jf_karg {
    jf_karg_kind kind;
    union { cl_mem mem; cl_int i; cl_float f; } v;
} jf_karg;
#define JF_KMEM(x) ((jf_karg){.kind = JF_KARG_MEM, .v = {.mem = (x)}})
#define JF_KINT(x) ((jf_karg){.kind = JF_KARG_INT, .v = {.i = (x)}})
#define JF_KFLOAT(x) ((jf_karg){.kind = JF_KARG_FLOAT, .v = {.f = (x)}})
/* An argument list as jf_run's (args, nargs) pair. */
#define JF_KARGS(...) \
    (const jf_karg[]){__VA_ARGS__}, (int)(sizeof((const jf_karg[]){__VA_ARGS__}) / sizeof(jf_karg))

/* A 1-, 2- or 3-D range and its work-group (z extent 1; 1-D uses local.x). */
typedef struct jf_grid {
    cl_uint dims;
    size_t global[3];
    jf_wg local;
} jf_grid;
static inline jf_grid jf_grid1(size_t x, jf_wg local) { return (jf_grid){1, {x, 1, 1}, local}; }
static inline jf_grid jf_grid2(size_t x, size_t y, jf_wg local) { return (jf_grid){2, {x, y, 1}, local}; }
static inline jf_grid jf_grid3(size_t x, size_t y, size_t z, jf_wg local)
{
    return (jf_grid){3, {x, y, z}, local};
}

/* Runs `kernel` of the program (file, options) over grid with args[0..nargs). */
jf_status jf_run(jf_context *ctx, const char *file, const char *options, const char *kernel,
                 jf_grid grid, const jf_karg *args, int nargs);
/* jf_run without program options, the arguments listed inline. */
#define JF_RUN(ctx, file, kernel, grid, ...) \
    jf_run((ctx), (file), NULL, (kernel), (grid), JF_KARGS(__VA_ARGS__))
jf_status jf_finish(jf_context *ctx);

/* interop.c: the non-blocking calls' plumbing. A caller's buffer region as a
 * tensor of c x h x w floats (checked against the buffer's size; an offset
 * gives an owned sub-buffer, which must meet the device's alignment). */
jf_status jf_region_tensor(jf_context *ctx, jf_buffer region, int c, int h, int w, const char *role,
                           jf_tensor *out);
/* Everything enqueued next waits for the n events (n = 0: nothing to wait for). */
jf_status jf_wait_for(jf_context *ctx, cl_uint n, const cl_event *wait);
/* *done (when not NULL) completes once everything enqueued so far has; flushes. */
jf_status jf_mark_done(jf_context *ctx, cl_event *done);
/* A non-blocking call's frame: its n buffer regions as tensors[0..n) (in
 * order), then the caller's wait list; and at the end the done event (when
 * st is JF_OK) and the tensors freed. jf_enqueue_end returns st, or the
 * marker's failure. */
typedef struct jf_region {
    jf_buffer buf;
    int c, h, w;
    const char *role;
} jf_region;
jf_status jf_enqueue_begin(jf_context *ctx, const jf_region *regions, int n, jf_tensor *tensors, cl_uint num_wait,
                           const cl_event *wait, cl_event *done);
jf_status jf_enqueue_end(jf_context *ctx, jf_status st, jf_tensor *tensors, int n, cl_event *done);

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
