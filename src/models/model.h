/* model.h - what every model shares: the jf_model handle, the registry entry
 * a model file's "architecture" selects, metadata parsing, and helpers that
 * turn checked safetensors entries into device convolutions. */
#ifndef JF_MODEL_H
#define JF_MODEL_H

#include "io/safetensors.h"
#include "ops/ops.h"

typedef struct jf_model jf_model;

/* How a guide enters a network: float luma, OpenCV 8-bit luma, or B,G,R planes. */
typedef enum jf_guide_mode { JF_GUIDE_GRAY = 0, JF_GUIDE_GRAY_U8 = 1, JF_GUIDE_BGR = 2 } jf_guide_mode;

typedef struct jf_model_arch {
    const char *name; /* the "architecture" metadata value */
    /* Builds the model's device state from a checked file; errors go to ctx. */
    jf_status (*create)(jf_model *m, const jf_safetensors *st, const char *what);
    /* Runs on the whole image or one tile. guide: 1 plane (gray models) or 3
     * planes B, G, R (colour models); target: 1 plane at the guide's size;
     * out: 1 plane; extra: extra_planes planes of side output, or NULL. */
    jf_status (*run)(jf_model *m, const jf_tensor *guide, const jf_tensor *target, jf_tensor *out,
                     jf_tensor *extra);
    void (*destroy)(jf_model *m);
    /* Multiply-adds of one run at W x H (the bench reports 2x this as FLOPs). */
    double (*macs)(const jf_model *m, int width, int height);
    /* Multiply-adds of the published schedule when it differs (DKN: 16 passes); may be NULL. */
    double (*macs_reference)(const jf_model *m, int width, int height);
    /* Tiling: the context every output pixel needs on each side, the grid tile
     * origins keep (so strided layers see the same phases), the device bytes a
     * tile pixel costs, and the most planes any one buffer holds. */
    int (*halo)(const jf_model *m);
    int align;
    double (*bytes_per_pixel)(const jf_model *m);
    int max_planes;
    int extra_planes;      /* planes of the optional side output (SVLRM: alpha, beta; DKN: maps) */
    int extra_coefficients; /* 1: the side output is alpha, beta (jf_run_options.alpha/beta) */
    int steps;             /* progress steps a model reports per tile (0: one per tile) */
} jf_model_arch;

struct jf_model {
    jf_context *ctx;
    const jf_model_arch *arch;
    jf_model_info info;
    jf_guide_mode guide;
    jf_resize_mode upsample;
    jf_workspace ws;
    /* the largest convolution workspace per full-resolution pixel, in bytes
     * (set by the model's create; the tiler adds it to the arch's estimate) */
    double ws_bytes_per_pixel;
    void *impl;
    /* the run in flight, for progress reports (set by jf_run_tiled) */
    const jf_run_options *opt;
    int tile, ntiles;
};

/* Reports step `step` of the arch's `steps` in the current tile; returns
 * JF_ERR_CANCELLED when the callback asks to stop. */
jf_status jf_model_step(jf_model *m, int step);

const jf_model_arch *jf_find_arch(const char *name);

/* Metadata readers: a missing key takes the default; a malformed one fails and names it. */
jf_status jf_meta_int(jf_context *ctx, const jf_safetensors *st, const char *what, const char *key,
                      int def, int lo, int hi, int *out);
jf_status jf_meta_bool(jf_context *ctx, const jf_safetensors *st, const char *what, const char *key,
                       int def, int *out);

/* Checks that `name` exists as F32/F16/BF16/F64 with exactly the given shape
 * (ndim entries) and returns its float32 data (caller frees). */
jf_status jf_tensor_f32(jf_context *ctx, const jf_safetensors *st, const char *what, const char *name,
                        int ndim, const int64_t *shape, float **out);

/* Raises m->ws_bytes_per_pixel to cover convs[0..n) running at 1/scale2 of
 * the full resolution's pixel count (FDKN's branches: 16). */
void jf_note_workspace(jf_model *m, const jf_conv *convs, int n, double scale2);

/* Loads "<prefix>.weight" (cout x cin x k x k) and "<prefix>.bias", folds
 * "<bn>.{weight,bias,running_mean,running_var}" when bn is not NULL, and uploads. */
jf_status jf_load_conv(jf_model *m, const jf_safetensors *st, const char *what, const char *prefix,
                       const char *bn, int cout, int cin, int k, int stride, int pad, int dil,
                       jf_act act, float slope, jf_conv *out);

/* Loads "<branch>.conv_weight" (kk*ff outputs, sigmoid) and "<branch>.conv_offset"
 * (2*kk*ff outputs) from 128 features as one stacked 1x1 convolution. */
jf_status jf_load_deform_heads(jf_model *m, const jf_safetensors *st, const char *what, const char *branch,
                               int kk, int ff, jf_conv *out);

/* Runs a chain of convolutions, ping-ponging between two scratch tensors;
 * the result is `out` (allocated here, owned by the caller). When first_step
 * >= 0 each layer reports progress step first_step + i + 1 (jf_model_step). */
jf_status jf_conv_chain(jf_model *m, const jf_conv *convs, int n, const jf_tensor *in, jf_tensor *out,
                        int first_step);

/* Runs the model over the image in overlapping tiles when the image does not
 * fit the memory budget (else in one go); results are identical either way.
 * extra may be NULL. Reports progress per tile. */
jf_status jf_run_tiled(jf_model *m, const jf_tensor *guide, const jf_tensor *target, jf_tensor *out,
                       jf_tensor *extra, const jf_run_options *opt);
/* The tile's inner size for a budget (exposed for tests and the bench). */
int jf_tile_size(const jf_model *m, size_t budget);

#endif
