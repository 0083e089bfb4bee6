/* fang.c - Fang et al.'s learned explicit smoothing kernels (CGF 2019): a
 * feature network on the guide and two coordinate planes (three 3x3
 * convolutions, the third of stride 2; dilated residual blocks at half
 * resolution; nearest x2; three more convolutions, instance norm and ReLU
 * after every one but the last) predicts 5 feature maps F and 4 x 18 offsets;
 * four affinity-weighted deformable averages then filter every target plane
 * with the same weights. Every convolution's weights are A P + B with
 * P = (l, 1/l), l = lambda / lambda_ref: computed here on the host once per
 * lambda and uploaded into the spec's convolutions. Instance norm spans the
 * whole image, so the model never tiles (arch .whole_image). The file format
 * and every decision are in tools/train/FANG_FORMAT.md; the reference is
 * tools/train/fang.py. */
#include "models/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FANG_RES 7        /* residual blocks */
#define FANG_FEAT 5       /* feature maps F (d_F) */
#define FANG_LAYERS 4     /* deformable averaging layers */
#define FANG_HEADS (FANG_FEAT + 18 * FANG_LAYERS)
#define FANG_EPS 1e-5f    /* instance norm */

/* rows of the spec */
enum {
    FANG_COORDS = 0,
    FANG_CONV1 = 1, FANG_CONV2 = 2, FANG_CONV3 = 3,
    FANG_RES0 = 4,                              /* block i: conv_a 4+3i, conv_b 5+3i, residual sum 6+3i */
    FANG_UP = FANG_RES0 + 3 * FANG_RES,         /* 25 */
    FANG_CONV4, FANG_CONV5, FANG_CONV6,         /* 26, 27, 28 */
    FANG_AVG0,                                  /* layer k: taps 29+2k, average 30+2k */
    FANG_ROWS = FANG_AVG0 + 2 * FANG_LAYERS     /* 37 */
};
#define FANG_RES_A(i) (FANG_RES0 + 3 * (i))

/* A conditioned convolution's host copies: w = a[0] l + a[1] / l + b. */
typedef struct fang_cond {
    int row;
    float *wa, *wb, *ba, *bb;   /* 2 x n, n, 2 x cout, cout */
    size_t n;
    cl_mem gamma, beta;         /* instance norm (NULL for the last convolution) */
} fang_cond;

typedef struct fang {
    int features, cin, dil[FANG_RES];
    float lambda_ref;
    float cached;               /* the lambda the uploaded weights are for (0: none yet) */
    fang_cond conv[2 * FANG_RES + 6];
    int nconv;
} fang;

/* The table for cin guide planes, nf features, the blocks' dilations. */
static void fang_rows(jf_layer *rows, int cin, int nf, const int *dil)
{
    memset(rows, 0, FANG_ROWS * sizeof *rows);
    rows[FANG_COORDS] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "coordinates", .cin = cin, .cout = cin + 2,
                                   .in = {JF_GUIDE}};
    rows[FANG_CONV1] = (jf_layer)JF_CONV_ROW("conv1", "", cin + 2, nf, 3, 1, 1, 1, JF_ACT_NONE, 1);
    rows[FANG_CONV2] = (jf_layer)JF_CONV_ROW("conv2", "", nf, nf, 3, 1, 1, 1, JF_ACT_NONE, 1);
    rows[FANG_CONV3] = (jf_layer)JF_CONV_ROW("conv3", "", nf, nf, 3, 2, 1, 1, JF_ACT_NONE, 1);
    for (int i = 0; i < FANG_RES; i++) {
        jf_layer a = JF_CONV_ROW("", "", nf, nf, 3, 1, dil[i], dil[i], JF_ACT_NONE, 2);
        jf_layer b = a;
        snprintf(a.name, sizeof a.name, "res%da", i + 1);
        snprintf(b.name, sizeof b.name, "res%db", i + 1);
        rows[FANG_RES_A(i)] = a;
        rows[FANG_RES_A(i) + 1] = b;
        /* fused into the second norm's kernel, a row so the derivations see it */
        rows[FANG_RES_A(i) + 2] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "residual sum", .cout = nf, .scale = 2,
                                             .macs = nf,
                                             .in = {JF_PREV, JF_ROW(i ? FANG_RES_A(i) - 1 : FANG_CONV3)}};
    }
    rows[FANG_UP] = (jf_layer){.kind = JF_STEP_UP, .name = "nearest x2", .cin = nf, .cout = nf, .stride = 2,
                               .scale = 2};
    rows[FANG_CONV4] = (jf_layer)JF_CONV_ROW("conv4", "", nf, nf, 3, 1, 1, 1, JF_ACT_NONE, 1);
    rows[FANG_CONV5] = (jf_layer)JF_CONV_ROW("conv5", "", nf, nf, 3, 1, 1, 1, JF_ACT_NONE, 1);
    rows[FANG_CONV6] = (jf_layer)JF_CONV_ROW("conv6", "", nf, FANG_HEADS, 3, 1, 1, 1, JF_ACT_NONE, 1);
    for (int k = 0; k < FANG_LAYERS; k++) {
        /* the offsets are unbounded, so no reach is exact: 1 is the undeformed 3x3 (the model does
         * not tile, so no halo is ever used) */
        rows[FANG_AVG0 + 2 * k] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "deformed taps", .reach = 1,
                                             .in = {k ? JF_PREV : JF_TARGET}};
        rows[FANG_AVG0 + 2 * k + 1] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "affinity average",
                                                 .macs = 9 * (6 * FANG_FEAT + 2 + 6 * 3),
                                                 .in = {JF_PREV, JF_ROW(FANG_CONV6)}};
    }
}

static jf_status fang_dilations(jf_model *m, const jf_safetensors *st, const char *what, int *dil)
{
    static const int def[FANG_RES] = {1, 2, 4, 8, 16, 2, 1};
    const char *v = jf_st_meta(st, "dilations");
    memcpy(dil, def, sizeof def);
    if (!v) return JF_OK;
    const char *p = v;
    for (int i = 0; i < FANG_RES; i++) {
        char *end;
        long d = strtol(p, &end, 10);
        if (end == p || d < 1 || d > 64 || (i < FANG_RES - 1 && *end != ',') || (i == FANG_RES - 1 && *end))
            return jf_fail(m->ctx, JF_ERR_BAD_FORMAT, "%s: metadata 'dilations' is '%s', expected %d integers "
                           "1..64 separated by commas", what, v, FANG_RES);
        dil[i] = (int)d;
        p = end + 1;
    }
    return JF_OK;
}

static jf_status read_f32(jf_model *m, const jf_safetensors *st, const char *what, const char *prefix,
                          const char *suffix, int ndim, const int64_t *shape, float **out)
{
    char name[96];
    snprintf(name, sizeof name, "%s.%s", prefix, suffix);
    return jf_tensor_f32(m->ctx, st, what, name, ndim, shape, out);
}

/* Reads one conditioned convolution's A, B and its norm's gamma, beta. */
static jf_status fang_cond_load(jf_model *m, const jf_safetensors *st, const char *what, int row, int norm,
                                fang_cond *c)
{
    const jf_layer *r = &m->spec.layer[row];
    int64_t wshape[5] = {2, r->cout, r->cin, 3, 3}, bshape[2] = {2, r->cout}, vshape[1] = {r->cout};
    float *g = NULL, *b = NULL;
    c->row = row;
    c->n = (size_t)r->cout * r->cin * 9;
    jf_status s = read_f32(m, st, what, r->name, "weight_a", 5, wshape, &c->wa);
    if (s == JF_OK) s = read_f32(m, st, what, r->name, "weight", 4, wshape + 1, &c->wb);
    if (s == JF_OK) s = read_f32(m, st, what, r->name, "bias_a", 2, bshape, &c->ba);
    if (s == JF_OK) s = read_f32(m, st, what, r->name, "bias", 1, vshape, &c->bb);
    if (s == JF_OK && norm) {
        s = read_f32(m, st, what, r->name, "norm_weight", 1, vshape, &g);
        if (s == JF_OK) s = read_f32(m, st, what, r->name, "norm_bias", 1, vshape, &b);
        if (s == JF_OK) s = jf_buffer_create(m->ctx, sizeof(float) * r->cout, g, &c->gamma);
        if (s == JF_OK) s = jf_buffer_create(m->ctx, sizeof(float) * r->cout, b, &c->beta);
    }
    free(g);
    free(b);
    return s;
}

static void fang_destroy(jf_model *m)
{
    fang *f = m->impl;
    if (!f) return;
    for (int i = 0; i < f->nconv; i++) {
        fang_cond *c = &f->conv[i];
        free(c->wa);
        free(c->wb);
        free(c->ba);
        free(c->bb);
        jf_buffer_release(c->gamma);
        jf_buffer_release(c->beta);
    }
    free(f);
    m->impl = NULL;
}

static jf_status fang_create(jf_model *m, const jf_safetensors *st, const char *what)
{
    jf_context *ctx = m->ctx;
    if (m->guide != JF_GUIDE_GRAY && m->guide != JF_GUIDE_BGR)
        return jf_fail(ctx, JF_ERR_UNSUPPORTED, "%s: fang takes a 'gray' or 'bgr' guide", what);
    if (m->info.scale != 1)
        return jf_fail(ctx, JF_ERR_BAD_FORMAT, "%s: metadata 'scale' is %d; fang filters at the guide's size (1)",
                       what, m->info.scale);
    fang *f = jf_calloc(1, sizeof *f);
    if (!f) return jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of memory");
    m->impl = f;
    f->cin = m->guide == JF_GUIDE_GRAY ? 1 : 3;
    jf_status s = jf_meta_int(ctx, st, what, "features", 64, 1, 1024, &f->features);
    if (s == JF_OK) s = fang_dilations(m, st, what, f->dil);
    if (s == JF_OK) s = jf_meta_float(ctx, st, what, "lambda_ref", 1, 0, 1e-30f, 1e30f, &f->lambda_ref);
    if (s == JF_OK && st && jf_st_meta(st, "feature_maps") && strcmp(jf_st_meta(st, "feature_maps"), "5"))
        s = jf_fail(ctx, JF_ERR_UNSUPPORTED, "%s: metadata 'feature_maps' is %s (this build runs 5)", what,
                    jf_st_meta(st, "feature_maps"));
    jf_layer rows[FANG_ROWS];
    if (s == JF_OK) {
        fang_rows(rows, f->cin, f->features, f->dil);
        s = jf_spec_build(m, st, what, rows, FANG_ROWS); /* loads every conv at B (its shapes checked) */
    }
    for (int row = 0; s == JF_OK && row < FANG_ROWS; row++)
        if (rows[row].kind == JF_STEP_CONV)
            s = fang_cond_load(m, st, what, row, row != FANG_CONV6, &f->conv[f->nconv++]);
    if (s != JF_OK) fang_destroy(m); /* the loaded rows are freed by the caller (jf_spec_free) */

    return s;
}

/* Computes every convolution's weights for m->lambda and uploads them (once per lambda). */
static jf_status fang_condition(jf_model *m)
{
    fang *f = m->impl;
    if (f->cached == m->lambda) return JF_OK;
    float l = m->lambda / f->lambda_ref, il = 1.0f / l;
    jf_status s = JF_OK;
    for (int i = 0; s == JF_OK && i < f->nconv; i++) {
        const fang_cond *c = &f->conv[i];
        const jf_layer *r = &m->spec.layer[c->row];
        float *w = jf_malloc(c->n * sizeof *w), *b = jf_malloc((size_t)r->cout * sizeof *b);
        if (!w || !b) s = jf_fail(m->ctx, JF_ERR_OUT_OF_MEMORY, "out of memory");
        for (size_t j = 0; s == JF_OK && j < c->n; j++) w[j] = l * c->wa[j] + il * c->wa[c->n + j] + c->wb[j];
        for (int j = 0; s == JF_OK && j < r->cout; j++) b[j] = l * c->ba[j] + il * c->ba[r->cout + j] + c->bb[j];
        jf_conv *conv = &m->spec.conv[c->row];
        if (s == JF_OK) {
            jf_conv fresh;
            s = jf_conv_init(m->ctx, &fresh, w, b, r->cout, r->cin, 3, 3, r->stride > 0 ? r->stride : 1, r->pad,
                             r->dil > 0 ? r->dil : 1, JF_ACT_NONE, 0.0f);
            if (s == JF_OK) {
                jf_conv_free(conv);
                *conv = fresh;
            }
        }
        free(w);
        free(b);
    }
    f->cached = s == JF_OK ? m->lambda : 0.0f;
    return s;
}

/* out = the row's convolution of in, then instance norm (+ residual) and ReLU
 * unless it is the last; out allocated here. */
static jf_status conv_norm(jf_model *m, int ci, const jf_tensor *in, const jf_tensor *residual, jf_tensor *out)
{
    const fang *f = m->impl;
    const fang_cond *c = &f->conv[ci];
    const jf_conv *conv = &m->spec.conv[c->row];
    int ho = jf_conv_out_size(in->h, 3, conv->stride, conv->pad, conv->dil);
    int wo = jf_conv_out_size(in->w, 3, conv->stride, conv->pad, conv->dil);
    jf_status s = jf_tensor_alloc(m->ctx, out, conv->cout, ho, wo);
    if (s == JF_OK) s = jf_conv_forward(m->ctx, conv, in, out, &m->ws);
    if (s == JF_OK && c->gamma) s = jf_instance_norm(m->ctx, out, c->gamma, c->beta, FANG_EPS, residual, JF_ACT_RELU, out);
    return s;
}

/* Replaces *cur with next (freeing cur). */
static void advance(jf_tensor *cur, jf_tensor *next)
{
    jf_tensor_free(cur);
    *cur = *next;
    *next = (jf_tensor){0};
}

/* The feature network: guide (cin planes) -> heads (77 planes, full size). */
static jf_status fang_heads(jf_model *m, const jf_tensor *guide, jf_tensor *heads)
{
    const fang *f = m->impl;
    jf_tensor x = {0}, y = {0}, z = {0};
    jf_status s = jf_tensor_alloc(m->ctx, &x, f->cin + 2, guide->h, guide->w);
    if (s == JF_OK) s = jf_append_coords(m->ctx, guide, &x);
    int ci = 0; /* f->conv[] in row order: conv1..3, res1a, res1b, ..., conv4..6 */
    for (; s == JF_OK && ci < 3; ci++)
        if ((s = conv_norm(m, ci, &x, NULL, &y)) == JF_OK) advance(&x, &y);
    for (int i = 0; s == JF_OK && i < FANG_RES; i++, ci += 2) {
        s = conv_norm(m, ci, &x, NULL, &y);
        if (s == JF_OK) s = conv_norm(m, ci + 1, &y, &x, &z); /* relu(x + IN(conv_b(y))) */
        jf_tensor_free(&y);
        if (s == JF_OK) advance(&x, &z);
    }
    if (s == JF_OK) s = jf_tensor_alloc(m->ctx, &y, f->features, guide->h, guide->w);
    if (s == JF_OK) s = jf_upsample_nearest(m->ctx, &x, 2, &y);
    if (s == JF_OK) advance(&x, &y);
    for (; s == JF_OK && ci < f->nconv - 1; ci++)
        if ((s = conv_norm(m, ci, &x, NULL, &y)) == JF_OK) advance(&x, &y);
    if (s == JF_OK) s = conv_norm(m, ci, &x, NULL, heads);
    jf_tensor_free(&x);
    jf_tensor_free(&y);
    jf_tensor_free(&z);
    return s;
}

static jf_status fang_run(jf_model *m, const jf_tensor *guide, const jf_tensor *target, jf_tensor *out,
                          jf_tensor *extra)
{
    (void)extra;
    jf_tensor heads = {0}, a = {0}, b = {0};
    jf_status s = fang_condition(m);
    if (s == JF_OK) s = fang_heads(m, guide, &heads);
    if (s == JF_OK) s = jf_tensor_alloc(m->ctx, &a, target->c, target->h, target->w);
    if (s == JF_OK) s = jf_tensor_alloc(m->ctx, &b, target->c, target->h, target->w);
    /* target -> a -> b -> a -> out: no layer writes what it reads */
    const jf_tensor *src = target;
    for (int k = 0; s == JF_OK && k < FANG_LAYERS; k++) {
        jf_tensor *dst = k == FANG_LAYERS - 1 ? out : k % 2 ? &b : &a;
        s = jf_affinity_average(m->ctx, &heads, 0, FANG_FEAT, FANG_FEAT + 18 * k, src, dst);
        src = dst;
    }
    jf_tensor_free(&heads);
    jf_tensor_free(&a);
    jf_tensor_free(&b);
    return s;
}

/* Per full-resolution pixel at the peak (conv6: conv5's features, the heads),
 * plus the coordinates, two averaging buffers, guide, target and output. */
static double fang_bytes_per_pixel(const jf_model *m)
{
    const fang *f = m->impl;
    return 4.0 * (2 * f->features + FANG_HEADS + 5 + 3 * 5);
}

const jf_model_arch jf_arch_fang = {
    .name = "fang",
    .guide = JF_GUIDE_BGR,
    .upsample = JF_RESIZE_PIL,
    .targets = JF_TARGETS_GRAY | JF_TARGETS_COLOUR,
    .whole_image = 1,
    .lambda = 1,
    .create = fang_create,
    .run = fang_run,
    .destroy = fang_destroy,
    .halo = jf_model_halo,
    .bytes_per_pixel = fang_bytes_per_pixel,
};
