/* svlrm.c - SVLRM, the spatially variant linear representation model: a
 * plain CNN of 3x3 convolutions reads [upsampled target, gray guide] and
 * predicts per-pixel coefficients, and the output is alpha * guide + beta.
 * Depth (layer count) and activation come from the model file. */
#include "models/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SVLRM_WIDTH 64

typedef struct svlrm {
    int nconv;       /* first + hidden layers + last */
    jf_conv *convs;
} svlrm;

static void svlrm_destroy(jf_model *m)
{
    svlrm *n = m->impl;
    if (!n) return;
    for (int i = 0; i < n->nconv; i++) jf_conv_free(&n->convs[i]);
    free(n->convs);
    free(n);
    m->impl = NULL;
}

static jf_status svlrm_create(jf_model *m, const jf_safetensors *st, const char *what)
{
    jf_context *ctx = m->ctx;
    int layers;
    jf_status s = jf_meta_int(ctx, st, what, "layers", 10, 0, 64, &layers);
    if (s != JF_OK) return s;
    const char *act_name = jf_st_meta(st, "activation");
    jf_act act;
    float slope = 0.0f;
    if (!act_name || !strcmp(act_name, "leaky_relu")) {
        act = JF_ACT_LEAKY;
        const char *sl = jf_st_meta(st, "negative_slope");
        char *end = NULL;
        slope = sl ? strtof(sl, &end) : 0.1f;
        if (sl && (end == sl || *end))
            return jf_fail(ctx, JF_ERR_BAD_FORMAT, "%s: metadata 'negative_slope' is '%s', expected a number",
                           what, sl);
    } else if (!strcmp(act_name, "relu")) {
        act = JF_ACT_RELU;
    } else {
        return jf_fail(ctx, JF_ERR_BAD_FORMAT, "%s: metadata 'activation' is '%s' (leaky_relu or relu)", what,
                       act_name);
    }
    svlrm *n = calloc(1, sizeof *n);
    if (!n) return jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of memory");
    m->impl = n;
    n->convs = calloc((size_t)layers + 2, sizeof *n->convs);
    if (!n->convs) {
        svlrm_destroy(m);
        return jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of memory");
    }
    for (int i = 0; i < layers + 2; i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "layers.%d", i);
        int last = i == layers + 1;
        s = jf_load_conv(m, st, what, prefix, NULL, last ? 2 : SVLRM_WIDTH, i == 0 ? 2 : SVLRM_WIDTH, 3, 1, 1,
                         1, last ? JF_ACT_NONE : act, slope, &n->convs[i]);
        if (s != JF_OK) {
            svlrm_destroy(m);
            return s;
        }
        n->nconv = i + 1;
    }
    jf_note_workspace(m, n->convs, n->nconv, 1.0);
    /* a model file with more layers than its metadata says is malformed, not a smaller model */
    char extra_name[32];
    snprintf(extra_name, sizeof extra_name, "layers.%d.weight", layers + 2);
    if (jf_st_find(st, extra_name)) {
        svlrm_destroy(m);
        return jf_fail(ctx, JF_ERR_BAD_FORMAT, "%s: tensor '%s' exists but metadata 'layers' is %d", what,
                       extra_name, layers);
    }
    return JF_OK;
}

static jf_status svlrm_run(jf_model *m, const jf_tensor *guide, const jf_tensor *target, jf_tensor *out,
                           jf_tensor *extra)
{
    svlrm *n = m->impl;
    jf_context *ctx = m->ctx;
    jf_tensor in = {0}, coeffs = {0};
    size_t bytes = (size_t)guide->w * guide->h * sizeof(float);
    /* input planes in the trained order: [target, guide] */
    jf_status s = jf_tensor_alloc(ctx, &in, 2, guide->h, guide->w);
    cl_int e = CL_SUCCESS;
    if (s == JF_OK) e = clEnqueueCopyBuffer(ctx->queue, target->buf, in.buf, 0, 0, bytes, 0, NULL, NULL);
    if (s == JF_OK && e == CL_SUCCESS)
        e = clEnqueueCopyBuffer(ctx->queue, guide->buf, in.buf, 0, bytes, bytes, 0, NULL, NULL);
    if (s == JF_OK && e != CL_SUCCESS) s = jf_fail_cl(ctx, e, "clEnqueueCopyBuffer (SVLRM input)");
    /* the last layer writes straight into the caller's coefficient tensor when there is one */
    jf_tensor *dst = extra ? extra : &coeffs;
    if (s == JF_OK && extra) {
        jf_tensor tmp = {0};
        s = jf_conv_chain(m, n->convs, n->nconv - 1, &in, &tmp, -1);
        if (s == JF_OK) s = jf_conv_forward(ctx, &n->convs[n->nconv - 1], &tmp, extra, &m->ws);
        jf_tensor_free(&tmp);
    } else if (s == JF_OK) {
        s = jf_conv_chain(m, n->convs, n->nconv, &in, &coeffs, -1);
    }
    if (s == JF_OK) {
        cl_kernel k;
        int plane = guide->w * guide->h;
        s = jf_kernel(ctx, "compose.cl", "svlrm_compose", &k);
        if (s == JF_OK) {
            jf_arg(ctx, k, 0, sizeof(cl_mem), &dst->buf);
            jf_arg(ctx, k, 1, sizeof(cl_mem), &guide->buf);
            jf_arg(ctx, k, 2, sizeof(cl_mem), &out->buf);
            s = JF_ARG(ctx, k, 3, plane);
        }
        size_t g[1] = {(size_t)plane}, l[1] = {64};
        if (s == JF_OK) s = jf_launch(ctx, k, 1, g, l, "svlrm_compose");
    }
    jf_tensor_free(&in);
    jf_tensor_free(&coeffs);
    return s;
}

static double svlrm_macs(const jf_model *m, int width, int height)
{
    const svlrm *n = m->impl;
    double macs = 0;
    for (int i = 0; i < n->nconv; i++) macs += jf_conv_macs(&n->convs[i], height, width);
    return macs + (double)width * height;
}

/* every 3x3 layer reaches one pixel further */
static int svlrm_halo(const jf_model *m) { return ((const svlrm *)m->impl)->nconv; }

/* Input, two 64-plane buffers, coefficients, and the guide/target/output/
 * upsampling planes around them (convolution workspace: m->ws_bytes_per_pixel). */
static double svlrm_bytes_per_pixel(const jf_model *m) { return 4.0 * (2 + 2 * SVLRM_WIDTH + 3 + 8); }

const jf_model_arch jf_arch_svlrm = {
    .name = "svlrm",
    .create = svlrm_create,
    .run = svlrm_run,
    .destroy = svlrm_destroy,
    .macs = svlrm_macs,
    .halo = svlrm_halo,
    .align = 1,
    .bytes_per_pixel = svlrm_bytes_per_pixel,
    .max_planes = SVLRM_WIDTH + 2,
    .extra_planes = 2,
    .extra_coefficients = 1,
};
