/* svlrm.c - SVLRM, the spatially variant linear representation model: a
 * plain CNN of 3x3 convolutions reads [upsampled target, gray guide] and
 * predicts per-pixel coefficients, and the output is alpha * guide + beta.
 * Depth (layer count) and activation come from the model file. */
#include "models/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SVLRM_WIDTH 64
#define SVLRM_MAX_LAYERS 64

/* Reads 'activation' and 'negative_slope' (LeakyReLU 0.1 unless the file says otherwise). */
static jf_status svlrm_activation(jf_context *ctx, const jf_safetensors *st, const char *what, jf_act *act,
                                  float *slope)
{
    const char *act_name = jf_st_meta(st, "activation");
    *slope = 0.0f;
    if (!act_name || !strcmp(act_name, "leaky_relu")) {
        *act = JF_ACT_LEAKY;
        /* finite and bounded: a NaN or huge slope would pass every shape check and poison the output */
        jf_status s = jf_meta_float(ctx, st, what, "negative_slope", 0, 0.1f, -1e3f, 1e3f, slope);
        if (s != JF_OK) return s;
    } else if (!strcmp(act_name, "relu")) {
        *act = JF_ACT_RELU;
    } else {
        return jf_fail(ctx, JF_ERR_BAD_FORMAT, "%s: metadata 'activation' is '%s' (leaky_relu or relu)", what,
                       act_name);
    }
    return JF_OK;
}

static jf_status svlrm_create(jf_model *m, const jf_safetensors *st, const char *what)
{
    jf_context *ctx = m->ctx;
    int layers;
    jf_act act = JF_ACT_LEAKY;
    float slope;
    jf_status s = jf_meta_int(ctx, st, what, "layers", 10, 0, SVLRM_MAX_LAYERS, &layers);
    if (s == JF_OK) s = svlrm_activation(ctx, st, what, &act, &slope);
    if (s != JF_OK) return s;
    /* the first layer, `layers` hidden ones and the last (alpha, beta), then the composition */
    int nconv = layers + 2, n = nconv + 1;
    jf_layer *rows = jf_calloc((size_t)n, sizeof *rows);
    if (!rows) return jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of memory");
    for (int i = 0; i < nconv; i++) {
        int last = i == nconv - 1;
        jf_layer *r = &rows[i];
        *r = (jf_layer)JF_CONV_ROW("", "", i == 0 ? 2 : SVLRM_WIDTH, last ? 2 : SVLRM_WIDTH, 3, 1, 1, 1,
                                   last ? JF_ACT_NONE : act, 1);
        r->slope = slope;
        snprintf(r->name, sizeof r->name, "layers.%d", i);
    }
    rows[0].in[0] = JF_TARGET; /* input planes in the trained order: [target, guide] */
    rows[0].in[1] = JF_GUIDE;
    rows[n - 1] = (jf_layer){.kind = JF_STEP_LOCAL, .name = "alpha * guide + beta", .cin = 2, .cout = 1,
                             .macs = 1, .in = {JF_PREV, JF_GUIDE}};
    s = jf_spec_build(m, st, what, rows, n);
    free(rows);
    if (s != JF_OK) return s;
    m->extra_planes = 2; /* alpha, beta */
    /* a model file with more layers than its metadata says is malformed, not a smaller model */
    char extra_name[32];
    snprintf(extra_name, sizeof extra_name, "layers.%d.weight", nconv);
    if (jf_st_find(st, extra_name)) {
        jf_spec_free(&m->spec);
        return jf_fail(ctx, JF_ERR_BAD_FORMAT, "%s: tensor '%s' exists but metadata 'layers' is %d", what,
                       extra_name, layers);
    }
    return JF_OK;
}

static jf_status svlrm_run(jf_model *m, const jf_tensor *guide, const jf_tensor *target, jf_tensor *out,
                           jf_tensor *extra)
{
    jf_context *ctx = m->ctx;
    const jf_conv *convs = m->spec.conv;
    int nconv = m->spec.n - 1;
    jf_tensor in = {0}, coeffs = {0};
    /* input planes in the trained order: [target, guide] */
    jf_status s = jf_tensor_alloc(ctx, &in, 2, guide->h, guide->w);
    if (s == JF_OK) s = jf_tensor_copy_planes(ctx, target, 0, &in, 0, 1);
    if (s == JF_OK) s = jf_tensor_copy_planes(ctx, guide, 0, &in, 1, 1);
    /* the last layer writes straight into the caller's coefficient tensor when there is one */
    jf_tensor *dst = extra ? extra : &coeffs;
    if (s == JF_OK && extra) {
        jf_tensor tmp = {0};
        s = jf_conv_chain(m, convs, nconv - 1, &in, &tmp, -1);
        if (s == JF_OK) s = jf_conv_forward(ctx, &convs[nconv - 1], &tmp, extra, &m->ws);
        jf_tensor_free(&tmp);
    } else if (s == JF_OK) {
        s = jf_conv_chain(m, convs, nconv, &in, &coeffs, -1);
    }
    if (s == JF_OK) s = jf_affine_compose(ctx, dst, guide, out);
    jf_tensor_free(&in);
    jf_tensor_free(&coeffs);
    return s;
}

/* Input, two 64-plane buffers, coefficients, and the guide/target/output/
 * upsampling planes around them (convolution workspace: m->ws_bytes_per_pixel). */
static double svlrm_bytes_per_pixel(const jf_model *m) { return 4.0 * (2 + 2 * SVLRM_WIDTH + 3 + 8); }

const jf_model_arch jf_arch_svlrm = {
    .name = "svlrm",
    .guide = JF_GUIDE_GRAY_U8,
    .upsample = JF_RESIZE_OPENCV,
    .degradation = "subsample",
    .create = svlrm_create,
    .run = svlrm_run,
    .halo = jf_model_halo,
    .bytes_per_pixel = svlrm_bytes_per_pixel,
    .extra_coefficients = 1,
};
