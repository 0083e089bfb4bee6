/* model.c - shared model plumbing: metadata parsing with named errors,
 * checked tensor loading, convolution loading with BatchNorm folding, and
 * running a chain of convolutions through reused scratch tensors. */
#include "models/model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

jf_status jf_meta_int(jf_context *ctx, const jf_safetensors *st, const char *what, const char *key,
                      int def, int lo, int hi, int *out)
{
    const char *v = jf_st_meta(st, key);
    if (!v) {
        *out = def;
        return JF_OK;
    }
    char *end = NULL;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi)
        return jf_fail(ctx, JF_ERR_BAD_FORMAT, "%s: metadata '%s' is '%s', expected an integer in %d..%d",
                       what, key, v, lo, hi);
    *out = (int)x;
    return JF_OK;
}

jf_status jf_meta_float(jf_context *ctx, const jf_safetensors *st, const char *what, const char *key,
                        int required, float def, float lo, float hi, float *out)
{
    const char *v = jf_st_meta(st, key);
    if (!v) {
        if (required) return jf_fail(ctx, JF_ERR_BAD_FORMAT, "%s: metadata '%s' is missing", what, key);
        *out = def;
        return JF_OK;
    }
    char *end = NULL;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end || !isfinite(x) || x < lo || x > hi)
        return jf_fail(ctx, JF_ERR_BAD_FORMAT, "%s: metadata '%s' is '%s', expected a number in %g..%g", what,
                       key, v, lo, hi);
    *out = (float)x;
    return JF_OK;
}

jf_status jf_meta_bool(jf_context *ctx, const jf_safetensors *st, const char *what, const char *key,
                       int def, int *out)
{
    const char *v = jf_st_meta(st, key);
    if (!v) *out = def;
    else if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "True")) *out = 1;
    else if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "False")) *out = 0;
    else
        return jf_fail(ctx, JF_ERR_BAD_FORMAT, "%s: metadata '%s' is '%s', expected true or false", what,
                       key, v);
    return JF_OK;
}

jf_status jf_tensor_f32(jf_context *ctx, const jf_safetensors *st, const char *what, const char *name,
                        int ndim, const int64_t *shape, float **out)
{
    *out = NULL;
    const jf_st_tensor *t = jf_st_find(st, name);
    if (!t) return jf_fail(ctx, JF_ERR_BAD_FORMAT, "%s: tensor '%s' is missing", what, name);
    int ok = t->ndim == ndim;
    for (int i = 0; ok && i < ndim; i++) ok = t->shape[i] == shape[i];
    if (!ok) {
        char want[128] = "", got[128] = "";
        for (int i = 0; i < ndim; i++)
            snprintf(want + strlen(want), sizeof want - strlen(want), "%s%lld", i ? "x" : "",
                     (long long)shape[i]);
        for (int i = 0; i < t->ndim; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", i ? "x" : "",
                     (long long)t->shape[i]);
        return jf_fail(ctx, JF_ERR_BAD_FORMAT, "%s: tensor '%s' has shape [%s], the architecture needs [%s]",
                       what, name, got, want);
    }
    size_t n = jf_st_numel(t);
    float *buf = jf_malloc((n ? n : 1) * sizeof(float));
    if (!buf) return jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of memory loading '%s'", name);
    char err[512];
    jf_status s = jf_st_read_f32(st, t, buf, err, sizeof err);
    if (s != JF_OK) {
        free(buf);
        return jf_fail(ctx, s, "%s: %s", what, err);
    }
    *out = buf;
    return JF_OK;
}

jf_status jf_tensor_scalar(jf_context *ctx, const jf_safetensors *st, const char *what, const char *name,
                           float *out)
{
    const int64_t shape[1] = {1};
    float *v = NULL;
    jf_status s = jf_tensor_f32(ctx, st, what, name, 1, shape, &v);
    if (s == JF_OK) *out = v[0];
    free(v);
    return s;
}

jf_status jf_read_conv(jf_model *m, const jf_safetensors *st, const char *what, const char *prefix,
                       const char *bn, int cout, int cin, int k, int transposed, float **w_out, float **b_out)
{
    jf_context *ctx = m->ctx;
    char name[160];
    float *w = NULL, *b = NULL, *g = NULL, *be = NULL, *mu = NULL, *var = NULL;
    int64_t wshape[4] = {transposed ? cin : cout, transposed ? cout : cin, k, k}, vshape[1] = {cout};
    jf_status s;
    *w_out = *b_out = NULL;
    snprintf(name, sizeof name, "%s.weight", prefix);
    if ((s = jf_tensor_f32(ctx, st, what, name, 4, wshape, &w)) != JF_OK) goto done;
    snprintf(name, sizeof name, "%s.bias", prefix);
    if ((s = jf_tensor_f32(ctx, st, what, name, 1, vshape, &b)) != JF_OK) goto done;
    if (bn) {
        snprintf(name, sizeof name, "%s.weight", bn);
        if ((s = jf_tensor_f32(ctx, st, what, name, 1, vshape, &g)) != JF_OK) goto done;
        snprintf(name, sizeof name, "%s.bias", bn);
        if ((s = jf_tensor_f32(ctx, st, what, name, 1, vshape, &be)) != JF_OK) goto done;
        snprintf(name, sizeof name, "%s.running_mean", bn);
        if ((s = jf_tensor_f32(ctx, st, what, name, 1, vshape, &mu)) != JF_OK) goto done;
        snprintf(name, sizeof name, "%s.running_var", bn);
        if ((s = jf_tensor_f32(ctx, st, what, name, 1, vshape, &var)) != JF_OK) goto done;
        for (int i = 0; i < cout; i++)
            if (!(var[i] >= 0.0f)) {
                s = jf_fail(ctx, JF_ERR_BAD_FORMAT, "%s: '%s.running_var' has a negative or NaN entry",
                            what, bn);
                goto done;
            }
        if (!transposed) jf_fold_batchnorm(w, b, cout, cin * k * k, g, be, mu, var, 1e-5f);
        else
            /* cin x cout x k x k: output channel o is block o of every input channel's row */
            for (int o = 0; o < cout; o++) {
                float scale = g[o] / sqrtf(var[o] + 1e-5f);
                b[o] = (b[o] - mu[o]) * scale + be[o];
                for (int c = 0; c < cin; c++)
                    for (int i = 0; i < k * k; i++) w[((size_t)c * cout + o) * k * k + i] *= scale;
            }
    }
    *w_out = w;
    *b_out = b;
    w = b = NULL;
done:
    free(w);
    free(b);
    free(g);
    free(be);
    free(mu);
    free(var);
    return s;
}

jf_status jf_load_conv(jf_model *m, const jf_safetensors *st, const char *what, const char *prefix,
                       const char *bn, int cout, int cin, int k, int stride, int pad, int dil,
                       jf_act act, float slope, jf_conv *out)
{
    float *w = NULL, *b = NULL;
    jf_status s = jf_read_conv(m, st, what, prefix, bn, cout, cin, k, 0, &w, &b);
    if (s == JF_OK) s = jf_conv_init(m->ctx, out, w, b, cout, cin, k, k, stride, pad, dil, act, slope);
    free(w);
    free(b);
    return s;
}

jf_status jf_conv_chain(jf_model *m, const jf_conv *convs, int n, const jf_tensor *in, jf_tensor *out,
                        int first_step)
{
    jf_context *ctx = m->ctx;
    jf_tensor tmp[2] = {{0}, {0}};
    const jf_tensor *cur = in;
    jf_status s = JF_OK;
    out->buf = NULL;
    for (int i = 0; i < n; i++) {
        const jf_conv *c = &convs[i];
        int ho = jf_conv_out_size(cur->h, c->kh, c->stride, c->pad, c->dil);
        int wo = jf_conv_out_size(cur->w, c->kw, c->stride, c->pad, c->dil);
        jf_tensor *dst = (i == n - 1) ? out : &tmp[i & 1];
        jf_tensor_free(dst);
        if ((s = jf_tensor_alloc(ctx, dst, c->cout, ho, wo)) != JF_OK) break;
        if ((s = jf_conv_forward(ctx, c, cur, dst, &m->ws)) != JF_OK) break;
        cur = dst;
        if (first_step >= 0 && (s = jf_model_step(m, first_step + i + 1)) != JF_OK) break;
    }
    jf_tensor_free(&tmp[0]);
    jf_tensor_free(&tmp[1]);
    if (s != JF_OK) jf_tensor_free(out);
    return s;
}
