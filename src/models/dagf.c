/* dagf.c - DAGF, deep attentional guided filtering (Zhong et al.): target and
 * guide feature pyramids; per level, coarse to fine, dual per-pixel 3x3
 * kernels blended under a light U-Net's attention map filter the previous
 * level's features (nearest x2, taps two pixels apart), and an output path
 * fuses the levels into a residual on the target. The file format and the
 * forward pass this follows step by step are in tools/train/DAGF_FORMAT.md;
 * the reference is DAGFInference in tools/train/dagf.py. */
#include "models/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAGF_MAX_LEVELS 5
#define DAGF_MAX_RES 16
#define DAGF_K 3                     /* the per-pixel kernels are 3 x 3 ... */
#define DAGF_TAPS (DAGF_K * DAGF_K)
#define DAGF_GATHER 2                /* ... over the nearest-x2 features: input at 1/2 (dilation 2) */
#define DAGF_STEPS 11                /* progress steps per tile (for 3 levels: pyramids, 3 per level, result) */

/* The spec rows of one level that its run reads. */
typedef struct dagf_level {
    int in_conv1, in_conv2;            /* the input path at half the level's size */
    int res_conv1[DAGF_MAX_RES];       /* each block's first conv; its second is the row after */
    int conv_in, enc1, enc2, mid1, mid2, dec1, dec2, conv_out; /* the attention U-Net */
    int kernel_target, kernel_guide;   /* the first of two 1x1 rows each */
    int out_conv, out_fuse;            /* the output path (out_fuse: levels > 0) */
    /* the level's scalars */
    float res_slope[DAGF_MAX_RES];     /* PReLU after each residual add */
    float kernel_scale;                /* c of tanh(K) / c */
    float lambda;                      /* the fusion's weight of the coarser output path (levels > 0) */
} dagf_level;

typedef struct dagf {
    int features, levels, res_blocks;
    int head[2];                       /* target, guide: the first of the two head rows */
    int pyramid[2][DAGF_MAX_LEVELS];   /* each pyramid step's conv1; conv2 is two rows on (after the fold) */
    dagf_level level[DAGF_MAX_LEVELS];
    int residual;                      /* the last level's residual conv */
} dagf;

static const char *const dagf_branch[2] = {"target", "guide"};

/* ---- the spec --------------------------------------------------------- */

typedef struct dagf_table {
    jf_layer *rows;
    int n;
} dagf_table;

/* Appends a row and returns its index. The table has JF_SPEC_MAX_ROWS rows,
 * more than the largest DAGF the metadata allows needs. */
static int add_row(dagf_table *t, jf_layer r) { return t->rows[t->n] = r, t->n++; }

/* A same-size convolution (zero padding k/2) at 1/scale, reading `in`; with
 * `prelu` its one-parameter PReLU "<name>.slope". */
static int add_conv(dagf_table *t, const char *name, int cin, int cout, int k, int prelu, int scale, int in)
{
    jf_layer r = JF_CONV_ROW("", "", cin, cout, k, 1, k / 2, 1, prelu ? JF_ACT_LEAKY : JF_ACT_NONE, scale);
    /* the names are short (the longest, "level.4.attention.conv_out.slope", has 32 characters) */
    snprintf(r.name, sizeof r.name, "%.63s", name);
    if (prelu) snprintf(r.prelu, sizeof r.prelu, "%.57s.slope", name);
    r.in[0] = in;
    return add_row(t, r);
}

/* A row without weights: FOLD / UP with factor f, LOCAL with reach f. */
static int add_step(dagf_table *t, jf_step kind, const char *name, int cin, int cout, int f, int scale, double macs,
                    int in0, int in1, int in2)
{
    jf_layer r = {.kind = kind, .cin = cin, .cout = cout, .scale = scale, .macs = macs, .in = {in0, in1, in2}};
    if (kind == JF_STEP_LOCAL) r.reach = f;
    else r.stride = f;
    snprintf(r.name, sizeof r.name, "%.63s", name);
    return add_row(t, r);
}

/* The attention U-Net of level i on the level's features at 1/s (rows in d->level[i]). */
static int dagf_attention_rows(dagf_table *t, dagf *d, int i, int s, int ft, int fg)
{
    dagf_level *lv = &d->level[i];
    int F = d->features;
    char p[32], n[64];
    snprintf(p, sizeof p, "level.%d.attention", i);
#define NAME(x) (snprintf(n, sizeof n, "%s.%s", p, x), n)
    /* the concatenation is a buffer of its own: a row, so that the planes per pixel count it */
    add_step(t, JF_STEP_LOCAL, NAME("cat(ft, fg)"), 2 * F, 2 * F, 0, s, 0, JF_ROW(ft), JF_ROW(fg), 0);
    lv->conv_in = add_conv(t, NAME("conv_in"), 2 * F, F, 3, 1, s, JF_PREV);
    lv->enc1 = add_conv(t, NAME("enc1"), F, F / 2, 3, 1, s, JF_PREV);
    int e1 = add_step(t, JF_STEP_FOLD, NAME("e1 = unshuffle(enc1)"), F / 2, 2 * F, 2, s, 0, JF_PREV, 0, 0);
    lv->enc2 = add_conv(t, NAME("enc2"), 2 * F, F, 3, 1, 2 * s, JF_PREV);
    int e2 = add_step(t, JF_STEP_FOLD, NAME("e2 = unshuffle(enc2)"), F, 4 * F, 2, 2 * s, 0, JF_PREV, 0, 0);
    lv->mid1 = add_conv(t, NAME("mid1"), 4 * F, 4 * F, 3, 1, 4 * s, JF_PREV);
    lv->mid2 = add_conv(t, NAME("mid2"), 4 * F, 4 * F, 3, 1, 4 * s, JF_PREV);
    add_step(t, JF_STEP_LOCAL, NAME("mid2 + e2"), 4 * F, 4 * F, 0, 4 * s, 1, JF_PREV, JF_ROW(e2), 0);
    lv->dec1 = add_conv(t, NAME("dec1"), 4 * F, 8 * F, 3, 1, 4 * s, JF_PREV);
    add_step(t, JF_STEP_UP, NAME("shuffle(dec1)"), 8 * F, 2 * F, 2, 4 * s, 0, JF_PREV, 0, 0);
    add_step(t, JF_STEP_LOCAL, NAME("d1 + e1"), 2 * F, 2 * F, 0, 2 * s, 1, JF_PREV, JF_ROW(e1), 0);
    lv->dec2 = add_conv(t, NAME("dec2"), 2 * F, 4 * F, 3, 1, 2 * s, JF_PREV);
    add_step(t, JF_STEP_UP, NAME("shuffle(dec2)"), 4 * F, F, 2, 2 * s, 0, JF_PREV, 0, 0);
    add_step(t, JF_STEP_LOCAL, NAME("d2 + conv_in"), F, F, 0, s, 1, JF_PREV, JF_ROW(lv->conv_in), 0);
    lv->conv_out = add_conv(t, NAME("conv_out"), F, 1, 3, 1, s, JF_PREV);
#undef NAME
    return lv->conv_out;
}

/* The network as rows, in the order of the forward pass (DAGF_FORMAT.md). */
static void dagf_rows(dagf_table *t, dagf *d)
{
    int F = d->features, L = d->levels, R = d->res_blocks;
    int feat[2][DAGF_MAX_LEVELS], x_prev = 0, y_prev = 0;
    char n[64];
    /* 1. the replicated bottom/right padding to a multiple of 2^(L+1): a PAD row of
     * reach 0 (how much depends on the image; jf_spec_macs is given the padded size) */
    int pad[2];
    pad[0] = add_step(t, JF_STEP_PAD, "pad target (replicate)", 1, 1, 0, 1, 0, JF_TARGET, 0, 0);
    pad[1] = add_step(t, JF_STEP_PAD, "pad guide (replicate)", 3, 3, 0, 1, 0, JF_GUIDE, 0, 0);
    for (int b = 0; b < 2; b++) {
        /* 2. heads: 3x3 conv, then 1x1 conv + PReLU, at full size */
        snprintf(n, sizeof n, "head.%s.conv1", dagf_branch[b]);
        d->head[b] = add_conv(t, n, b ? 3 : 1, F, 3, 0, 1, JF_ROW(pad[b]));
        snprintf(n, sizeof n, "head.%s.conv2", dagf_branch[b]);
        feat[b][0] = add_conv(t, n, F, F, 1, 1, 1, JF_PREV);
        /* 3. pyramid steps: 3x3 conv + PReLU, unshuffle by 2, 1x1 conv + PReLU */
        for (int p = 0; p < L - 1; p++) {
            int s = 1 << p;
            snprintf(n, sizeof n, "pyramid.%s.%d.conv1", dagf_branch[b], p);
            d->pyramid[b][p] = add_conv(t, n, F, F, 3, 1, s, JF_ROW(feat[b][p]));
            snprintf(n, sizeof n, "pyramid.%s.%d unshuffle", dagf_branch[b], p);
            add_step(t, JF_STEP_FOLD, n, F, 4 * F, 2, s, 0, JF_PREV, 0, 0);
            snprintf(n, sizeof n, "pyramid.%s.%d.conv2", dagf_branch[b], p);
            feat[b][p + 1] = add_conv(t, n, 4 * F, F, 1, 1, 2 * s, JF_PREV);
        }
    }
    /* 4. levels, coarse to fine: level i at 1/s, its input path at 1/(2s) */
    for (int i = 0; i < L; i++) {
        dagf_level *lv = &d->level[i];
        int j = L - 1 - i, s = 1 << j, hs = 2 * s;
        /* 4.1 the target pooled to half the level's size: each output averages an hs x hs
         * block, which a FOLD row reaches exactly (one plane out: the mean, not the stack) */
        snprintf(n, sizeof n, "level.%d target pool %d", i, hs);
        add_step(t, JF_STEP_FOLD, n, 1, 1, hs, 1, (double)hs * hs, JF_ROW(pad[0]), 0, 0);
        /* 4.2 input convs, the previous level's filtered features concatenated */
        snprintf(n, sizeof n, "level.%d.input.conv1", i);
        lv->in_conv1 = add_conv(t, n, 1, F, 3, 1, hs, JF_PREV);
        if (i > 0) {
            snprintf(n, sizeof n, "level.%d cat(input, X of level %d)", i, i - 1);
            add_step(t, JF_STEP_LOCAL, n, 2 * F, 2 * F, 0, hs, 0, JF_PREV, JF_ROW(x_prev), 0);
        }
        snprintf(n, sizeof n, "level.%d.input.conv2", i);
        int z = lv->in_conv2 = add_conv(t, n, i ? 2 * F : F, F, 3, 0, hs, JF_PREV);
        /* 4.3 residual blocks */
        for (int r = 0; r < R; r++) {
            snprintf(n, sizeof n, "level.%d.res.%d.conv1", i, r);
            lv->res_conv1[r] = add_conv(t, n, F, F, 3, 1, hs, JF_ROW(z));
            snprintf(n, sizeof n, "level.%d.res.%d.conv2", i, r);
            add_conv(t, n, F, F, 3, 0, hs, JF_PREV);
            snprintf(n, sizeof n, "level.%d.res.%d + x, PReLU", i, r);
            z = add_step(t, JF_STEP_LOCAL, n, F, F, 0, hs, 1, JF_PREV, JF_ROW(z), 0);
        }
        /* 4.4 + 4.7 the filter's taps: 3x3 two pixels apart on the nearest x2 of z are
         * 3x3 neighbours on z itself, reach 1 at half the level's size; then up to the level */
        snprintf(n, sizeof n, "level.%d filter taps (3x3 at 1/2)", i);
        add_step(t, JF_STEP_LOCAL, n, F, F, 1, hs, 0, JF_ROW(z), 0, 0);
        snprintf(n, sizeof n, "level.%d nearest x2", i);
        int taps = add_step(t, JF_STEP_UP, n, F, F, 2, hs, 0, JF_PREV, 0, 0);
        /* 4.5 attention, 4.6 dual kernels and their fusion */
        int att = dagf_attention_rows(t, d, i, s, feat[0][j], feat[1][j]);
        int kern[2];
        for (int b = 0; b < 2; b++) {
            snprintf(n, sizeof n, "level.%d.kernel_%s.conv1", i, dagf_branch[b]);
            int first = add_conv(t, n, F, F, 1, 1, s, JF_ROW(feat[b][j]));
            snprintf(n, sizeof n, "level.%d.kernel_%s.conv2", i, dagf_branch[b]);
            kern[b] = add_conv(t, n, F, DAGF_TAPS, 1, 0, s, JF_PREV);
            if (b) lv->kernel_guide = first;
            else lv->kernel_target = first;
        }
        snprintf(n, sizeof n, "level.%d kernel fusion", i);
        /* softmax, blend, tanh and the L1 bound: about 8 operations per tap */
        int fused = add_step(t, JF_STEP_LOCAL, n, 2 * DAGF_TAPS + 1, DAGF_TAPS, 0, s, 8.0 * DAGF_TAPS, JF_ROW(att),
                             JF_ROW(kern[0]), JF_ROW(kern[1]));
        /* 4.7 the guided filter: the pixel's 9 weights on every channel's taps */
        snprintf(n, sizeof n, "level.%d guided filter", i);
        x_prev = add_step(t, JF_STEP_LOCAL, n, F, F, 0, s, (double)DAGF_TAPS * F, JF_ROW(taps), JF_ROW(fused), 0);
        /* 4.8 output path */
        snprintf(n, sizeof n, "level.%d.output.conv", i);
        int o = lv->out_conv = add_conv(t, n, F, F, 3, 1, s, JF_ROW(x_prev));
        if (i > 0) {
            snprintf(n, sizeof n, "level.%d output nearest x2 of level %d", i, i - 1);
            int up = add_step(t, JF_STEP_UP, n, F, F, 2, hs, 0, JF_ROW(y_prev), 0, 0);
            snprintf(n, sizeof n, "level.%d lambda * up + output", i);
            add_step(t, JF_STEP_LOCAL, n, 2 * F, F, 0, s, 1, JF_ROW(o), JF_ROW(up), 0);
            snprintf(n, sizeof n, "level.%d.output.fuse", i);
            o = lv->out_fuse = add_conv(t, n, F, F, 3, 1, s, JF_PREV);
        }
        y_prev = o;
    }
    /* 5. the residual plane (with its PReLU) plus the padded target, cropped */
    snprintf(n, sizeof n, "level.%d.output.residual", L - 1);
    d->residual = add_conv(t, n, F, 1, 3, 1, 1, JF_ROW(y_prev));
    add_step(t, JF_STEP_LOCAL, "residual + target", 2, 1, 0, 1, 1, JF_PREV, JF_ROW(pad[0]), 0);
}

static jf_status dagf_scalars(jf_model *m, const jf_safetensors *st, const char *what, dagf *d)
{
    char n[64];
    jf_status s = JF_OK;
    for (int i = 0; s == JF_OK && i < d->levels; i++) {
        dagf_level *lv = &d->level[i];
        for (int r = 0; s == JF_OK && r < d->res_blocks; r++) {
            snprintf(n, sizeof n, "level.%d.res.%d.slope", i, r);
            s = jf_tensor_scalar(m->ctx, st, what, n, &lv->res_slope[r]);
        }
        snprintf(n, sizeof n, "level.%d.kernel_scale", i);
        if (s == JF_OK) s = jf_tensor_scalar(m->ctx, st, what, n, &lv->kernel_scale);
        if (s == JF_OK && !(lv->kernel_scale != 0.0f))
            s = jf_fail(m->ctx, JF_ERR_BAD_FORMAT, "%s: tensor '%s' is %g (the kernels are divided by it)", what, n,
                        (double)lv->kernel_scale);
        snprintf(n, sizeof n, "level.%d.output.scale", i);
        if (s == JF_OK && i > 0) s = jf_tensor_scalar(m->ctx, st, what, n, &lv->lambda);
    }
    return s;
}

/* A file with more levels or residual blocks than its metadata says is
 * malformed, not a smaller model. */
static jf_status dagf_no_extra(jf_model *m, const jf_safetensors *st, const char *what, const dagf *d)
{
    char n[64];
    snprintf(n, sizeof n, "level.%d.input.conv1.weight", d->levels);
    if (jf_st_find(st, n))
        return jf_fail(m->ctx, JF_ERR_BAD_FORMAT, "%s: tensor '%s' exists but metadata 'levels' is %d", what, n,
                       d->levels);
    snprintf(n, sizeof n, "level.0.res.%d.conv1.weight", d->res_blocks);
    if (jf_st_find(st, n))
        return jf_fail(m->ctx, JF_ERR_BAD_FORMAT, "%s: tensor '%s' exists but metadata 'res_blocks' is %d", what, n,
                       d->res_blocks);
    return JF_OK;
}

static jf_status dagf_create(jf_model *m, const jf_safetensors *st, const char *what)
{
    jf_context *ctx = m->ctx;
    dagf *d = jf_calloc(1, sizeof *d);
    jf_layer *rows = jf_calloc(JF_SPEC_MAX_ROWS, sizeof *rows);
    jf_status s = d && rows ? JF_OK : jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of memory");
    if (s == JF_OK) s = jf_meta_int(ctx, st, what, "features", 32, 2, 1024, &d->features);
    if (s == JF_OK && d->features % 2)
        s = jf_fail(ctx, JF_ERR_BAD_FORMAT, "%s: metadata 'features' is %d, expected an even number (enc1 halves it)",
                    what, d->features);
    if (s == JF_OK) s = jf_meta_int(ctx, st, what, "levels", 3, 1, DAGF_MAX_LEVELS, &d->levels);
    if (s == JF_OK) s = jf_meta_int(ctx, st, what, "res_blocks", 2, 0, DAGF_MAX_RES, &d->res_blocks);
    if (s == JF_OK) s = dagf_no_extra(m, st, what, d);
    if (s == JF_OK) {
        dagf_table t = {rows, 0};
        dagf_rows(&t, d);
        s = jf_spec_build(m, st, what, rows, t.n);
    }
    if (s == JF_OK) s = dagf_scalars(m, st, what, d);
    free(rows);
    if (s != JF_OK) {
        free(d); /* the loaded rows are freed by the caller (jf_spec_free) */
        return s;
    }
    m->impl = d;
    return JF_OK;
}

static void dagf_destroy(jf_model *m)
{
    free(m->impl);
    m->impl = NULL;
}

/* ---- the run: DAGF_FORMAT.md's forward pass ---------------------------- */

static int round_up(int v, int m) { return (v + m - 1) / m * m; }

/* Progress: `done` of the run's 3 * levels + 2 units, as a step of DAGF_STEPS. */
static jf_status dagf_progress(jf_model *m, int done)
{
    const dagf *d = m->impl;
    int total = 3 * d->levels + 2;
    return jf_model_step(m, (done * DAGF_STEPS + total - 1) / total);
}

/* out = the same-size convolution of spec row `row` on in (allocated here). */
static jf_status conv(jf_model *m, int row, const jf_tensor *in, jf_tensor *out)
{
    const jf_conv *c = &m->spec.conv[row];
    jf_status s = jf_tensor_alloc(m->ctx, out, c->cout, in->h, in->w);
    if (s == JF_OK) s = jf_conv_forward(m->ctx, c, in, out, &m->ws);
    return s;
}

/* out = cat(a, b) along the channels, a's first. */
static jf_status cat(jf_context *ctx, const jf_tensor *a, const jf_tensor *b, jf_tensor *out)
{
    jf_status s = jf_tensor_alloc(ctx, out, a->c + b->c, a->h, a->w);
    if (s == JF_OK) s = jf_tensor_copy_planes(ctx, a, 0, out, 0, a->c);
    if (s == JF_OK) s = jf_tensor_copy_planes(ctx, b, 0, out, a->c, b->c);
    return s;
}

static jf_status unshuffle(jf_context *ctx, const jf_tensor *in, jf_tensor *out)
{
    jf_status s = jf_tensor_alloc(ctx, out, 4 * in->c, in->h / 2, in->w / 2);
    return s == JF_OK ? jf_space_to_depth(ctx, in, 2, out) : s;
}

static jf_status shuffle(jf_context *ctx, const jf_tensor *in, jf_tensor *out)
{
    jf_status s = jf_tensor_alloc(ctx, out, in->c / 4, 2 * in->h, 2 * in->w);
    return s == JF_OK ? jf_pixel_shuffle(ctx, in, 2, out) : s;
}

/* Steps 2-3: one branch's features at every pyramid level: f[p] is F x Hp/2^p x Wp/2^p. */
static jf_status dagf_pyramid(jf_model *m, int branch, const jf_tensor *img, jf_tensor *f)
{
    const dagf *d = m->impl;
    jf_tensor a = {0}, b = {0};
    jf_status s = jf_conv_chain(m, &m->spec.conv[d->head[branch]], 2, img, &f[0], -1);
    for (int p = 0; s == JF_OK && p < d->levels - 1; p++) {
        int row = d->pyramid[branch][p];
        s = conv(m, row, &f[p], &a);
        const jf_conv *c2 = &m->spec.conv[row + 2];
        if (s == JF_OK && c2->path == JF_CONV_DIRECT) {
            /* the 1x1 conv over unshuffle(a) by 2 is a 2x2 stride-2 conv over a: input
             * channel ci*4 + 2*dy + dx is a's ci at (2y + dy, 2x + dx), and the direct
             * kernel's weight rows, in (ci, ky, kx) order, are the same bytes. The same
             * products in the same order, without the unshuffled copy. (CLBlast's path
             * keeps the copy: the 1x1 conv is one SGEMM on it, no im2col workspace.) */
            jf_conv folded = *c2;
            folded.cin = c2->cin / 4;
            folded.kh = folded.kw = folded.stride = 2;
            s = jf_tensor_alloc(m->ctx, &f[p + 1], c2->cout, a.h / 2, a.w / 2);
            if (s == JF_OK) s = jf_conv_forward(m->ctx, &folded, &a, &f[p + 1], &m->ws);
        } else if (s == JF_OK) {
            s = unshuffle(m->ctx, &a, &b);
            if (s == JF_OK) s = conv(m, row + 2, &b, &f[p + 1]);
        }
        jf_tensor_free(&a);
        jf_tensor_free(&b);
    }
    return s;
}

/* Steps 4.1-4.3: the features level i filters, at half its size: the pooled
 * target's input convs (with the previous level's X concatenated) and the
 * residual blocks. */
static jf_status dagf_input(jf_model *m, int i, const jf_tensor *tp, const jf_tensor *x_prev, jf_tensor *z)
{
    const dagf *d = m->impl;
    const dagf_level *lv = &d->level[i];
    jf_context *ctx = m->ctx;
    int f = 2 << (d->levels - 1 - i); /* 2^(j+1) */
    jf_tensor t = {0}, a = {0}, c = {0}, r1 = {0}, r2 = {0};
    jf_status s = jf_tensor_alloc(ctx, &t, 1, tp->h / f, tp->w / f);
    if (s == JF_OK) s = jf_avg_pool(ctx, tp, f, &t);
    if (s == JF_OK) s = conv(m, lv->in_conv1, &t, &a);
    jf_tensor_free(&t);
    if (s == JF_OK && x_prev) {
        s = cat(ctx, &a, x_prev, &c);
        jf_tensor_free(&a);
        a = c;
    }
    if (s == JF_OK) s = conv(m, lv->in_conv2, &a, z);
    jf_tensor_free(&a);
    for (int r = 0; s == JF_OK && r < d->res_blocks; r++) {
        /* z = PReLU(conv2(conv1(z)) + z), the sum written over z */
        s = conv(m, lv->res_conv1[r], z, &r1);
        if (s == JF_OK) s = conv(m, lv->res_conv1[r] + 1, &r1, &r2);
        jf_tensor_free(&r1);
        if (s == JF_OK) s = jf_add_act(ctx, &r2, z, JF_ACT_LEAKY, lv->res_slope[r], z);
        jf_tensor_free(&r2);
    }
    return s;
}

/* Step 4.5: the attention U-Net on [ft, fg]: one plane at the level's size. */
static jf_status dagf_attention(jf_model *m, const dagf_level *lv, const jf_tensor *ft, const jf_tensor *fg,
                                jf_tensor *att)
{
    jf_context *ctx = m->ctx;
    jf_tensor in = {0}, x0 = {0}, t = {0}, e1 = {0}, e2 = {0}, u = {0}, d1 = {0}, d2 = {0};
    jf_status s = cat(ctx, ft, fg, &in);
    if (s == JF_OK) s = conv(m, lv->conv_in, &in, &x0); /* x0 = conv_in(cat(ft, fg)) */
    jf_tensor_free(&in);
    if (s == JF_OK) s = conv(m, lv->enc1, &x0, &t); /* e1 = unshuffle(enc1(x0)) */
    if (s == JF_OK) s = unshuffle(ctx, &t, &e1);
    jf_tensor_free(&t);
    if (s == JF_OK) s = conv(m, lv->enc2, &e1, &t); /* e2 = unshuffle(enc2(e1)) */
    if (s == JF_OK) s = unshuffle(ctx, &t, &e2);
    jf_tensor_free(&t);
    if (s == JF_OK) s = conv(m, lv->mid1, &e2, &t); /* m = mid2(mid1(e2)) + e2 */
    if (s == JF_OK) s = conv(m, lv->mid2, &t, &u);
    jf_tensor_free(&t);
    if (s == JF_OK) s = jf_add_act(ctx, &u, &e2, JF_ACT_NONE, 0.0f, &u);
    jf_tensor_free(&e2);
    if (s == JF_OK) s = conv(m, lv->dec1, &u, &t); /* d1 = shuffle(dec1(m)) */
    jf_tensor_free(&u);
    if (s == JF_OK) s = shuffle(ctx, &t, &d1);
    jf_tensor_free(&t);
    if (s == JF_OK) s = jf_add_act(ctx, &d1, &e1, JF_ACT_NONE, 0.0f, &d1); /* d2 = shuffle(dec2(d1 + e1)) */
    jf_tensor_free(&e1);
    if (s == JF_OK) s = conv(m, lv->dec2, &d1, &t);
    jf_tensor_free(&d1);
    if (s == JF_OK) s = shuffle(ctx, &t, &d2);
    jf_tensor_free(&t);
    if (s == JF_OK) s = jf_add_act(ctx, &d2, &x0, JF_ACT_NONE, 0.0f, &d2); /* A = conv_out(d2 + x0) */
    jf_tensor_free(&x0);
    if (s == JF_OK) s = conv(m, lv->conv_out, &d2, att);
    jf_tensor_free(&d2);
    return s;
}

/* Steps 4.5-4.6: the level's fused per-pixel kernels, 9 x h x w. */
static jf_status dagf_kernels(jf_model *m, const dagf_level *lv, const jf_tensor *ft, const jf_tensor *fg,
                              jf_tensor *k)
{
    jf_tensor att = {0}, kt = {0}, kg = {0};
    jf_status s = dagf_attention(m, lv, ft, fg, &att);
    if (s == JF_OK) s = jf_conv_chain(m, &m->spec.conv[lv->kernel_target], 2, ft, &kt, -1);
    if (s == JF_OK) s = jf_conv_chain(m, &m->spec.conv[lv->kernel_guide], 2, fg, &kg, -1);
    if (s == JF_OK) s = jf_tensor_alloc(m->ctx, k, DAGF_TAPS, ft->h, ft->w);
    /* K = tanh(A * softmax(Kt) + (1 - A) * softmax(Kg)) / c, L1-bounded */
    if (s == JF_OK) s = jf_fuse_kernels(m->ctx, &kt, &kg, &att, lv->kernel_scale, k);
    jf_tensor_free(&att);
    jf_tensor_free(&kt);
    jf_tensor_free(&kg);
    return s;
}

/* Step 4: level i on its pyramid features ft, fg. *x: the previous level's
 * filtered features in (empty for i = 0), this level's out; *y likewise for
 * the output path. `done` counts progress units. */
static jf_status dagf_level_run(jf_model *m, int i, const jf_tensor *ft, const jf_tensor *fg, const jf_tensor *tp,
                                jf_tensor *x, jf_tensor *y, int *done)
{
    const dagf *d = m->impl;
    const dagf_level *lv = &d->level[i];
    jf_context *ctx = m->ctx;
    jf_tensor z = {0}, k = {0}, xn = {0}, o = {0}, fused = {0};
    jf_status s = dagf_input(m, i, tp, i ? x : NULL, &z);
    jf_tensor_free(x);
    if (s == JF_OK) s = dagf_progress(m, ++*done);
    if (s == JF_OK) s = dagf_kernels(m, lv, ft, fg, &k);
    if (s == JF_OK) s = dagf_progress(m, ++*done);
    /* 4.4 + 4.7: X = the kernels over the nearest x2 of z, taps two pixels apart */
    if (s == JF_OK) s = jf_tensor_alloc(ctx, &xn, d->features, ft->h, ft->w);
    if (s == JF_OK) s = jf_pixel_kernel_filter(ctx, &z, &k, DAGF_K, DAGF_GATHER, &xn);
    jf_tensor_free(&z);
    jf_tensor_free(&k);
    /* 4.8: O = conv(X); on later levels O = fuse(lambda * up2(Y) + O) */
    if (s == JF_OK) s = conv(m, lv->out_conv, &xn, &o);
    if (s == JF_OK && i > 0) {
        s = jf_add_upsampled(ctx, &o, y, 2, lv->lambda, &o);
        if (s == JF_OK) s = conv(m, lv->out_fuse, &o, &fused);
        jf_tensor_free(&o);
        o = fused;
    }
    jf_tensor_free(y);
    if (s == JF_OK) s = dagf_progress(m, ++*done);
    if (s != JF_OK) {
        jf_tensor_free(&xn);
        jf_tensor_free(&o);
        return s;
    }
    *x = xn;
    *y = o;
    return JF_OK;
}

static jf_status dagf_run(jf_model *m, const jf_tensor *guide, const jf_tensor *target, jf_tensor *out,
                          jf_tensor *extra)
{
    const dagf *d = m->impl;
    jf_context *ctx = m->ctx;
    int L = d->levels, H = target->h, W = target->w, M = 2 << L; /* 2^(L+1) */
    int Hp = round_up(H, M), Wp = round_up(W, M), done = 0;
    jf_tensor tp = {0}, gp = {0}, ft[DAGF_MAX_LEVELS] = {{0}}, fg[DAGF_MAX_LEVELS] = {{0}};
    jf_tensor x = {0}, y = {0}, res = {0};
    (void)extra;
    if (guide->c != 3 || guide->h != H || guide->w != W)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "dagf: guide %dx%dx%d, expected 3 planes of %dx%d", guide->c,
                       guide->h, guide->w, H, W);
    /* 1. pad bottom/right to multiples of M by replicating the last row and column */
    jf_status s = jf_tensor_alloc(ctx, &tp, 1, Hp, Wp);
    if (s == JF_OK) s = jf_pad_replicate(ctx, target, &tp);
    if (s == JF_OK) s = jf_tensor_alloc(ctx, &gp, 3, Hp, Wp);
    if (s == JF_OK) s = jf_pad_replicate(ctx, guide, &gp);
    /* 2-3. heads and pyramids */
    if (s == JF_OK) s = dagf_pyramid(m, 0, &tp, ft);
    if (s == JF_OK) s = dagf_pyramid(m, 1, &gp, fg);
    jf_tensor_free(&gp);
    if (s == JF_OK) s = dagf_progress(m, ++done);
    /* 4. levels, coarse to fine; each level's pyramid features are freed once used */
    for (int i = 0; s == JF_OK && i < L; i++) {
        int j = L - 1 - i;
        s = dagf_level_run(m, i, &ft[j], &fg[j], &tp, &x, &y, &done);
        jf_tensor_free(&ft[j]);
        jf_tensor_free(&fg[j]);
    }
    jf_tensor_free(&x);
    /* 5. out = PReLU(conv residual(Y)) + Tp, cropped to H x W */
    if (s == JF_OK) s = conv(m, d->residual, &y, &res);
    jf_tensor_free(&y);
    if (s == JF_OK && Hp == H && Wp == W) {
        s = jf_add_act(ctx, &res, &tp, JF_ACT_NONE, 0.0f, out);
    } else if (s == JF_OK) {
        s = jf_add_act(ctx, &res, &tp, JF_ACT_NONE, 0.0f, &res);
        if (s == JF_OK) s = jf_tensor_copy_rect(ctx, &res, 0, 0, out, 0, 0, W, H);
    }
    if (s == JF_OK) s = dagf_progress(m, ++done);
    for (int j = 0; j < DAGF_MAX_LEVELS; j++) {
        jf_tensor_free(&ft[j]);
        jf_tensor_free(&fg[j]);
    }
    jf_tensor_free(&tp);
    jf_tensor_free(&gp);
    jf_tensor_free(&res);
    return s;
}

/* The spec's count at the padded size, where the network runs. */
static double dagf_macs(const jf_model *m, int width, int height)
{
    const dagf *d = m->impl;
    int M = 2 << d->levels;
    return jf_spec_macs(m->spec.layer, m->spec.n, round_up(width, M), round_up(height, M));
}

/* Device memory per (padded) pixel of a tile, in planes of F channels at full
 * size, at the peak, the finest level's attention net: the full-size pyramid
 * features of both branches (2F) kept for the kernel heads, the U-Net's x0,
 * dec2's output and its shuffle (3F), the half-size z and Y (F/2); the coarser
 * pyramid levels are freed as their level ends. On top: the padded target and
 * guide, the tile's guide, target and output and the caller's upsampled
 * target and prepared guide (16 planes). The convolution workspace comes on
 * top (m->ws_bytes_per_pixel). Measured (every tensor allocation counted, one
 * untiled run, host images): 216 bytes per pixel at F = 8 (this gives 240),
 * 728 at F = 32 (768). */
static double dagf_bytes_per_pixel(const jf_model *m)
{
    const dagf *d = m->impl;
    return 4.0 * (5.5 * d->features + 16);
}

const jf_model_arch jf_arch_dagf = {
    .name = "dagf",
    .guide = JF_GUIDE_BGR,
    .upsample = JF_RESIZE_PIL,
    .degradation = "bicubic",
    .create = dagf_create,
    .run = dagf_run,
    .destroy = dagf_destroy,
    .macs = dagf_macs,
    .halo = jf_model_halo,
    .bytes_per_pixel = dagf_bytes_per_pixel,
    .steps = DAGF_STEPS,
};
