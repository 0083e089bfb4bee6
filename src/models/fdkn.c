/* fdkn.c - FDKN, the fast deformable kernel network: the guide's luma and
 * the target are each folded 4x4 into 16 channels, two identical branches of
 * six 3x3 convolutions predict per-pixel k*k weights and offsets at quarter
 * resolution, and one fused kernel un-shuffles them, multiplies the branches
 * and takes the deformable weighted average at full resolution. */
#include "models/model.h"

#include <stdio.h>
#include <stdlib.h>

#define FDKN_FACTOR 4
#define FDKN_LAYERS 6

typedef struct fdkn_branch {
    jf_conv convs[FDKN_LAYERS + 1]; /* six 3x3 layers, then the merged 1x1 heads */
} fdkn_branch;

typedef struct fdkn {
    fdkn_branch image, depth;
} fdkn;

static const int fdkn_channels[FDKN_LAYERS + 1] = {16, 32, 32, 64, 64, 128, 128};
static const int fdkn_has_bn[FDKN_LAYERS] = {1, 0, 1, 0, 1, 0};

static void fdkn_free_branch(fdkn_branch *b)
{
    for (int i = 0; i <= FDKN_LAYERS; i++) jf_conv_free(&b->convs[i]);
}

static jf_status fdkn_load_branch(jf_model *m, const jf_safetensors *st, const char *what,
                                  const char *branch, fdkn_branch *out)
{
    char conv[96], bn[96];
    jf_status s;
    for (int i = 0; i < FDKN_LAYERS; i++) {
        snprintf(conv, sizeof conv, "%s.conv%d", branch, i + 1);
        snprintf(bn, sizeof bn, "%s.conv%d_bn", branch, i + 1);
        s = jf_load_conv(m, st, what, conv, fdkn_has_bn[i] ? bn : NULL, fdkn_channels[i + 1],
                         fdkn_channels[i], 3, 1, 1, 1, JF_ACT_RELU, 0.0f, &out->convs[i]);
        if (s != JF_OK) return s;
    }
    return jf_load_deform_heads(m, st, what, branch, m->info.kernel_size * m->info.kernel_size,
                                FDKN_FACTOR * FDKN_FACTOR, &out->convs[FDKN_LAYERS]);
}

static void fdkn_destroy(jf_model *m)
{
    fdkn *f = m->impl;
    if (!f) return;
    fdkn_free_branch(&f->image);
    fdkn_free_branch(&f->depth);
    free(f);
    m->impl = NULL;
}

static jf_status fdkn_create(jf_model *m, const jf_safetensors *st, const char *what)
{
    if (m->info.kernel_size > 7 || m->info.kernel_size < 1)
        return jf_fail(m->ctx, JF_ERR_UNSUPPORTED, "%s: kernel_size %d (1..7 supported)", what,
                       m->info.kernel_size);
    fdkn *f = calloc(1, sizeof *f);
    if (!f) return jf_fail(m->ctx, JF_ERR_OUT_OF_MEMORY, "out of memory");
    m->impl = f;
    jf_status s = fdkn_load_branch(m, st, what, "ImageKernel", &f->image);
    if (s == JF_OK) s = fdkn_load_branch(m, st, what, "DepthKernel", &f->depth);
    if (s != JF_OK) fdkn_destroy(m);
    else jf_note_workspace(m, f->image.convs, FDKN_LAYERS + 1, FDKN_FACTOR * FDKN_FACTOR);
    return s;
}

/* Folds one full-resolution plane 4x4 and runs a branch: heads at quarter size. */
static jf_status fdkn_branch_run(jf_model *m, const fdkn_branch *b, const jf_tensor *plane,
                                 jf_tensor *heads)
{
    jf_tensor folded = {0};
    jf_status s = jf_tensor_alloc(m->ctx, &folded, FDKN_FACTOR * FDKN_FACTOR,
                                  (plane->h + FDKN_FACTOR - 1) / FDKN_FACTOR,
                                  (plane->w + FDKN_FACTOR - 1) / FDKN_FACTOR);
    if (s == JF_OK) s = jf_space_to_depth(m->ctx, plane, FDKN_FACTOR, &folded);
    if (s == JF_OK) s = jf_conv_chain(m, b->convs, FDKN_LAYERS + 1, &folded, heads, -1);
    jf_tensor_free(&folded);
    return s;
}

static jf_status fdkn_run(jf_model *m, const jf_tensor *guide, const jf_tensor *target, jf_tensor *out,
                          jf_tensor *extra)
{
    fdkn *f = m->impl;
    jf_tensor heads_img = {0}, heads_dep = {0};
    (void)extra;
    /* the guide arrives as one luma plane (metadata guide = gray) */
    jf_status s = fdkn_branch_run(m, &f->image, guide, &heads_img);
    if (s == JF_OK) s = fdkn_branch_run(m, &f->depth, target, &heads_dep);
    if (s == JF_OK) {
        jf_deform_params p = {FDKN_FACTOR, m->info.kernel_size, m->info.window_size, m->info.residual};
        s = jf_deform_average(m->ctx, &heads_img, &heads_dep, target, &p, out, NULL, NULL);
    }
    jf_tensor_free(&heads_img);
    jf_tensor_free(&heads_dep);
    return s;
}

static double fdkn_macs(const jf_model *m, int width, int height)
{
    const fdkn *f = m->impl;
    int h = (height + 3) / 4, w = (width + 3) / 4;
    double macs = 0;
    for (int i = 0; i <= FDKN_LAYERS; i++) macs += 2 * jf_conv_macs(&f->image.convs[i], h, w);
    int kk = m->info.kernel_size * m->info.kernel_size;
    return macs + (double)width * height * kk * 6; /* bilinear taps and weighting */
}

/* Six 3x3 layers at quarter resolution reach 6 * 4 = 24 pixels, the
 * deformable window 7 more; tiles start on the 4x4 folding grid. */
static int fdkn_halo(const jf_model *m) { return 24 + m->info.window_size / 2 + 1; }

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
    .create = fdkn_create,
    .run = fdkn_run,
    .destroy = fdkn_destroy,
    .macs = fdkn_macs,
    .halo = fdkn_halo,
    .align = FDKN_FACTOR,
    .bytes_per_pixel = fdkn_bytes_per_pixel,
    .max_planes = 27, /* the heads, per full-resolution pixel: 3*9*16 planes at 1/16 */
    .extra_planes = 0,
};
