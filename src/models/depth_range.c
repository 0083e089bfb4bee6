/* depth_range.c - depth in sensor units around a model run (see
 * depth_range.h): hole detection, the guided onion-peel fill, per-image
 * min-max normalisation over the valid pixels and the way back. The target is
 * one plane (usually the low-resolution one), so these steps run on the host;
 * only the guide's luma at the target's size is computed on the device. */
#include "models/depth_range.h"
#include "ops/ops.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int jf_depth_active(const jf_run_options *opt)
{
    return opt && (opt->normalize != JF_NORMALIZE_NONE || opt->invalid != JF_INVALID_NONE);
}

void jf_depth_job_free(jf_depth_job *job)
{
    if (!job) return;
    free(job->valid);
    free(job->orig);
    memset(job, 0, sizeof *job);
}

int jf_depth_fill(float *value, const unsigned char *valid, const float *guide, int w, int h, float sigma)
{
    int rc = -1;
    size_t n = (size_t)w * h;
    /* layer[i]: 1 for a valid pixel, k + 1 once filled in layer k (k >= 1), 0 while a hole;
     * a layer reads only pixels of earlier layers, so the result does not depend on the
     * order pixels are visited in */
    int32_t *layer = jf_malloc(n * sizeof *layer);
    size_t *cur = jf_malloc(n * sizeof *cur), *next = jf_malloc(n * sizeof *next);
    float *fresh = jf_malloc(n * sizeof *fresh);
    if (!layer || !cur || !next || !fresh) goto done;
    size_t ncur = 0;
    for (size_t i = 0; i < n; i++) layer[i] = valid[i] ? 1 : 0;
    /* the first layer: holes with a valid neighbour; -1 marks "queued" */
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            if (layer[i]) continue;
            int near = 0;
            for (int dy = -1; dy <= 1 && !near; dy++)
                for (int dx = -1; dx <= 1 && !near; dx++) {
                    int yy = y + dy, xx = x + dx;
                    near = yy >= 0 && yy < h && xx >= 0 && xx < w && layer[(size_t)yy * w + xx] > 0;
                }
            if (near) cur[ncur++] = i;
        }
    for (size_t i = 0; i < ncur; i++) layer[cur[i]] = -1;
    const double inv = 1.0 / (2.0 * (double)sigma * sigma);
    for (int32_t k = 1; ncur > 0; k++) {
        for (size_t j = 0; j < ncur; j++) {
            size_t i = cur[j];
            int y = (int)(i / w), x = (int)(i % w);
            double sw = 0.0, sv = 0.0, plain = 0.0;
            int known = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int yy = y + dy, xx = x + dx;
                    if ((!dx && !dy) || yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                    size_t q = (size_t)yy * w + xx;
                    if (layer[q] <= 0) continue; /* a hole, or queued in this layer */
                    double d = (double)guide[i] - guide[q];
                    double wt = exp(-d * d * inv) * (dx && dy ? 0.70710678 : 1.0);
                    sw += wt;
                    sv += wt * value[q];
                    plain += value[q];
                    known++;
                }
            /* every queued pixel has a known neighbour; exp(-d^2 inv) stays above
             * 1e-22 for luma differences within 0..1, and a guide far outside
             * that range falls back to the plain average */
            fresh[j] = (float)(sw > 1e-30 ? sv / sw : plain / known);
        }
        size_t nnext = 0;
        for (size_t j = 0; j < ncur; j++) {
            value[cur[j]] = fresh[j];
            layer[cur[j]] = k + 1;
        }
        for (size_t j = 0; j < ncur; j++) {
            size_t i = cur[j];
            int y = (int)(i / w), x = (int)(i % w);
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int yy = y + dy, xx = x + dx;
                    if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                    size_t q = (size_t)yy * w + xx;
                    if (layer[q] == 0) {
                        layer[q] = -1;
                        next[nnext++] = q;
                    }
                }
        }
        size_t *t = cur;
        cur = next;
        next = t;
        ncur = nnext;
    }
    rc = 0;
done:
    free(layer);
    free(cur);
    free(next);
    free(fresh);
    return rc;
}

/* Whether v (normalized units) is a hole under opt; unit maps raw values to them. */
static int jf_is_hole(float v, const jf_run_options *opt, float marker, float unit)
{
    if (!isfinite(v)) return 1;
    if (opt->invalid == JF_INVALID_ZERO) return v == 0.0f;
    /* a raw 8/16-bit marker compares within a quarter count; a float one exactly */
    if (opt->invalid == JF_INVALID_VALUE) return unit < 1.0f ? fabsf(v - marker) <= 0.25f * unit : v == marker;
    return 0;
}

/* The guide's luma at the target's size (downloaded into host, tw * th floats). */
static jf_status jf_guide_luma(jf_context *ctx, const jf_tensor *guide, int tw, int th, float *host)
{
    jf_tensor gray = {0}, small = {0};
    const jf_tensor *g = guide;
    jf_status s = JF_OK;
    if (guide->c == 3) {
        s = jf_tensor_alloc(ctx, &gray, 1, guide->h, guide->w);
        if (s == JF_OK) s = jf_rgb_to_gray(ctx, guide, 2, 1, 0, JF_GRAY_FLOAT, &gray);
        g = &gray;
    }
    if (s == JF_OK && (g->w != tw || g->h != th)) {
        /* PIL's bicubic is antialiased when shrinking: each low-resolution pixel sees
         * the guide over its footprint */
        s = jf_tensor_alloc(ctx, &small, 1, th, tw);
        if (s == JF_OK) s = jf_resize_cubic(ctx, g, &small, JF_RESIZE_PIL);
        g = &small;
    }
    if (s == JF_OK) s = jf_tensor_download(ctx, g, host);
    jf_tensor_free(&gray);
    jf_tensor_free(&small);
    return s;
}

jf_status jf_depth_prepare(jf_context *ctx, const jf_run_options *opt, float unit, const jf_tensor *guide,
                           const jf_tensor *target, jf_tensor *prepared, jf_depth_job *job)
{
    memset(job, 0, sizeof *job);
    int tw = target->w, th = target->h;
    size_t n = (size_t)tw * th;
    float marker = opt->invalid == JF_INVALID_VALUE ? opt->invalid_value * unit : 0.0f;
    if (opt->invalid == JF_INVALID_VALUE && !isfinite(opt->invalid_value))
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT,
                       "invalid_value is %g; use JF_INVALID_NAN for NaN holes", (double)opt->invalid_value);
    if (opt->invalid < JF_INVALID_NONE || opt->invalid > JF_INVALID_VALUE || opt->normalize < 0 ||
        opt->normalize > JF_NORMALIZE_VALID)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "jf_run_options: normalize %d or invalid %d is unknown",
                       opt->normalize, opt->invalid);
    float *v = jf_malloc(n * sizeof *v);
    float *luma = NULL;
    unsigned char *valid = jf_malloc(n);
    jf_status s = JF_OK;
    if (!v || !valid) {
        s = jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of host memory for a %dx%d target", tw, th);
        goto fail;
    }
    if ((s = jf_tensor_download(ctx, target, v)) != JF_OK) goto fail;
    job->keep_holes = opt->keep_holes;
    float lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        valid[i] = !jf_is_hole(v[i], opt, marker, unit);
        if (!valid[i]) {
            job->holes++;
            continue;
        }
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    int none_valid = job->holes == n;
    job->keep_holes = (job->keep_holes && job->holes) || none_valid;
    if (job->keep_holes) {
        /* kept holes come back as they were: 0, the invalid value, NaN or inf */
        job->orig = jf_malloc(n * sizeof *job->orig);
        if (!job->orig) {
            s = jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of host memory for a %dx%d target", tw, th);
            goto fail;
        }
        memcpy(job->orig, v, n * sizeof *v);
    }
    if (none_valid) {
        /* nothing to fill from or normalise by: the output is all holes (below) */
        memset(v, 0, n * sizeof *v);
        lo = hi = 0.0f;
    } else if (job->holes) {
        luma = jf_malloc(n * sizeof *luma);
        if (!luma) {
            s = jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of host memory for a %dx%d guide", tw, th);
            goto fail;
        }
        if ((s = jf_guide_luma(ctx, guide, tw, th, luma)) != JF_OK) goto fail;
        if (jf_depth_fill(v, valid, luma, tw, th, JF_DEPTH_FILL_SIGMA) != 0) {
            s = jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of host memory filling the target's holes");
            goto fail;
        }
    }
    job->lo = 0.0f;
    job->span = 1.0f;
    if (opt->normalize == JF_NORMALIZE_VALID) {
        job->lo = lo;
        job->span = hi - lo;
        /* a constant target: the network sees 0 and the output comes back as lo */
        float scale = job->span > 0.0f ? 1.0f / job->span : 0.0f;
        for (size_t i = 0; i < n; i++) v[i] = (v[i] - lo) * scale;
    }
    if ((s = jf_tensor_alloc(ctx, prepared, 1, th, tw)) != JF_OK) goto fail;
    if ((s = jf_tensor_upload(ctx, prepared, v)) != JF_OK) {
        jf_tensor_free(prepared);
        goto fail;
    }
    job->tw = tw;
    job->th = th;
    if (job->holes) job->valid = valid;
    else free(valid);
    free(v);
    free(luma);
    return JF_OK;
fail:
    free(v);
    free(valid);
    free(luma);
    free(job->orig);
    memset(job, 0, sizeof *job);
    return s;
}

jf_status jf_depth_restore(jf_context *ctx, const jf_depth_job *job, jf_tensor *out)
{
    if (job->lo == 0.0f && job->span == 1.0f && !job->keep_holes) return JF_OK;
    int w = out->w, h = out->h;
    float *v = jf_malloc((size_t)w * h * sizeof *v);
    if (!v) return jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of host memory for a %dx%d output", w, h);
    jf_status s = jf_tensor_download(ctx, out, v);
    for (int y = 0; s == JF_OK && y < h; y++) {
        /* the target pixel whose footprint covers this output row / column */
        int ty = (int)((int64_t)y * job->th / h);
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            v[i] = job->lo + job->span * v[i];
            size_t t = (size_t)ty * job->tw + (size_t)((int64_t)x * job->tw / w);
            if (job->keep_holes && !job->valid[t]) v[i] = job->orig[t];
        }
    }
    if (s == JF_OK) s = jf_tensor_upload(ctx, out, v);
    free(v);
    return s;
}

void jf_depth_restore_coefficients(const jf_depth_job *job, float *alpha, float *beta, size_t n)
{
    for (size_t i = 0; alpha && i < n; i++) alpha[i] *= job->span;
    for (size_t i = 0; beta && i < n; i++) beta[i] = job->lo + job->span * beta[i];
}
