/* jfilter.h - the one public header of jfilter, learned and classical joint
 * image filters on any OpenCL 1.2 device.
 * Opaque handles with create/destroy pairs, every call returns a jf_status,
 * and each function says who owns what it takes and gives. */
#ifndef JFILTER_H
#define JFILTER_H

#include <stddef.h>
#include <stdint.h>

/* The application's CL_TARGET_OPENCL_VERSION (or the Khronos headers' own
 * default, 3.0) stands: jfilter needs only OpenCL 1.2 types here, and pins
 * CL_TARGET_OPENCL_VERSION=120 in its own build (CMakeLists.txt), never in
 * the code that includes this header. */
#include <CL/cl.h>

#ifdef __cplusplus
extern "C" {
#endif

/* JF_API marks the exported functions. On Windows the library's own build
 * (its CMake target defines JF_BUILDING) exports them and everyone else
 * imports them from the DLL, unless they link a static jfilter (JF_STATIC);
 * elsewhere they are the only symbols the library makes visible (it is built
 * with -fvisibility=hidden). */
#if defined(_WIN32) || defined(__CYGWIN__)
#if defined(JF_BUILDING)
#define JF_API __declspec(dllexport)
#elif defined(JF_STATIC)
#define JF_API
#else
#define JF_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define JF_API __attribute__((visibility("default")))
#else
#define JF_API
#endif

#define JF_VERSION_MAJOR 0
#define JF_VERSION_MINOR 1
#define JF_VERSION_PATCH 0
#define JF_VERSION_NUMBER (JF_VERSION_MAJOR * 10000 + JF_VERSION_MINOR * 100 + JF_VERSION_PATCH)

/* Status codes. 0 is success, errors are negative; values are pinned. */
typedef enum jf_status {
    JF_OK = 0,
    JF_ERR_INVALID_ARGUMENT = -1, /* a NULL handle, a bad size or option */
    JF_ERR_OUT_OF_MEMORY = -2,    /* host allocation failed */
    JF_ERR_IO = -3,               /* a file could not be opened, read or written */
    JF_ERR_BAD_FORMAT = -4,       /* malformed PNG, NPY or model file */
    JF_ERR_UNSUPPORTED = -5,      /* valid but not supported (architecture, pixel format) */
    JF_ERR_NO_DEVICE = -6,        /* no OpenCL platform/device, or none matches the request */
    JF_ERR_OPENCL = -7,           /* an OpenCL call failed */
    JF_ERR_BUILD = -8,            /* an OpenCL program failed to build (log in jf_last_error) */
    JF_ERR_SIZE_MISMATCH = -9,    /* guide, target and output sizes do not fit together */
    JF_ERR_DEVICE_MEMORY = -10,   /* the device ran out of memory */
    JF_ERR_BLAS = -11,            /* CLBlast reported an error */
    JF_ERR_CANCELLED = -12        /* the progress callback asked to stop */
} jf_status;

/* A static, never-NULL name for a status code. */
JF_API const char *jf_status_string(jf_status status);

/* The library's version as "MAJOR.MINOR.PATCH" (static string). */
JF_API const char *jf_version(void);

/* The version of the library actually loaded, as JF_VERSION_NUMBER computes it
 * (MAJOR * 10000 + MINOR * 100 + PATCH): compare with the JF_VERSION_NUMBER an
 * application was compiled against (a different MAJOR is an incompatible ABI). */
JF_API int jf_version_number(void);

/* The folder an installed jfilter keeps its model files in, and the file name
 * of the default model there (a depth upsampler: FDKN, 8x):
 *     snprintf(path, n, "%s/%s", jf_default_weights_dir(), JF_DEFAULT_MODEL);
 * The folder is <datadir>/jfilter/weights of the installation the loaded
 * library belongs to, found beside the library (so a moved prefix works),
 * else the one the build was configured for; it may not exist (a library run
 * from its build tree). Static string, never NULL. Applications that honour
 * $JF_WEIGHTS_DIR, as the jfilter program does, look there first. */
JF_API const char *jf_default_weights_dir(void);
#define JF_DEFAULT_MODEL "fdkn_x8.safetensors"

/* ---- Devices ---------------------------------------------------------- */

typedef struct jf_device_info {
    int index;             /* global index over all platforms, as `jfilter devices` prints */
    int is_gpu;            /* 1 for CL_DEVICE_TYPE_GPU */
    int is_cpu;            /* 1 for CL_DEVICE_TYPE_CPU */
    unsigned compute_units;
    unsigned clock_mhz;
    uint64_t global_mem_bytes;
    uint64_t max_alloc_bytes;
    char name[256];
    char vendor[256];
    char platform[256];
    char version[256];      /* CL_DEVICE_VERSION */
    char driver_version[128];
} jf_device_info;

/* Number of OpenCL devices over all platforms (0 when there is none). */
JF_API jf_status jf_device_count(int *count);

/* Fills *info for the device with that global index. */
JF_API jf_status jf_device_get_info(int index, jf_device_info *info);

/* ---- Contexts ---------------------------------------------------------- */

/* A context owns (or borrows) one device queue, the compiled kernels and a
 * last-error message. Threads: a context and the models made on it are used
 * by one thread at a time; use one context per thread for parallel work.
 * Different contexts are independent (tests/test_threads.c: four threads with
 * a context each give results bit-identical to serial runs).
 * Why a context is not shared: its kernel objects keep their arguments
 * between clSetKernelArg and the enqueue, its last-error message answers the
 * call just made, and its one in-order queue serialises the device work
 * anyway, so a lock inside every call would buy no speed, only a message that
 * another thread may have overwritten. A caller who shares one context (and
 * its models) between threads holds its own lock around each call, as the
 * Python package's Context does; a model is cheap to load again per context. */
typedef struct jf_context jf_context;

/* Creates a context on the device chosen by `device_spec`:
 *   NULL or ""       -> the JF_DEVICE environment variable, else the best device
 *                       (a GPU before anything else, then the most compute units);
 *   "0", "1", ...    -> a global device index;
 *   "gpu" / "cpu"    -> the first device of that type;
 *   any other text   -> the first device whose name, vendor or platform contains
 *                       it (case-insensitive).
 * On success the caller owns *ctx and releases it with jf_context_destroy().
 * On failure *ctx is NULL; details go to jf_last_error(NULL). */
JF_API jf_status jf_context_create(jf_context **ctx, const char *device_spec);

/* Wraps an application's own queue. The context retains the queue (and its
 * context and device) and releases them on destroy; the caller keeps its own
 * reference. All work is enqueued on that queue, in order. */
JF_API jf_status jf_context_create_from_queue(jf_context **ctx, cl_command_queue queue);

/* Releases everything the context owns. Accepts NULL. Models created on this
 * context must be destroyed first. */
JF_API void jf_context_destroy(jf_context *ctx);

/* The last error message of this context (or, for ctx == NULL, of the last
 * failed context creation in this thread). Borrowed; valid until the next call
 * on the same context. Never NULL ("" when there was no error). It holds the
 * details: the OpenCL build log, the file and field of a bad model file. */
JF_API const char *jf_last_error(const jf_context *ctx);

/* The context's device description (borrowed, valid for the context's life). */
JF_API const jf_device_info *jf_context_device(const jf_context *ctx);

/* Device memory the context's runs may use for their intermediate maps, in
 * bytes (at least 16 MiB; 0: the default, 1536 MiB, which fits a 2 GiB
 * device; never more than three quarters of the device's memory). Larger
 * images run in overlapping tiles with the same results: the models (whose
 * jf_run_options.memory_budget, when set, wins for that run) and the guided
 * filter on host images. The guided filter keeps its statistics buffers in
 * the context for the next call (within this budget); setting a budget, or
 * destroying the context, frees them. */
JF_API jf_status jf_context_set_memory_budget(jf_context *ctx, size_t bytes);

/* The queue the context enqueues on (borrowed; do not release it). */
JF_API cl_command_queue jf_context_queue(const jf_context *ctx);

/* Run-time program build statistics, for benchmarks. */
typedef struct jf_context_stats {
    double compile_ms;        /* wall time spent building (or loading cached) programs */
    int programs_built;       /* programs compiled from source */
    int programs_from_cache;  /* programs loaded from the on-disk binary cache */
} jf_context_stats;
JF_API jf_status jf_context_get_stats(const jf_context *ctx, jf_context_stats *stats);
/* Where this device's measured convolution paths are kept (written by
 * `jfilter tune` or JF_CONV=auto, read by every later context on the device
 * and driver): a path of at most len - 1 bytes, "" when the cache is off
 * (JF_CACHE_DIR=off). The file may not exist yet. */
JF_API jf_status jf_context_tuning_file(const jf_context *ctx, char *path, size_t len);
/* Device memory this process holds in jfilter's buffers (every context: weights, tensors,
 * workspaces, scratch; not images wrapped in place on CPU devices), now and at most since
 * the last reset; reset_peak != 0 then sets the peak to what is held now. Either pointer
 * may be NULL. */
JF_API jf_status jf_device_memory_stats(size_t *in_use, size_t *peak, int reset_peak);

/* ---- Images ------------------------------------------------------------ */

typedef enum jf_pixel_type {
    JF_PIXEL_U8 = 0,  /* 0..255 maps to 0..1 */
    JF_PIXEL_U16 = 1, /* 0..65535 maps to 0..1 */
    JF_PIXEL_F32 = 2  /* taken as is (normalized units) */
} jf_pixel_type;

/* Channel order of an interleaved colour image. */
typedef enum jf_channel_order { JF_ORDER_RGB = 0, JF_ORDER_BGR = 1 } jf_channel_order;

/* Growing structs. jf_image, jf_run_options and jf_model_info begin with
 * `size`, which the caller sets to sizeof the struct as its header declares
 * it: a later jfilter may add members at the end and still read a struct
 * from a program built against this header (members past `size` take their
 * defaults), and a size it does not know (0: not set) is
 * JF_ERR_INVALID_ARGUMENT. Initialise them so:
 *   jf_image img = {sizeof img, width, height, 3, JF_PIXEL_U8, JF_ORDER_RGB, 0, pixels};
 *   jf_run_options opt = {.size = sizeof opt, .scale = 8};
 *   jf_model_info info = {.size = sizeof info};  jf_model_get_info(model, &info); */

/* A host image, interleaved, rows `stride` bytes apart (0 = tightly packed).
 * jf_image never owns `data`: whoever fills it in keeps ownership. */
typedef struct jf_image {
    size_t size;             /* sizeof(jf_image), set by the caller */
    int width, height;
    int channels;            /* 1 (gray), 3 (colour) or 4 (colour + alpha, alpha ignored) */
    jf_pixel_type type;
    jf_channel_order order;  /* for 3/4 channels */
    size_t stride;
    void *data;
} jf_image;

/* ---- Models ------------------------------------------------------------ */

typedef struct jf_model jf_model;

typedef struct jf_model_info {
    size_t size;           /* sizeof(jf_model_info), set by the caller of jf_model_get_info */
    char architecture[32]; /* "fdkn", "dkn", "svlrm", "dagf" */
    int scale;             /* the upsampling factor it was trained for */
    int kernel_size;       /* k of the k*k kernel (DKN/FDKN) */
    int window_size;       /* the deformable window (DKN/FDKN) */
    int residual;          /* 1 when the model adds its input */
    char guide_order[8];   /* "bgr" or "rgb": plane order the network expects */
    char upsample[16];     /* "pil" (Keys a=-0.5) or "opencv" (a=-0.75) */
    int coefficients;      /* 1 when the model can return per-pixel coefficient maps
                            * (jf_run_options.alpha/beta: output = alpha * guide + beta);
                            * 0 when it has none to give (those options are then ignored) */
    char degradation[16];  /* how the low-resolution inputs it was trained on were made
                            * (metadata 'degradation', default per architecture):
                            * "bicubic": PIL bicubic downsampling, antialiased (FDKN, DKN);
                            * "area": box averaging; both keep pixel centres aligned, as
                            * resizing and depth sensors do;
                            * "subsample": every scale-th pixel from scale - 1,
                            * gt[s-1::s, s-1::s] (SVLRM); "" when not known */
    int gray_target;       /* 1 when it filters one-channel targets (depth, a gray image) */
    int colour_target;     /* 1 when it filters colour targets (3 or 4 channels): the output
                            * then has the target's colour channels (smoothing models) */
    int whole_image;       /* 1 when it normalises over the whole image (instance
                            * normalisation): such a model never runs in tiles, and an image
                            * larger than the memory budget holds is an error */
    int has_lambda;        /* 1 when it takes a smoothing strength (jf_run_options.lambda) */
    float lambda_default;  /* ... used when the run asks for none (lambda = 0) */
    float lambda_min, lambda_max; /* ... the range it was trained on; outside is an error */
} jf_model_info;

/* Loads a safetensors model file. Every offset, size, dtype and shape is
 * checked against the file and the architecture before anything reaches the
 * device; a bad file gives JF_ERR_BAD_FORMAT and names the field. The model
 * borrows ctx (which must outlive it); the caller owns *model. */
JF_API jf_status jf_model_load(jf_context *ctx, const char *path, jf_model **model);

/* As jf_model_load, from memory (borrowed for the call only). */
JF_API jf_status jf_model_load_memory(jf_context *ctx, const void *data, size_t size,
                                      jf_model **model);

/* Releases the model's device buffers. Accepts NULL. */
JF_API void jf_model_destroy(jf_model *model);

/* Copies the model's description into *info. */
JF_API jf_status jf_model_get_info(const jf_model *model, jf_model_info *info);

/* Floating-point operations of one run at width x height (multiply-adds count 2). */
JF_API jf_status jf_model_flops(const jf_model *model, int width, int height, double *flops);
/* The same for the published model's own schedule (DKN: 16 shift-and-stitch
 * passes); equal to jf_model_flops where jfilter computes it the same way. */
JF_API jf_status jf_model_flops_reference(const jf_model *model, int width, int height, double *flops);

/* Progress: called with done/total work units; return non-zero to cancel. */
typedef int (*jf_progress_fn)(void *user, int done, int total);

/* Depth in sensor units (jf_run_options.normalize, .invalid). The models were
 * trained on depth min-max normalised per image to 0..1; a depth camera gives
 * millimetres over a part of the 16-bit range (1534..7754 mm, say) with
 * holes (0) where it measured nothing. */
typedef enum jf_normalize_mode {
    JF_NORMALIZE_NONE = 0,  /* the target enters the network as its pixel type maps it
                             * (8-bit / 255, 16-bit / 65535, float as is) */
    JF_NORMALIZE_VALID = 1  /* min-max normalised over its valid pixels to 0..1 as in
                             * training; the output is mapped back to the target's units */
} jf_normalize_mode;

typedef enum jf_invalid_mode {
    JF_INVALID_NONE = 0,   /* no holes (with JF_NORMALIZE_VALID, NaN and inf still are) */
    JF_INVALID_ZERO = 1,   /* 0 marks a hole (what depth sensors write), and NaN/inf */
    JF_INVALID_NAN = 2,    /* NaN and inf mark holes */
    JF_INVALID_VALUE = 3   /* invalid_value marks a hole, and NaN/inf */
} jf_invalid_mode;

typedef struct jf_run_options {
    size_t size;               /* sizeof(jf_run_options), set by the caller */
    int scale;                 /* 0: taken from the sizes; else guide = target * scale checked */
    jf_progress_fn progress;   /* optional; called after each tile and stage */
    void *progress_user;
    /* Device memory the run may use for its intermediate maps, in bytes. Larger
     * images are processed in overlapping tiles whose results are identical to
     * an untiled run. 0 = the default, which fits a 2 GiB device. */
    size_t memory_budget;
    /* Optional, for models with jf_model_info.coefficients = 1 (SVLRM):
     * receive the per-pixel coefficients of output = alpha * guide + beta,
     * width*height floats each (caller-allocated, borrowed for the call). */
    float *alpha;
    float *beta;
    /* Depth handling (all zero: the target is used as given, as before).
     * With normalize or invalid set, the run works in three steps:
     *  1. holes: target pixels that are NaN/inf, or 0 (JF_INVALID_ZERO), or
     *     equal to invalid_value (JF_INVALID_VALUE) are invalid. They take no
     *     part in the normalisation and are filled before the network (and the
     *     bicubic upsampling of a low-resolution target) see them, so no hole
     *     pulls its neighbours towards 0: a guided onion-peel fill at the
     *     target's resolution, layer by layer from each hole's rim inwards,
     *     every hole pixel the average of its already known 8 neighbours
     *     weighted by exp(-(dY)^2 / (2 * 0.1^2)), dY the difference of the
     *     guide's luma (0..1, the guide downsampled to the target's size).
     *  2. normalize = JF_NORMALIZE_VALID: the valid pixels' range [lo, hi]
     *     becomes 0..1 for the network (a constant target stays constant).
     *  3. the output comes back as lo + (hi - lo) * y, in the target's units
     *     (an 8/16-bit output holds the same counts as the target; a float
     *     output is in normalized units, 16-bit / 65535, as everywhere), and
     *     SVLRM's alpha/beta are mapped likewise. With keep_holes = 1 every
     *     output pixel whose target pixel (for a low-resolution target: the
     *     one whose footprint covers it) was a hole holds that pixel's value
     *     again: 0, invalid_value, NaN or inf (NaN is 0 in an 8/16-bit output).
     * A target without any valid pixel gives an output of holes (as with
     * keep_holes, whatever keep_holes says). */
    int normalize;             /* jf_normalize_mode */
    int invalid;               /* jf_invalid_mode */
    float invalid_value;       /* JF_INVALID_VALUE: in the target's own units (the raw
                                * 8/16-bit count, or the float value) */
    int keep_holes;            /* 1: holes stay holes in the output */
    /* For models with jf_model_info.has_lambda (smoothing models): the smoothing
     * strength, in the units of the smoother the model imitates; 0 = the model's
     * lambda_default; outside [lambda_min, lambda_max] is JF_ERR_INVALID_ARGUMENT. */
    float lambda;
} jf_run_options;

/* Runs a model on host images.
 *   guide:  the full-resolution guidance (gray, RGB or RGBA; 8/16-bit or float).
 *   target: the full-resolution target (same size as guide), or a low-resolution
 *           one that is upsampled to the guide's size by the model's convention.
 *           Gray for models with gray_target; colour (RGB, BGR or with alpha) for
 *           models with colour_target (jf_model_info).
 *   output: caller-allocated, guide's width/height, any pixel type; 1 channel for
 *           a gray target, 3 or 4 (alpha written as opaque) for a colour one;
 *           values are clamped and rounded for 8/16-bit.
 * All three are borrowed for the call; options may be NULL. Blocks until done. */
JF_API jf_status jf_model_run(jf_model *model, const jf_image *guide, const jf_image *target,
                              jf_image *output, const jf_run_options *options);

/* Smooths one image with a smoothing model (colour_target or gray_target):
 * jf_model_run with the input as both guide and target. output: the input's
 * size, with its channel count (1, 3 or 4). */
JF_API jf_status jf_model_smooth(jf_model *model, const jf_image *input, jf_image *output,
                                 const jf_run_options *options);

/* Runs a model on buffers already on the device, float32 planar (C,H,W):
 *   guide:  guide_channels planes of width x height, in the model's guide order
 *           for 3 channels (jf_model_info.guide_order), or 1 gray plane;
 *   target: target_channels planes (1, or 3 in B, G, R order for colour_target
 *           models) of target_width x target_height (low or full resolution);
 *   output: target_channels planes of width x height.
 * The buffers are borrowed; work is enqueued on the context's queue and this
 * call returns once it is finished. */
JF_API jf_status jf_model_run_buffers(jf_model *model, cl_mem guide, int guide_channels,
                                      int width, int height, cl_mem target, int target_channels,
                                      int target_width, int target_height, cl_mem output,
                                      const jf_run_options *options);

/* ---- Non-blocking calls on the caller's buffers and events ----
 * For applications that keep their images on the device and their own work
 * on the same queue (jf_context_create_from_queue; the queue must be in
 * order): the call checks its arguments, enqueues its work behind the
 * caller's wait list and returns without waiting for the device; *done (when
 * not NULL) is an event that completes with the work (the caller releases it).
 * Buffers are float32 planar (C,H,W) from a byte offset (a multiple of the
 * device's CL_DEVICE_MEM_BASE_ADDR_ALIGN); they must stay alive, and the
 * output untouched, until *done completes. jfilter's own temporary buffers are
 * released at once: OpenCL frees them after the work that uses them.
 * Where the host must see data mid-run the call does wait: depth handling
 * (normalize, invalid, keep_holes) reads the target's range, and a run larger
 * than the memory budget waits after each tile; coefficient maps (alpha/beta)
 * go to host memory, so they are refused here (use jf_model_run_buffers). */
typedef struct jf_buffer {
    cl_mem mem;
    size_t offset; /* in bytes */
} jf_buffer;

/* jf_model_run_buffers, non-blocking, with offsets and events. */
JF_API jf_status jf_model_enqueue(jf_model *model, jf_buffer guide, int guide_channels, int width, int height,
                                  jf_buffer target, int target_channels, int target_width, int target_height,
                                  jf_buffer output, const jf_run_options *options, cl_uint num_wait,
                                  const cl_event *wait_list, cl_event *done);

/* jf_guided_filter on device buffers, non-blocking (the other classical
 * filters' forms follow them below): guide guide_channels (1,
 * or 3 as B, G, R) planes, target and output target_channels planes, all
 * width x height. */
JF_API jf_status jf_guided_filter_enqueue(jf_context *ctx, jf_buffer guide, int guide_channels, jf_buffer target,
                                          int target_channels, int width, int height, jf_buffer output,
                                          int radius, float eps, int subsample, cl_uint num_wait,
                                          const cl_event *wait_list, cl_event *done);

/* ---- Classical joint filters ---- */
/* The baselines of the joint-filtering literature on the context's device.
 * Shared rules:
 *   - guide, target and output are borrowed host images for the call; every
 *     pixel type maps to normalized units (8-bit / 255, 16-bit / 65535, float
 *     as is), and so do eps and sigma_color below: an OpenCV sigmaColor of 25
 *     on 8-bit images is sigma_color = 25/255, an OpenCV eps of 100 on 8-bit
 *     guides is eps = 100/255^2.
 *   - guide: gray, or colour (3 or 4 channels, alpha ignored).
 *   - target: gray or colour (RGB no-flash under a flash guide, ...); each
 *     colour channel is filtered on its own under the same guide.
 *   - output: caller-allocated, the guide's width/height (for jf_bicubic: any
 *     size), 1 channel for a gray target, 3 or 4 for a colour one (a 4th
 *     channel is set opaque), any pixel type (8/16-bit clamped and rounded).
 * Each call blocks until done; errors (NULL, sizes, channel counts, ranges)
 * return a status with the details in jf_last_error(ctx). */

/* Guided filter (He, Sun, Tang 2010). radius: the window is (2 radius + 1)^2
 * pixels; eps: the regularization, in normalized intensity units squared
 * (0.01 = 0.1^2 keeps edges of contrast well above 0.1). A colour guide
 * solves a 3x3 covariance per pixel. Window means are taken with the image
 * mirrored at its edges (OpenCV's BORDER_REFLECT), as cv::ximgproc::guidedFilter
 * does. subsample: 1 for the exact filter; s > 1 is the fast guided filter
 * (He, Sun 2015): coefficients computed at 1/s resolution with radius
 * round(radius / s) and upsampled bilinearly. */
JF_API jf_status jf_guided_filter(jf_context *ctx, const jf_image *guide, const jf_image *target,
                                  jf_image *output, int radius, float eps, int subsample);

/* Joint bilateral filter with cv::ximgproc::jointBilateralFilter's semantics:
 * the window is a disk of radius diameter/2 (diameter <= 0: radius
 * round(1.5 sigma_space)), spatial weight exp(-d^2 / (2 sigma_space^2)) with
 * d in pixels, colour weight exp(-D^2 / (2 sigma_color^2)) with D the sum over
 * the guide's channels of |difference| (normalized units), image edges
 * mirrored without repeating the edge pixel (BORDER_REFLECT_101). */
JF_API jf_status jf_joint_bilateral(jf_context *ctx, const jf_image *guide, const jf_image *target,
                                    jf_image *output, int diameter, float sigma_color,
                                    float sigma_space);

/* Joint bilateral upsampling (Kopf et al. 2007): low_target is a
 * low-resolution image (any size up to the guide's; pixel centres aligned);
 * each output pixel averages the (2 radius + 1)^2 low-resolution pixels
 * around its position, clipped to the image (radius and sigma_space in
 * low-resolution pixels), with weight
 * exp(-d^2 / (2 sigma_space^2)) * exp(-|dI|^2 / (2 sigma_color^2)), dI the
 * guide difference (Euclidean over channels, normalized units) between the
 * output pixel and the low-resolution pixel's centre. */
JF_API jf_status jf_jbu(jf_context *ctx, const jf_image *guide, const jf_image *low_target,
                        jf_image *output, int radius, float sigma_color, float sigma_space);

/* Bicubic resizing of target to output's size. */
typedef enum jf_bicubic_mode {
    JF_BICUBIC_PIL = 0,   /* PIL: Keys a = -0.5, antialiased when shrinking */
    JF_BICUBIC_OPENCV = 1 /* cv::resize INTER_CUBIC: a = -0.75, replicated border */
} jf_bicubic_mode;
JF_API jf_status jf_bicubic(jf_context *ctx, const jf_image *target, jf_image *output,
                           jf_bicubic_mode mode);

/* The classical filters on device buffers, non-blocking (as jf_model_enqueue:
 * float32 planar regions, 1 or 3 planes, a wait list, a done event). */
JF_API jf_status jf_joint_bilateral_enqueue(jf_context *ctx, jf_buffer guide, int guide_channels, jf_buffer target,
                                            int target_channels, int width, int height, jf_buffer output,
                                            int diameter, float sigma_color, float sigma_space, cl_uint num_wait,
                                            const cl_event *wait_list, cl_event *done);
JF_API jf_status jf_jbu_enqueue(jf_context *ctx, jf_buffer guide, int guide_channels, int width, int height,
                                jf_buffer low_target, int target_channels, int low_width, int low_height,
                                jf_buffer output, int radius, float sigma_color, float sigma_space,
                                cl_uint num_wait, const cl_event *wait_list, cl_event *done);
JF_API jf_status jf_bicubic_enqueue(jf_context *ctx, jf_buffer target, int channels, int width, int height,
                                    jf_buffer output, int out_width, int out_height, jf_bicubic_mode mode,
                                    cl_uint num_wait, const cl_event *wait_list, cl_event *done);

#ifdef __cplusplus
}
#endif
#endif /* JFILTER_H */
