/* fdkn.c - FDKN, the fast deformable kernel network: the guide's luma and
 * the target are each folded 4x4 into 16 channels, two identical branches of
 * six 3x3 convolutions predict per-pixel k*k weights and offsets at quarter
 * resolution, and one fused kernel un-shuffles them, multiplies the branches
 * and takes the deformable weighted average at full resolution. */
#include "models/model.h"

#include <string.h>

#define FDKN_FACTOR 4
#define FDKN_LAYERS 6

/* One branch: fold, six 3x3 layers at quarter resolution, the stacked heads
 * (their outputs, 3*k*k*16, are set from the kernel size in create). */
#define FDKN_BRANCH(B, INPUT)                                                                         \
    {.kind = JF_STEP_FOLD, .name = B ".fold", .cin = 1, .cout = 16, .stride = FDKN_FACTOR, .in = {INPUT}}, \
    /*          name           bn               cin  cout k  s  p  d  act          scale */              \
    JF_CONV_ROW(B ".conv1", B ".conv1_bn",  16,  32, 3, 1, 1, 1, JF_ACT_RELU, FDKN_FACTOR),               \
    JF_CONV_ROW(B ".conv2", "",              32,  32, 3, 1, 1, 1, JF_ACT_RELU, FDKN_FACTOR),               \
    JF_CONV_ROW(B ".conv3", B ".conv3_bn",  32,  64, 3, 1, 1, 1, JF_ACT_RELU, FDKN_FACTOR),               \
    JF_CONV_ROW(B ".conv4", "",              64,  64, 3, 1, 1, 1, JF_ACT_RELU, FDKN_FACTOR),               \
    JF_CONV_ROW(B ".conv5", B ".conv5_bn",  64, 128, 3, 1, 1, 1, JF_ACT_RELU, FDKN_FACTOR),               \
    JF_CONV_ROW(B ".conv6", "",             128, 128, 3, 1, 1, 1, JF_ACT_RELU, FDKN_FACTOR),               \
    {.kind = JF_STEP_HEADS, .name = B, .cin = 128, .scale = FDKN_FACTOR}

enum { FDKN_IMAGE = 0, FDKN_DEPTH = 8, FDKN_UNSHUFFLE = 16, FDKN_TAPS = 17, FDKN_AVERAGE = 18, FDKN_ROWS = 19 };
#define FDKN_HEADS(branch) ((branch) + FDKN_LAYERS + 1)

static const jf_layer fdkn_rows[FDKN_ROWS] = {
    FDKN_BRANCH("ImageKernel", JF_GUIDE),
    FDKN_BRANCH("DepthKernel", JF_TARGET),
    /* inside the fused kernel: each full-resolution pixel reads its quarter-resolution heads */
    {.kind = JF_STEP_UP, .name = "unshuffle heads", .stride = FDKN_FACTOR, .scale = FDKN_FACTOR,
     .in = {JF_ROW(FDKN_HEADS(FDKN_IMAGE)), JF_ROW(FDKN_HEADS(FDKN_DEPTH))}},
    /* the k*k taps sample the target inside the window (reach window/2, set in create) ... */
    {.kind = JF_STEP_LOCAL, .name = "window taps", .cin = 1, .in = {JF_TARGET}},
    /* ... weighted by the pixel's own heads */
    {.kind = JF_STEP_LOCAL, .name = "deformable average", .cout = 1, .in = {JF_PREV, JF_ROW(FDKN_UNSHUFFLE)}},
};

static jf_status fdkn_create(jf_model *m, const jf_safetensors *st, const char *what)
{
    if (m->info.kernel_size > 7 || m->info.kernel_size < 1)
        return jf_fail(m->ctx, JF_ERR_UNSUPPORTED, "%s: kernel_size %d (1..7 supported)", what,
                       m->info.kernel_size);
    int kk = m->info.kernel_size * m->info.kernel_size;
    jf_layer rows[FDKN_ROWS];
    memcpy(rows, fdkn_rows, sizeof rows);
    rows[FDKN_HEADS(FDKN_IMAGE)].cout = rows[FDKN_HEADS(FDKN_DEPTH)].cout = 3 * kk * FDKN_FACTOR * FDKN_FACTOR;
    rows[FDKN_UNSHUFFLE].cin = 3 * kk * FDKN_FACTOR * FDKN_FACTOR;
    rows[FDKN_UNSHUFFLE].cout = 3 * kk;
    rows[FDKN_TAPS].reach = m->info.window_size / 2;
    rows[FDKN_TAPS].cout = kk;
    rows[FDKN_AVERAGE].macs = kk * 6; /* bilinear taps and weighting */
    return jf_spec_build(m, st, what, rows, FDKN_ROWS);
}

/* Folds one full-resolution plane 4x4 and runs a branch: heads at quarter size. */
static jf_status fdkn_branch_run(jf_model *m, int branch, const jf_tensor *plane, jf_tensor *heads)
{
    jf_tensor folded = {0};
    jf_status s = jf_tensor_alloc(m->ctx, &folded, FDKN_FACTOR * FDKN_FACTOR,
                                  (plane->h + FDKN_FACTOR - 1) / FDKN_FACTOR,
                                  (plane->w + FDKN_FACTOR - 1) / FDKN_FACTOR);
    if (s == JF_OK) s = jf_space_to_depth(m->ctx, plane, FDKN_FACTOR, &folded);
    if (s == JF_OK) s = jf_conv_chain(m, &m->spec.conv[branch + 1], FDKN_LAYERS + 1, &folded, heads, -1);
    jf_tensor_free(&folded);
    return s;
}

static jf_status fdkn_run(jf_model *m, const jf_tensor *guide, const jf_tensor *target, jf_tensor *out,
                          jf_tensor *extra)
{
    jf_tensor heads_img = {0}, heads_dep = {0};
    (void)extra;
    /* the guide arrives as one luma plane (metadata guide = gray) */
    jf_status s = fdkn_branch_run(m, FDKN_IMAGE, guide, &heads_img);
    if (s == JF_OK) s = fdkn_branch_run(m, FDKN_DEPTH, target, &heads_dep);
    if (s == JF_OK) {
        jf_deform_params p = {FDKN_FACTOR, m->info.kernel_size, m->info.window_size, m->info.residual};
        s = jf_deform_average(m->ctx, &heads_img, &heads_dep, target, &p, out, NULL, NULL);
    }
    jf_tensor_free(&heads_img);
    jf_tensor_free(&heads_dep);
    return s;
}

/* Per full-resolution pixel: the quarter-resolution maps (folded input, two
 * 128-channel buffers, both branches' heads) over 16, plus guide, target,
 * output and the upsampled target (convolution workspace: m->ws_bytes_per_pixel). */
static double fdkn_bytes_per_pixel(const jf_model *m)
{
    double heads = 3.0 * m->info.kernel_size * m->info.kernel_size * 16;
    return 4.0 * ((16 + 2 * 128 + 2 * heads) / 16.0 + 8);
}

const jf_model_arch jf_arch_fdkn = {
    .name = "fdkn",
    .guide = JF_GUIDE_GRAY,
    .upsample = JF_RESIZE_PIL,
    .degradation = "bicubic",
    .create = fdkn_create,
    .run = fdkn_run,
    .halo = jf_model_halo,
    .bytes_per_pixel = fdkn_bytes_per_pixel,
};
