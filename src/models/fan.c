/* fan.c - Fan et al.'s unsupervised smoothing network ("Image Smoothing via
 * Unsupervised Learning"): the colour target at 255 * RGB - 115, three 3x3
 * convolutions (the third of stride 2), residual blocks of dilated 3x3
 * convolutions at half resolution, a 4x4 transposed convolution back up, a
 * 3x3 and a 1x1 convolution, and the result added to the target. BatchNorm
 * (running statistics) is folded into every convolution, so the network has
 * no whole-image reduction and tiles with the halo its table derives. The
 * file format is tools/train/FAN_FORMAT.md; the reference is FanNet in eval
 * mode (tools/train/fan.py). */
#include "models/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAN_MAX_BLOCKS 16
#define FAN_MAX_ROWS (8 + 3 * FAN_MAX_BLOCKS)

static const int fan_dilations[] = {2, 2, 4, 4, 8, 8, 16, 16, 1, 1};

typedef struct fan {
    int features, blocks;
    int dil[FAN_MAX_BLOCKS];
    float in_scale, in_offset;  /* the network sees in_scale * RGB - in_offset ... */
    int conv1, block0, deconv, conv5, out; /* rows; block b's convs are block0 + 3b, + 1 */
} fan;

/* "2,2,4,..." into d->dil (1..64 each, at most FAN_MAX_BLOCKS). */
static jf_status fan_parse_dilations(jf_context *ctx, const char *what, const char *v, fan *d)
{
    d->blocks = 0;
    const char *p = v;
    while (*p) {
        char *end = NULL;
        long x = strtol(p, &end, 10);
        if (end == p || x < 1 || x > 64 || d->blocks == FAN_MAX_BLOCKS || (*end && *end != ','))
            return jf_fail(ctx, JF_ERR_BAD_FORMAT,
                           "%s: metadata 'dilations' is '%s' (1 to %d comma-separated dilations, 1..64 each)", what,
                           v, FAN_MAX_BLOCKS);
        d->dil[d->blocks++] = (int)x;
        p = *end ? end + 1 : end;
    }
    if (!d->blocks)
        return jf_fail(ctx, JF_ERR_BAD_FORMAT, "%s: metadata 'dilations' is empty", what);
    return JF_OK;
}

/* The network as rows, in the order of the forward pass. */
static int fan_rows(fan *d, jf_layer *rows)
{
    int F = d->features, n = 0;
    /* the intensity map 255 * x - 115 (zero padding then lies at RGB 115/255, as in PyTorch) */
    rows[n++] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "255 * target - 115", .cin = 3, .cout = 3, .macs = 1,
                           .in = {JF_TARGET}};
    d->conv1 = n;
    rows[n++] = (jf_layer)JF_CONV_ROW("conv1", "bn1", 3, F, 3, 1, 1, 1, JF_ACT_RELU, 1);
    rows[n++] = (jf_layer)JF_CONV_ROW("conv2", "bn2", F, F, 3, 1, 1, 1, JF_ACT_RELU, 1);
    rows[n++] = (jf_layer)JF_CONV_ROW("conv3", "bn3", F, F, 3, 2, 1, 1, JF_ACT_RELU, 1);
    d->block0 = n;
    for (int b = 0; b < d->blocks; b++) {
        int x = n - 1, dl = d->dil[b];
        jf_layer c1 = JF_CONV_ROW("", "", F, F, 3, 1, dl, dl, JF_ACT_RELU, 2);
        jf_layer c2 = JF_CONV_ROW("", "", F, F, 3, 1, dl, dl, JF_ACT_NONE, 2);
        snprintf(c1.name, sizeof c1.name, "res.%d.conv1", b);
        snprintf(c1.bn, sizeof c1.bn, "res.%d.bn1", b);
        snprintf(c2.name, sizeof c2.name, "res.%d.conv2", b);
        snprintf(c2.bn, sizeof c2.bn, "res.%d.bn2", b);
        rows[n++] = c1;
        rows[n++] = c2;
        rows[n] = (jf_layer){.kind = JF_STEP_LOCAL, .cin = F, .cout = F, .scale = 2, .macs = 1,
                             .in = {JF_PREV, JF_ROW(x)}};
        snprintf(rows[n].name, sizeof rows[n].name, "relu(res.%d + x)", b);
        n++;
    }
    d->deconv = n;
    rows[n++] = (jf_layer){.kind = JF_STEP_CONV_T, .name = "deconv", .bn = "bn4", .cin = F, .cout = F, .k = 4,
                           .stride = 2, .pad = 1, .dil = 1, .act = JF_ACT_RELU, .scale = 2};
    d->conv5 = n;
    rows[n++] = (jf_layer)JF_CONV_ROW("conv5", "bn5", F, F, 3, 1, 1, 1, JF_ACT_RELU, 1);
    d->out = n;
    rows[n++] = (jf_layer)JF_CONV_ROW("out", "", F, 3, 1, 1, 0, 1, JF_ACT_NONE, 1);
    rows[n++] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "target + out", .cin = 3, .cout = 3, .macs = 1,
                           .in = {JF_PREV, JF_TARGET}};
    return n;
}

/* The device planes are B, G, R and the network's are R, G, B: conv1 takes its
 * inputs reversed, and the 1x1 output layer gives its outputs reversed and
 * divided by 255 (the network's residual is on the 0..255 scale). */
static jf_status fan_reorder(jf_model *m, const jf_safetensors *st, const char *what, fan *d)
{
    int F = d->features;
    float *w = NULL, *b = NULL, *w2 = NULL;
    jf_status s = jf_read_conv(m, st, what, "conv1", "bn1", F, 3, 3, 0, &w, &b);
    if (s == JF_OK && !(w2 = jf_malloc((size_t)F * 27 * sizeof *w2)))
        s = jf_fail(m->ctx, JF_ERR_OUT_OF_MEMORY, "out of memory");
    if (s == JF_OK) {
        for (int o = 0; o < F; o++)
            for (int c = 0; c < 3; c++) memcpy(&w2[(o * 3 + c) * 9], &w[(o * 3 + 2 - c) * 9], 9 * sizeof *w);
        jf_conv_free(&m->spec.conv[d->conv1]);
        s = jf_conv_init(m->ctx, &m->spec.conv[d->conv1], w2, b, F, 3, 3, 3, 1, 1, 1, JF_ACT_RELU, 0);
    }
    free(w), free(b), free(w2);
    w = b = w2 = NULL;
    if (s == JF_OK) s = jf_read_conv(m, st, what, "out", NULL, 3, F, 1, 0, &w, &b);
    if (s == JF_OK && !(w2 = jf_malloc((size_t)3 * F * sizeof *w2)))
        s = jf_fail(m->ctx, JF_ERR_OUT_OF_MEMORY, "out of memory");
    if (s == JF_OK) {
        float b3[3];
        for (int o = 0; o < 3; o++) {
            for (int c = 0; c < F; c++) w2[o * F + c] = w[(2 - o) * F + c] / d->in_scale;
            b3[o] = b[2 - o] / d->in_scale;
        }
        jf_conv_free(&m->spec.conv[d->out]);
        s = jf_conv_init(m->ctx, &m->spec.conv[d->out], w2, b3, 3, F, 1, 1, 1, 0, 1, JF_ACT_NONE, 0);
    }
    free(w2);
    free(w), free(b);
    return s;
}

static jf_status fan_create(jf_model *m, const jf_safetensors *st, const char *what)
{
    fan *d = jf_calloc(1, sizeof *d);
    if (!d) return jf_fail(m->ctx, JF_ERR_OUT_OF_MEMORY, "out of memory");
    m->impl = d;
    jf_status s = jf_meta_int(m->ctx, st, what, "features", 64, 1, 256, &d->features);
    const char *dil = jf_st_meta(st, "dilations");
    if (s == JF_OK && dil) s = fan_parse_dilations(m->ctx, what, dil, d);
    else if (s == JF_OK) {
        d->blocks = (int)(sizeof fan_dilations / sizeof fan_dilations[0]);
        memcpy(d->dil, fan_dilations, sizeof fan_dilations);
    }
    int blocks = d->blocks;
    if (s == JF_OK) s = jf_meta_int(m->ctx, st, what, "blocks", blocks, blocks, blocks, &blocks);
    if (s == JF_OK) s = jf_meta_float(m->ctx, st, what, "input_scale", 0, 255.0f, 1e-3f, 1e6f, &d->in_scale);
    if (s == JF_OK) s = jf_meta_float(m->ctx, st, what, "input_offset", 0, 115.0f, -1e6f, 1e6f, &d->in_offset);
    if (s != JF_OK) return s;
    jf_layer rows[FAN_MAX_ROWS];
    int n = fan_rows(d, rows);
    if ((s = jf_spec_build(m, st, what, rows, n)) != JF_OK) return s;
    return fan_reorder(m, st, what, d);
}

static void fan_destroy(jf_model *m)
{
    free(m->impl);
    m->impl = NULL;
}

/* conv into a new tensor of the convolution's output size. */
static jf_status conv_new(jf_model *m, const jf_conv *c, const jf_tensor *in, jf_tensor *out)
{
    jf_status s = jf_tensor_alloc(m->ctx, out, c->cout, jf_conv_out_size(in->h, c->kh, c->stride, c->pad, c->dil),
                                  jf_conv_out_size(in->w, c->kw, c->stride, c->pad, c->dil));
    return s == JF_OK ? jf_conv_forward(m->ctx, c, in, out, &m->ws) : s;
}

static jf_status fan_run(jf_model *m, const jf_tensor *guide, const jf_tensor *target, jf_tensor *out,
                         jf_tensor *extra)
{
    fan *d = m->impl;
    jf_context *ctx = m->ctx;
    const jf_conv *conv = m->spec.conv;
    jf_tensor x = {0}, h = {0}, a = {0}, b = {0}, up = {0}, f5 = {0};
    (void)guide, (void)extra;
    if (target->c != 3 || out->c != 3)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "fan: a %d-plane target into %d planes (3 and 3)", target->c,
                       out->c);
    jf_status s = jf_tensor_alloc(ctx, &x, 3, target->h, target->w);
    if (s == JF_OK) s = jf_scale_shift(ctx, target, d->in_scale, -d->in_offset, &x);
    if (s == JF_OK) s = jf_conv_chain(m, &conv[d->conv1], 3, &x, &h, -1); /* conv1..conv3: at 1/2 */
    jf_tensor_free(&x);
    for (int i = 0; s == JF_OK && i < d->blocks; i++) {
        int r = d->block0 + 3 * i;
        if (!a.buf) s = conv_new(m, &conv[r], &h, &a);
        else s = jf_conv_forward(ctx, &conv[r], &h, &a, &m->ws);
        if (s == JF_OK && !b.buf) s = conv_new(m, &conv[r + 1], &a, &b);
        else if (s == JF_OK) s = jf_conv_forward(ctx, &conv[r + 1], &a, &b, &m->ws);
        if (s == JF_OK) s = jf_add_act(ctx, &h, &b, JF_ACT_RELU, 0.0f, &h);
    }
    jf_tensor_free(&a);
    jf_tensor_free(&b);
    if (s == JF_OK) s = jf_tensor_alloc(ctx, &up, d->features, target->h, target->w);
    if (s == JF_OK) s = jf_conv_t_forward(ctx, &conv[d->deconv], &h, &up, &m->ws);
    jf_tensor_free(&h);
    if (s == JF_OK) s = conv_new(m, &conv[d->conv5], &up, &f5);
    jf_tensor_free(&up);
    if (s == JF_OK) s = jf_conv_forward(ctx, &conv[d->out], &f5, out, &m->ws);
    jf_tensor_free(&f5);
    if (s == JF_OK) s = jf_add_act(ctx, out, target, JF_ACT_NONE, 0.0f, out);
    return s;
}

/* Per full-resolution pixel, at the peak (the transposed convolution: the
 * half-resolution features, its 4F phases at 1/4 and the F upsampled planes),
 * plus the target, its mapped copy and the output. The full-resolution
 * convolutions hold two F-plane maps, the residual blocks three at 1/4. */
static double fan_bytes_per_pixel(const jf_model *m)
{
    const fan *d = m->impl;
    double F = d->features;
    return 4.0 * (F / 4 + F + F + 9);
}

const jf_model_arch jf_arch_fan = {
    .name = "fan",
    .guide = JF_GUIDE_BGR,
    .upsample = JF_RESIZE_PIL,
    .create = fan_create,
    .run = fan_run,
    .destroy = fan_destroy,
    .halo = jf_model_halo,
    .bytes_per_pixel = fan_bytes_per_pixel,
    .targets = JF_TARGETS_COLOUR,
};
