/* spec_load.c - a model's table of rows turned into device state: every row
 * with weights is loaded from the model file (shapes checked, BatchNorm
 * folded, a PReLU slope read), and the tiling numbers are derived once. */
#include "models/model.h"

#include <stdlib.h>
#include <string.h>

void jf_spec_free(jf_spec *spec)
{
    for (int i = 0; spec->conv && i < spec->n; i++) jf_conv_free(&spec->conv[i]);
    free(spec->conv);
    free(spec->layer);
    spec->conv = NULL;
    spec->layer = NULL;
    spec->n = 0;
}

/* A transposed convolution 4x4 / 2 / 1 re-laid into the 3x3 convolution
 * jf_conv_t_forward runs (ops/conv_transpose.c); the activation is fused. */
static jf_status load_conv_t(jf_model *m, const jf_safetensors *st, const char *what, const jf_layer *r,
                             jf_conv *out)
{
    if (r->k != 4 || r->stride != 2 || r->pad != 1 || (r->dil > 1) || r->prelu[0])
        return jf_fail(m->ctx, JF_ERR_UNSUPPORTED,
                       "%s: '%s' is a transposed convolution %dx%d, stride %d, padding %d, dilation %d: only 4x4, "
                       "stride 2, padding 1, dilation 1 runs", what, r->name, r->k, r->k, r->stride, r->pad,
                       r->dil > 0 ? r->dil : 1);
    float *w = NULL, *b = NULL, *w3 = NULL, *b4 = NULL;
    jf_status s = jf_read_conv(m, st, what, r->name, r->bn[0] ? r->bn : NULL, r->cout, r->cin, 4, 1, &w, &b);
    if (s != JF_OK) return s;
    w3 = jf_malloc((size_t)4 * r->cout * r->cin * 9 * sizeof *w3);
    b4 = jf_malloc((size_t)4 * r->cout * sizeof *b4);
    if (!w3 || !b4) s = jf_fail(m->ctx, JF_ERR_OUT_OF_MEMORY, "out of memory loading '%s'", r->name);
    else {
        jf_conv_t_relayout(w, b, r->cin, r->cout, w3, b4);
        s = jf_conv_init(m->ctx, out, w3, b4, 4 * r->cout, r->cin, 3, 3, 1, 1, 1, r->act, r->slope);
    }
    free(w), free(b), free(w3), free(b4);
    return s;
}

static jf_status load_row(jf_model *m, const jf_safetensors *st, const char *what, const jf_layer *r,
                          jf_conv *out)
{
    float slope = r->slope;
    jf_status s;
    switch (r->kind) {
    case JF_STEP_CONV:
        if (r->prelu[0] && (s = jf_tensor_scalar(m->ctx, st, what, r->prelu, &slope)) != JF_OK) return s;
        return jf_load_conv(m, st, what, r->name, r->bn[0] ? r->bn : NULL, r->cout, r->cin, r->k,
                            r->stride > 0 ? r->stride : 1, r->pad, r->dil > 0 ? r->dil : 1, r->act, slope, out);
    case JF_STEP_HEADS: return jf_load_deform_heads(m, st, what, r->name, r->cin, r->cout / 3, out);
    case JF_STEP_CONV_T: return load_conv_t(m, st, what, r, out);
    default: return JF_OK; /* no weights */
    }
}

jf_status jf_spec_build(jf_model *m, const jf_safetensors *st, const char *what, const jf_layer *rows, int n)
{
    jf_spec *sp = &m->spec;
    jf_status s = jf_spec_check(m->ctx, rows, n);
    if (s != JF_OK) return s;
    jf_spec_free(sp);
    sp->layer = jf_malloc((size_t)n * sizeof *sp->layer);
    sp->conv = jf_calloc((size_t)n, sizeof *sp->conv);
    if (!sp->layer || !sp->conv) {
        jf_spec_free(sp);
        return jf_fail(m->ctx, JF_ERR_OUT_OF_MEMORY, "out of memory");
    }
    memcpy(sp->layer, rows, (size_t)n * sizeof *rows);
    sp->n = n;
    for (int i = 0; i < n; i++)
        if ((s = load_row(m, st, what, &rows[i], &sp->conv[i])) != JF_OK) {
            jf_spec_free(sp);
            return s;
        }
    m->halo = jf_spec_halo(rows, n);
    m->align = jf_spec_align(rows, n);
    m->max_planes = jf_spec_planes(rows, n);
    /* workspace per output pixel, spread over the full-resolution pixels it covers */
    m->ws_bytes_per_pixel = 0;
    for (int i = 0; i < n; i++) {
        const jf_layer *r = &rows[i];
        if (r->kind != JF_STEP_CONV && r->kind != JF_STEP_HEADS && r->kind != JF_STEP_CONV_T) continue;
        /* a CONV_T row's convolution runs at its input's resolution (scale) */
        int scale = (r->scale > 0 ? r->scale : 1) * (r->kind == JF_STEP_CONV && r->stride > 0 ? r->stride : 1);
        double b = 4.0 * jf_conv_workspace_per_pixel(&sp->conv[i]) / ((double)scale * scale);
        if (b > m->ws_bytes_per_pixel) m->ws_bytes_per_pixel = b;
    }
    return JF_OK;
}

int jf_model_halo(const jf_model *m) { return m->halo; }
