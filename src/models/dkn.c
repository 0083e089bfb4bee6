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

#include <stdio.h>
#include <stdlib.h>

#define DKN_LAYERS 7
#define DKN_PAD_BEFORE 25
#define DKN_PAD_AFTER 24

typedef struct dkn_layer {
    int k, stride, dil, cout, bn; /* stride: the published network's; dil: the one-pass dilation */
} dkn_layer;

static const dkn_layer dkn_layers[DKN_LAYERS] = {
    {7, 1, 1, 32, 1}, {2, 2, 1, 32, 0}, {5, 1, 2, 64, 1}, {2, 2, 2, 64, 0},
    {5, 1, 4, 128, 1}, {3, 1, 4, 128, 0}, {3, 1, 4, 128, 0},
};

typedef struct dkn_branch {
    jf_conv convs[DKN_LAYERS + 1]; /* seven layers, then the stacked heads */
} dkn_branch;

typedef struct dkn {
    dkn_branch image, depth;
} dkn;

static void dkn_free_branch(dkn_branch *b)
{
    for (int i = 0; i <= DKN_LAYERS; i++) jf_conv_free(&b->convs[i]);
}

static jf_status dkn_load_branch(jf_model *m, const jf_safetensors *st, const char *what, const char *branch,
                                 int cin, dkn_branch *out)
{
    char conv[96], bn[96];
    for (int i = 0; i < DKN_LAYERS; i++) {
        const dkn_layer *l = &dkn_layers[i];
        snprintf(conv, sizeof conv, "%s.conv%d", branch, i + 1);
        snprintf(bn, sizeof bn, "%s.conv%d_bn", branch, i + 1);
        jf_status s = jf_load_conv(m, st, what, conv, l->bn ? bn : NULL, l->cout, i ? dkn_layers[i - 1].cout : cin,
                                   l->k, 1, 0, l->dil, JF_ACT_RELU, 0.0f, &out->convs[i]);
        if (s != JF_OK) return s;
    }
    return jf_load_deform_heads(m, st, what, branch, m->info.kernel_size * m->info.kernel_size, 1,
                                &out->convs[DKN_LAYERS]);
}

static void dkn_destroy(jf_model *m)
{
    dkn *d = m->impl;
    if (!d) return;
    dkn_free_branch(&d->image);
    dkn_free_branch(&d->depth);
    free(d);
    m->impl = NULL;
}

static jf_status dkn_create(jf_model *m, const jf_safetensors *st, const char *what)
{
    if (m->info.kernel_size > 7)
        return jf_fail(m->ctx, JF_ERR_UNSUPPORTED, "%s: kernel_size %d (1..7 supported)", what, m->info.kernel_size);
    dkn *d = calloc(1, sizeof *d);
    if (!d) return jf_fail(m->ctx, JF_ERR_OUT_OF_MEMORY, "out of memory");
    m->impl = d;
    jf_status s = dkn_load_branch(m, st, what, "ImageKernel", 3, &d->image);
    if (s == JF_OK) s = dkn_load_branch(m, st, what, "DepthKernel", 1, &d->depth);
    if (s != JF_OK) dkn_destroy(m);
    else jf_note_workspace(m, d->image.convs, DKN_LAYERS + 1, 1.0);
    return s;
}

/* One branch over the zero-padded input: heads (3*k*k planes) at the input's size. */
static jf_status dkn_branch_run(jf_model *m, const dkn_branch *b, const jf_tensor *in, int first_step,
                                jf_tensor *heads)
{
    jf_tensor padded = {0};
    jf_status s = jf_tensor_alloc(m->ctx, &padded, in->c, in->h + DKN_PAD_BEFORE + DKN_PAD_AFTER,
                                  in->w + DKN_PAD_BEFORE + DKN_PAD_AFTER);
    if (s == JF_OK) s = jf_pad_zero(m->ctx, in, DKN_PAD_BEFORE, &padded);
    if (s == JF_OK) s = jf_conv_chain(m, b->convs, DKN_LAYERS + 1, &padded, heads, first_step);
    jf_tensor_free(&padded);
    return s;
}

#define DKN_STEPS (2 * (DKN_LAYERS + 1) + 1)

/* extra, when given, receives the stitched kernel weights (k*k planes, after
 * normalisation) and offsets (2*k*k planes): the test hook for conformance. */
static jf_status dkn_run(jf_model *m, const jf_tensor *guide, const jf_tensor *target, jf_tensor *out,
                         jf_tensor *extra)
{
    dkn *d = m->impl;
    jf_context *ctx = m->ctx;
    jf_tensor heads_img = {0}, heads_dep = {0}, wmap = {0}, omap = {0};
    int kk = m->info.kernel_size * m->info.kernel_size;
    jf_status s = dkn_branch_run(m, &d->image, guide, 0, &heads_img);
    if (s == JF_OK) s = dkn_branch_run(m, &d->depth, target, DKN_LAYERS + 1, &heads_dep);
    if (s == JF_OK) {
        jf_deform_params p = {1, m->info.kernel_size, m->info.window_size, m->info.residual};
        if (extra) {
            /* views of the two parts of the side output */
            cl_buffer_region rw = {0, (size_t)kk * out->h * out->w * 4};
            cl_buffer_region ro = {rw.size, (size_t)2 * kk * out->h * out->w * 4};
            cl_int e;
            wmap = jf_tensor_wrap(clCreateSubBuffer(extra->buf, 0, CL_BUFFER_CREATE_TYPE_REGION, &rw, &e), kk, out->h,
                                  out->w);
            if (e == CL_SUCCESS)
                omap = jf_tensor_wrap(clCreateSubBuffer(extra->buf, 0, CL_BUFFER_CREATE_TYPE_REGION, &ro, &e), 2 * kk,
                                      out->h, out->w);
            wmap.owned = omap.owned = 1;
            if (e != CL_SUCCESS) s = jf_fail_cl(ctx, e, "clCreateSubBuffer (kernel maps)");
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

static double dkn_branch_macs(const dkn_branch *b, int cin_first, int width, int height, int one_pass)
{
    /* published: 16 shifted passes over the input padded to (H+47) x (W+47), strided layers */
    double macs = 0;
    if (one_pass) {
        int h = height + DKN_PAD_BEFORE + DKN_PAD_AFTER, w = width + DKN_PAD_BEFORE + DKN_PAD_AFTER;
        for (int i = 0; i <= DKN_LAYERS; i++) {
            const jf_conv *c = &b->convs[i];
            h = jf_conv_out_size(h, c->kh, 1, 0, c->dil);
            w = jf_conv_out_size(w, c->kw, 1, 0, c->dil);
            macs += jf_conv_macs(c, h, w);
        }
        return macs;
    }
    int h = height + 47, w = width + 47;
    for (int i = 0; i <= DKN_LAYERS; i++) {
        const jf_conv *c = &b->convs[i];
        int stride = i < DKN_LAYERS ? dkn_layers[i].stride : 1;
        h = jf_conv_out_size(h, c->kh, stride, 0, 1);
        w = jf_conv_out_size(w, c->kw, stride, 0, 1);
        macs += (double)c->cout * c->cin * c->kh * c->kw * h * w;
    }
    (void)cin_first;
    return 16 * macs;
}

static double dkn_macs(const jf_model *m, int width, int height)
{
    const dkn *d = m->impl;
    return dkn_branch_macs(&d->image, 3, width, height, 1) + dkn_branch_macs(&d->depth, 1, width, height, 1) +
           (double)width * height * m->info.kernel_size * m->info.kernel_size * 6;
}

static double dkn_macs_reference(const jf_model *m, int width, int height)
{
    const dkn *d = m->impl;
    return dkn_branch_macs(&d->image, 3, width, height, 0) + dkn_branch_macs(&d->depth, 1, width, height, 0) +
           (double)width * height * m->info.kernel_size * m->info.kernel_size * 6;
}

/* the 50x50 receptive field (25 before, 24 after) plus the deformable window */
static int dkn_halo(const jf_model *m) { return DKN_PAD_BEFORE + m->info.window_size / 2 + 1; }

/* Two 128-plane buffers of one branch, both branches' heads, the padded input,
 * the kernel maps, and guide/target/output planes, per pixel of a tile. */
static double dkn_bytes_per_pixel(const jf_model *m)
{
    double kk = m->info.kernel_size * m->info.kernel_size;
    return 4.0 * (2 * 128 + 2 * 3 * kk + 3 * kk + 3 + 8);
}

const jf_model_arch jf_arch_dkn = {
    .name = "dkn",
    .create = dkn_create,
    .run = dkn_run,
    .destroy = dkn_destroy,
    .macs = dkn_macs,
    .macs_reference = dkn_macs_reference,
    .halo = dkn_halo,
    .align = 1,
    .bytes_per_pixel = dkn_bytes_per_pixel,
    .max_planes = 128,
    .extra_planes = 27,
    .extra_coefficients = 0,
    .steps = DKN_STEPS,
};
