/* dkn.c - DKN, the deformable kernel network, in one pass at full resolution.
 *
 * The published network has two stride-2 layers, so it predicts one kernel per
 * 4x4 block; full resolution comes from shift-and-stitch: 16 passes over the
 * input zero-padded with 16 different offsets. Every output pixel (y, x) of
 * that scheme sees the input window rows y-25..y+24, columns x-25..x+24 (zero
 * outside the image). The same values come from ONE pass over the input
 * zero-padded by 25 (top/left) and 24 (bottom/right) in which each layer after
 * a stride-2 layer is dilated instead ("a trous"):
 *
 *   layer     published            here (valid convolutions)
 *   conv1     7x7                  7x7
 *   conv2     2x2 stride 2         2x2 dilation 1
 *   conv3     5x5                  5x5 dilation 2
 *   conv4     2x2 stride 2         2x2 dilation 2
 *   conv5-7   5x5, 3x3, 3x3        dilation 4
 *   heads     1x1                  1x1
 *
 * The early layers are no longer recomputed 16 times: about 30% less work. */
#include "models/model.h"

#include <string.h>

#define DKN_LAYERS 7
#define DKN_PAD_BEFORE 25
#define DKN_PAD_AFTER 24

/* One branch as it runs here: the padding, seven valid layers, the stacked
 * heads (3*k*k outputs, set from the kernel size in create). */
#define DKN_BRANCH(B, INPUT, CIN)                                                                     \
    {.kind = JF_STEP_PAD, .name = B ".pad", .cin = CIN, .cout = CIN, .pad = DKN_PAD_BEFORE,              \
     .pad_end = DKN_PAD_AFTER, .in = {INPUT}},                                                            \
    /*          name           bn              cin  cout k  s  p  d  act          scale */               \
    JF_CONV_ROW(B ".conv1", B ".conv1_bn", CIN,  32, 7, 1, 0, 1, JF_ACT_RELU, 1),                         \
    JF_CONV_ROW(B ".conv2", "",             32,  32, 2, 1, 0, 1, JF_ACT_RELU, 1),                         \
    JF_CONV_ROW(B ".conv3", B ".conv3_bn",  32,  64, 5, 1, 0, 2, JF_ACT_RELU, 1),                         \
    JF_CONV_ROW(B ".conv4", "",             64,  64, 2, 1, 0, 2, JF_ACT_RELU, 1),                         \
    JF_CONV_ROW(B ".conv5", B ".conv5_bn",  64, 128, 5, 1, 0, 4, JF_ACT_RELU, 1),                         \
    JF_CONV_ROW(B ".conv6", "",            128, 128, 3, 1, 0, 4, JF_ACT_RELU, 1),                         \
    JF_CONV_ROW(B ".conv7", "",            128, 128, 3, 1, 0, 4, JF_ACT_RELU, 1),                         \
    {.kind = JF_STEP_HEADS, .name = B, .cin = 128}

enum { DKN_IMAGE = 0, DKN_DEPTH = 9, DKN_PRODUCT = 18, DKN_TAPS = 19, DKN_AVERAGE = 20, DKN_ROWS = 21 };
#define DKN_HEADS(branch) ((branch) + DKN_LAYERS + 1)

static const jf_layer dkn_rows[DKN_ROWS] = {
    DKN_BRANCH("ImageKernel", JF_GUIDE, 3),
    DKN_BRANCH("DepthKernel", JF_TARGET, 1),
    /* inside the fused kernel: the two branches' heads multiplied pixel by pixel */
    {.kind = JF_STEP_LOCAL, .name = "heads product", .in = {JF_ROW(DKN_HEADS(DKN_IMAGE)), JF_ROW(DKN_HEADS(DKN_DEPTH))}},
    /* the k*k taps sample the target inside the window (reach window/2, set in create) ... */
    {.kind = JF_STEP_LOCAL, .name = "window taps", .cin = 1, .in = {JF_TARGET}},
    /* ... weighted by the pixel's own kernel */
    {.kind = JF_STEP_LOCAL, .name = "deformable average", .cout = 1, .in = {JF_PREV, JF_ROW(DKN_PRODUCT)}},
};

/* the published network's strides, for its own multiply-add count */
static const int dkn_published_stride[DKN_LAYERS + 1] = {1, 2, 1, 2, 1, 1, 1, 1};

static jf_status dkn_create(jf_model *m, const jf_safetensors *st, const char *what)
{
    if (m->info.kernel_size > 7)
        return jf_fail(m->ctx, JF_ERR_UNSUPPORTED, "%s: kernel_size %d (1..7 supported)", what, m->info.kernel_size);
    int kk = m->info.kernel_size * m->info.kernel_size;
    jf_layer rows[DKN_ROWS];
    memcpy(rows, dkn_rows, sizeof rows);
    rows[DKN_HEADS(DKN_IMAGE)].cout = rows[DKN_HEADS(DKN_DEPTH)].cout = 3 * kk;
    rows[DKN_PRODUCT].cin = rows[DKN_PRODUCT].cout = 3 * kk;
    rows[DKN_TAPS].reach = m->info.window_size / 2;
    rows[DKN_TAPS].cout = kk;
    rows[DKN_AVERAGE].macs = kk * 6; /* bilinear taps and weighting */
    m->extra_planes = 3 * kk;        /* the stitched weights and offsets */
    return jf_spec_build(m, st, what, rows, DKN_ROWS);
}

/* One branch over the zero-padded input: heads (3*k*k planes) at the input's size. */
static jf_status dkn_branch_run(jf_model *m, int branch, const jf_tensor *in, int first_step, jf_tensor *heads)
{
    jf_tensor padded = {0};
    jf_status s = jf_tensor_alloc(m->ctx, &padded, in->c, in->h + DKN_PAD_BEFORE + DKN_PAD_AFTER,
                                  in->w + DKN_PAD_BEFORE + DKN_PAD_AFTER);
    if (s == JF_OK) s = jf_pad_zero(m->ctx, in, DKN_PAD_BEFORE, &padded);
    if (s == JF_OK) s = jf_conv_chain(m, &m->spec.conv[branch + 1], DKN_LAYERS + 1, &padded, heads, first_step);
    jf_tensor_free(&padded);
    return s;
}

#define DKN_STEPS (2 * (DKN_LAYERS + 1) + 1)

/* extra, when given, receives the stitched kernel weights (k*k planes, after
 * normalisation) and offsets (2*k*k planes): the test hook for conformance. */
static jf_status dkn_run(jf_model *m, const jf_tensor *guide, const jf_tensor *target, jf_tensor *out,
                         jf_tensor *extra)
{
    jf_context *ctx = m->ctx;
    jf_tensor heads_img = {0}, heads_dep = {0}, wmap = {0}, omap = {0};
    int kk = m->info.kernel_size * m->info.kernel_size;
    jf_status s = dkn_branch_run(m, DKN_IMAGE, guide, 0, &heads_img);
    if (s == JF_OK) s = dkn_branch_run(m, DKN_DEPTH, target, DKN_LAYERS + 1, &heads_dep);
    if (s == JF_OK) {
        jf_deform_params p = {1, m->info.kernel_size, m->info.window_size, m->info.residual};
        if (extra) {
            /* views of the two parts of the side output: weights, then offsets */
            s = jf_tensor_view_planes(ctx, extra, 0, kk, &wmap);
            if (s == JF_OK) s = jf_tensor_view_planes(ctx, extra, kk, 2 * kk, &omap);
        }
        if (s == JF_OK)
            s = jf_deform_average(ctx, &heads_img, &heads_dep, target, &p, out, extra ? &wmap : NULL,
                                  extra ? &omap : NULL);
        if (s == JF_OK) s = jf_model_step(m, DKN_STEPS);
    }
    jf_tensor_free(&wmap);
    jf_tensor_free(&omap);
    jf_tensor_free(&heads_img);
    jf_tensor_free(&heads_dep);
    return s;
}

/* The published schedule: 16 shifted passes over the input padded to
 * (H+47) x (W+47), with the stride-2 layers undilated. */
static double dkn_branch_macs_published(const jf_layer *rows, int width, int height)
{
    double macs = 0;
    int h = height + 47, w = width + 47;
    for (int i = 0; i <= DKN_LAYERS; i++) {
        const jf_layer *r = &rows[i + 1];
        int k = r->kind == JF_STEP_HEADS ? 1 : r->k;
        h = jf_conv_out_size(h, k, dkn_published_stride[i], 0, 1);
        w = jf_conv_out_size(w, k, dkn_published_stride[i], 0, 1);
        macs += (double)r->cout * r->cin * k * k * h * w;
    }
    return 16 * macs;
}

static double dkn_macs_reference(const jf_model *m, int width, int height)
{
    const jf_layer *rows = m->spec.layer;
    return dkn_branch_macs_published(rows + DKN_IMAGE, width, height) +
           dkn_branch_macs_published(rows + DKN_DEPTH, width, height) +
           (double)width * height * rows[DKN_AVERAGE].macs;
}

/* Two 128-plane buffers of one branch, both branches' heads, the padded input,
 * the kernel maps, and guide/target/output planes, per pixel of a tile. */
static double dkn_bytes_per_pixel(const jf_model *m)
{
    double kk = m->info.kernel_size * m->info.kernel_size;
    return 4.0 * (2 * 128 + 2 * 3 * kk + 3 * kk + 3 + 8);
}

const jf_model_arch jf_arch_dkn = {
    .name = "dkn",
    .guide = JF_GUIDE_BGR,
    .upsample = JF_RESIZE_PIL,
    .degradation = "bicubic",
    .create = dkn_create,
    .run = dkn_run,
    .macs_reference = dkn_macs_reference,
    .halo = jf_model_halo,
    .bytes_per_pixel = dkn_bytes_per_pixel,
    .steps = DKN_STEPS,
};
