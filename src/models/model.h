/* model.h - what every model shares: the jf_model handle, the registry entry
 * a model file's "architecture" selects, the model SPEC (the network as a
 * table of rows from which loading, freeing, multiply-add counts, convolution
 * workspace, buffer sizes and the tiling halo are derived), metadata parsing,
 * and helpers that turn checked safetensors entries into device convolutions. */
#ifndef JF_MODEL_H
#define JF_MODEL_H

#include "io/safetensors.h"
#include "ops/ops.h"

typedef struct jf_model jf_model;

/* How a guide enters a network: float luma, OpenCV 8-bit luma, or B,G,R planes. */
typedef enum jf_guide_mode { JF_GUIDE_GRAY = 0, JF_GUIDE_GRAY_U8 = 1, JF_GUIDE_BGR = 2 } jf_guide_mode;

/* ---- the spec: a network as data ---------------------------------------
 *
 * A model's create fills a table of rows, one per step of the network, in an
 * order where every row comes after the rows it reads (the run function's
 * order). A row says what the step is, which tensors it loads, and how far it
 * reaches; the run functions stay readable C and use the loaded convolutions
 * m->spec.conv[row]. A row need not be a launch of its own: a step fused into
 * a kernel (FDKN's un-shuffle of the heads inside the deformable average) is
 * still a row, so that the derivations see it.
 *
 * Resolution. Every row runs on a grid: `scale` is the resolution of its input
 * (1 = full, 4 = a quarter: one input pixel covers 4 x 4 full-resolution
 * pixels). CONV and FOLD with stride s leave at scale * s, UP and CONV_T with
 * factor s at scale / s, the others at scale. Inputs and the last row (the
 * model's output) are at full resolution; a row's scale must equal the output
 * scale of every row it reads (checked by jf_spec_build).
 *
 * The halo rule (jf_spec_halo). The halo is the most full-resolution pixels
 * between an output pixel and any input pixel it depends on, on one side, over
 * both axes (kernels are square) and both inputs. Each row maps a range of its
 * output pixels [lo, hi] (in its output grid) to the range it reads from EACH
 * of its inputs:
 *
 *   CONV    k, stride s, pad p, dilation d:  [lo*s - p, hi*s - p + (k-1)*d]
 *   HEADS   (1x1):                           [lo, hi]
 *   CONV_T  k, stride s, pad p, dilation d:  [ceil((lo + p - (k-1)*d) / s), floor((hi + p) / s)]
 *   FOLD    factor f (space-to-depth):       [lo*f, hi*f + f - 1]
 *   UP      factor f, reach r:               [floor(lo/f) - r, floor(hi/f) + r]
 *   PAD     pad p before:                    [lo - p, hi - p]
 *   LOCAL   reach r:                         [lo - r, hi + r]
 *
 * so a row of reach r at 1/s resolution reaches r*s full-resolution pixels. Walking back from one output pixel through the table, ranges ADD
 * ALONG A PATH (each row grows the range its consumer needs) and take the
 * HULL OVER PARALLEL PATHS (a row read by several rows, or an input read along
 * several branches, needs the union: the maximum reach). Scale changes are
 * exact: a range at a coarse grid covers whole coarse pixels, so an output
 * pixel's phase on the grid matters; the halo is the maximum over the phases
 * 0 .. align-1, where align (jf_spec_align) is the least common multiple of
 * every scale in the table: tiles start on that grid so strided and folded
 * rows see the same phases in a tile as in the whole image. The halo is exact
 * for the worst phase, so it is never looser than the alignment grid needs;
 * tests/test_halo.c probes it on every model.
 *
 * A new model: write its table (JF_CONV_ROW for the convolutions, designated
 * initialisers for the other rows; values that depend on metadata are set in
 * create before jf_spec_build), point .halo at jf_model_halo, and run the
 * loaded m->spec.conv[] in the order the table gives.
 *
 * Everything else is derived the same way: rows with weights are loaded and
 * freed by jf_spec_build / jf_spec_free, output sizes propagate through the
 * table for multiply-adds (jf_spec_macs), and per-pixel workspace and planes
 * follow from each row's output scale. */

typedef enum jf_step {
    JF_STEP_CONV = 0, /* convolution: "<name>.weight" (cout x cin x k x k), "<name>.bias",
                       * BatchNorm "<bn>.*" folded in when bn is set */
    JF_STEP_HEADS,    /* DKN/FDKN's stacked 1x1 heads: "<name>.conv_weight" (cout/3 outputs,
                       * sigmoid) and "<name>.conv_offset" (2*cout/3 outputs, linear) */
    JF_STEP_CONV_T,   /* transposed convolution ("<name>.weight": cin x cout x k x k, "<name>.bias",
                       * BatchNorm "<bn>.*" folded): 4x4, stride 2, padding 1 is loaded as a 3x3
                       * convolution to 4*cout channels at the input's resolution for
                       * jf_conv_t_forward (conv[row]); other shapes are not supported */
    JF_STEP_FOLD,     /* space-to-depth by `stride`: cout = cin * stride^2 */
    JF_STEP_UP,       /* to `stride` times the resolution: pixel shuffle or nearest (reach 0),
                       * bilinear (1), bicubic (2) */
    JF_STEP_PAD,      /* zero padding: `pad` before (top, left), `pad_end` after */
    JF_STEP_LOCAL     /* a step without weights at one resolution that reads `reach` pixels on
                       * each side of every input: a deformable or per-pixel kernel window, an
                       * elementwise product, residual add or concatenation (reach 0). A step
                       * that reads one input over a window and another at the pixel (the
                       * deformable average: target taps, the pixel's own heads) is two rows */
} jf_step;

/* Inputs of a row (jf_layer.in): JF_PREV, the row just above; a model input;
 * or JF_ROW(i). Left 0, in[0] also means the row above and in[1..] no input. */
#define JF_LAYER_INPUTS 4
#define JF_SPEC_MAX_ROWS 512
#define JF_PREV (-3)
#define JF_GUIDE (-1)       /* the guide as the model receives it (full resolution) */
#define JF_TARGET (-2)      /* the target, upsampled to full resolution */
#define JF_ROW(i) ((i) + 1) /* the output of row i */

typedef struct jf_layer {
    jf_step kind;
    char name[64];            /* tensor prefix of rows with weights; a label otherwise */
    char bn[64];              /* CONV: BatchNorm prefix folded into the weights, "" for none */
    int cin, cout;            /* channels in and out */
    int k, stride, pad, dil;  /* CONV, CONV_T as in PyTorch (dil 0 = 1); FOLD, UP: stride is the
                               * factor; PAD: pad is the padding before */
    jf_act act;               /* CONV: the fused activation */
    float slope;              /* JF_ACT_LEAKY's negative slope ... */
    char prelu[64];           /* ... or the tensor holding it (one-parameter PReLU), "" for none */
    int scale;                /* the input's resolution, 1/scale of full (0 = 1) */
    int reach;                /* UP, LOCAL: input pixels read on each side */
    int pad_end;              /* PAD: padding after (bottom, right) */
    double macs;              /* rows without weights: multiply-adds per output pixel */
    int in[JF_LAYER_INPUTS];  /* what the row reads: JF_PREV, JF_GUIDE, JF_TARGET, JF_ROW(i), 0 */
} jf_layer;

/* A convolution row in table form; the inputs default to the row above. */
#define JF_CONV_ROW(NAME, BN, CIN, COUT, K, STRIDE, PAD, DIL, ACT, SCALE)                                 \
    {.kind = JF_STEP_CONV, .name = NAME, .bn = BN, .cin = CIN, .cout = COUT, .k = K, .stride = STRIDE,   \
     .pad = PAD, .dil = DIL, .act = ACT, .scale = SCALE}

/* A model's table and what it loads: conv[i] is row i's convolution (CONV,
 * HEADS; zeroed for the other kinds). Owned by the model. */
typedef struct jf_spec {
    jf_layer *layer;
    jf_conv *conv;
    int n;
} jf_spec;

/* Checks the table, copies it into m->spec, loads every row with weights from
 * st (errors name `what` and the tensor), and derives m->halo, m->align,
 * m->max_planes and m->ws_bytes_per_pixel. On failure everything it loaded is
 * freed again. */
jf_status jf_spec_build(jf_model *m, const jf_safetensors *st, const char *what, const jf_layer *rows,
                        int n);
/* Releases the loaded convolutions and the table (jf_model_destroy calls it). */
void jf_spec_free(jf_spec *spec);

/* Checks the table's structure (inputs before use, scales that fit); errors to ctx. */
jf_status jf_spec_check(jf_context *ctx, const jf_layer *rows, int n);
/* The derivations, on a checked table (pure: usable without a device). */
int jf_spec_halo(const jf_layer *rows, int n);
int jf_spec_align(const jf_layer *rows, int n);
/* The most planes one row's output holds per full-resolution pixel (cout / scale^2). */
int jf_spec_planes(const jf_layer *rows, int n);
/* Multiply-adds of one run at width x height: CONV, HEADS, CONV_T from their
 * shapes at their propagated output sizes, the other rows from their `macs`. */
double jf_spec_macs(const jf_layer *rows, int n, int width, int height);
/* The input range [*lo, *hi] (full-resolution pixels, in 1-D) that output
 * pixel `at` needs from `input` (JF_GUIDE or JF_TARGET); *lo > *hi when the
 * output does not read that input. jf_spec_halo is built on it. */
void jf_spec_reach(const jf_layer *rows, int n, int input, int at, int *lo, int *hi);

/* ---- the registry entry ---- */

typedef struct jf_model_arch {
    const char *name; /* the "architecture" metadata value */
    /* Defaults for metadata a model file may leave out: how the guide enters
     * the network ('guide') and how a low-resolution target is upsampled ('upsample'). */
    jf_guide_mode guide;
    jf_resize_mode upsample;
    /* Builds the model's device state from a checked file (jf_spec_build with
     * the model's table); errors go to ctx. */
    jf_status (*create)(jf_model *m, const jf_safetensors *st, const char *what);
    /* Runs on the whole image or one tile. guide: 1 plane (gray models) or 3
     * planes B, G, R (colour models); target: 1 plane at the guide's size;
     * out: 1 plane; extra: m->extra_planes planes of side output, or NULL. */
    jf_status (*run)(jf_model *m, const jf_tensor *guide, const jf_tensor *target, jf_tensor *out,
                     jf_tensor *extra);
    /* Frees state beyond m->spec; may be NULL. */
    void (*destroy)(jf_model *m);
    /* Multiply-adds of one run at W x H (the bench reports 2x this as FLOPs);
     * NULL: derived from the spec. */
    double (*macs)(const jf_model *m, int width, int height);
    /* Multiply-adds of the published schedule when it differs (DKN: 16 passes); may be NULL. */
    double (*macs_reference)(const jf_model *m, int width, int height);
    /* Tiling: the context every output pixel needs on each side. Every model
     * sets jf_model_halo, the value derived from its spec (see the halo rule). */
    int (*halo)(const jf_model *m);
    /* The device bytes a tile pixel costs (the convolution workspace comes on top). */
    double (*bytes_per_pixel)(const jf_model *m);
    int extra_coefficients; /* 1: the side output is alpha, beta (jf_run_options.alpha/beta) */
    int steps;              /* progress steps a model reports per tile (0: one per tile) */
    /* Default for the 'degradation' metadata: how the low-resolution inputs it
     * was trained on were made ("bicubic", "area" or "subsample", see
     * jf_model_info.degradation); NULL: not known (nothing is checked). */
    const char *degradation;
    /* What the target may be (JF_TARGETS_*; 0: gray only). The run gets a
     * target of 1 or 3 planes (B, G, R) as allowed, and an `out` of as many. */
    unsigned targets;
    /* 1: the model normalises over the whole image, so it never tiles (the
     * driver fails with a clear message when the budget cannot hold it). */
    int whole_image;
    /* 1: the model takes a smoothing strength: its file's metadata must hold
     * lambda_default, lambda_min, lambda_max, and each run sets m->lambda. */
    int lambda;
} jf_model_arch;

#define JF_TARGETS_GRAY 1u   /* one-plane targets: depth, a gray image */
#define JF_TARGETS_COLOUR 2u /* three-plane targets, B, G, R */

struct jf_model {
    jf_context *ctx;
    const jf_model_arch *arch;
    jf_model_info info;
    jf_guide_mode guide;
    jf_resize_mode upsample;
    jf_workspace ws;
    jf_spec spec;
    /* derived from the spec by jf_spec_build */
    int halo, align;
    int max_planes;            /* the most planes any one buffer holds, per full-resolution pixel */
    double ws_bytes_per_pixel; /* the largest convolution workspace per full-resolution pixel */
    int extra_planes;          /* planes of the optional side output (set by create; 0: none) */
    void *impl;                /* model state beyond the spec (freed by arch->destroy) */
    float lambda;              /* the run's smoothing strength (arch->lambda models; set per run) */
    /* the run in flight, for progress reports (set by jf_run_tiled) */
    const jf_run_options *opt;
    int tile, ntiles;
};

/* The halo derived from the model's spec (the arch entries' .halo). */
int jf_model_halo(const jf_model *m);

/* Reports step `step` of the arch's `steps` in the current tile; returns
 * JF_ERR_CANCELLED when the callback asks to stop. */
jf_status jf_model_step(jf_model *m, int step);

const jf_model_arch *jf_find_arch(const char *name);

/* Metadata readers: a missing key takes the default; a malformed one fails and names it. */
jf_status jf_meta_int(jf_context *ctx, const jf_safetensors *st, const char *what, const char *key,
                      int def, int lo, int hi, int *out);
/* A finite float in [lo, hi]; a missing key fails when required, else takes def. */
jf_status jf_meta_float(jf_context *ctx, const jf_safetensors *st, const char *what, const char *key,
                        int required, float def, float lo, float hi, float *out);
jf_status jf_meta_bool(jf_context *ctx, const jf_safetensors *st, const char *what, const char *key,
                       int def, int *out);

/* Checks that `name` exists as F32/F16/BF16/F64 with exactly the given shape
 * (ndim entries) and returns its float32 data (caller frees). */
jf_status jf_tensor_f32(jf_context *ctx, const jf_safetensors *st, const char *what, const char *name,
                        int ndim, const int64_t *shape, float **out);
/* The value of `name`, a tensor of shape [1] (a PReLU slope, a learned scale). */
jf_status jf_tensor_scalar(jf_context *ctx, const jf_safetensors *st, const char *what, const char *name,
                           float *out);

/* Reads "<prefix>.weight" (cout x cin x k x k, or cin x cout x k x k when
 * transposed) and "<prefix>.bias" (cout) into host arrays (caller frees),
 * "<bn>.*" folded in per output channel when bn is not NULL. */
jf_status jf_read_conv(jf_model *m, const jf_safetensors *st, const char *what, const char *prefix,
                       const char *bn, int cout, int cin, int k, int transposed, float **w, float **b);
/* Loads "<prefix>.weight" (cout x cin x k x k) and "<prefix>.bias", folds
 * "<bn>.{weight,bias,running_mean,running_var}" when bn is not NULL, and uploads. */
jf_status jf_load_conv(jf_model *m, const jf_safetensors *st, const char *what, const char *prefix,
                       const char *bn, int cout, int cin, int k, int stride, int pad, int dil,
                       jf_act act, float slope, jf_conv *out);

/* Loads "<branch>.conv_weight" (nw outputs, sigmoid) and "<branch>.conv_offset"
 * (2*nw outputs) from cin features as one stacked 1x1 convolution. */
jf_status jf_load_deform_heads(jf_model *m, const jf_safetensors *st, const char *what, const char *branch,
                               int cin, int nw, jf_conv *out);

/* Runs a chain of convolutions, ping-ponging between two scratch tensors;
 * the result is `out` (allocated here, owned by the caller). When first_step
 * >= 0 each layer reports progress step first_step + i + 1 (jf_model_step). */
jf_status jf_conv_chain(jf_model *m, const jf_conv *convs, int n, const jf_tensor *in, jf_tensor *out,
                        int first_step);

/* Shared input preparation before any tiling: a low-resolution target is
 * upsampled by the model's convention, the guide brought to the planes the
 * network reads (luma, 8-bit luma, or B, G, R). *gd / *tgt point at the
 * inputs or at gd_buf / tgt_buf, which the caller frees. */
jf_status jf_model_prepare(jf_model *m, const jf_tensor *guide, const jf_tensor *target, jf_tensor *gd_buf,
                           jf_tensor *tgt_buf, const jf_tensor **gd, const jf_tensor **tgt);

/* Runs the model over the image in overlapping tiles when the image does not
 * fit the memory budget (else in one go); results are identical either way.
 * extra may be NULL. Reports progress per tile. */
jf_status jf_run_tiled(jf_model *m, const jf_tensor *guide, const jf_tensor *target, jf_tensor *out,
                       jf_tensor *extra, const jf_run_options *opt);
/* The tile's inner size for a budget (exposed for tests and the bench). */
int jf_tile_size(const jf_model *m, size_t budget);

#endif
