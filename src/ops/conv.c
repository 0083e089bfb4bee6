/* conv.c - 2-D convolution on the device, four ways. GEMM: 1x1 stride-1
 * convolutions are one SGEMM on the input itself, larger ones unfold the
 * input with im2col into a reused workspace first, and bias + activation run
 * as one epilogue kernel. Direct: cl/conv_direct.cl with implicit zero padding
 * and the epilogue fused. Pointwise (1x1 on CPUs): cl/conv_pointwise.cl, the
 * same weight layout as direct. Winograd (stride-1 square 2x2 to 9x9):
 * conv_winograd.c. */
#include "ops/conv_winograd.h"
#include "ops/ops.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

jf_status jf_workspace_reserve(jf_context *ctx, jf_workspace *ws, size_t bytes)
{
    if (ws->buf && ws->bytes >= bytes) return JF_OK;
    jf_buffer_release(ws->buf);
    ws->buf = NULL;
    ws->bytes = 0;
    jf_status st = jf_buffer_create(ctx, bytes, NULL, &ws->buf);
    if (st == JF_OK) ws->bytes = bytes;
    return st;
}

void jf_workspace_free(jf_workspace *ws)
{
    if (ws) {
        jf_buffer_release(ws->buf);
        ws->buf = NULL;
        ws->bytes = 0;
    }
}

void jf_fold_batchnorm(float *weight, float *bias, int cout, int per_out, const float *gamma,
                       const float *beta, const float *mean, const float *var, float eps)
{
    for (int o = 0; o < cout; o++) {
        float s = gamma[o] / sqrtf(var[o] + eps);
        for (int i = 0; i < per_out; i++) weight[(size_t)o * per_out + i] *= s;
        bias[o] = (bias[o] - mean[o]) * s + beta[o];
    }
}

int jf_conv_out_size(int in, int k, int stride, int pad, int dil)
{
    int span = dil * (k - 1) + 1;
    int o = (in + 2 * pad - span) / stride + 1;
    return (in + 2 * pad < span) ? 0 : o;
}

int jf_conv_is_pointwise(int kh, int kw, int stride, int pad)
{
    return kh == 1 && kw == 1 && stride == 1 && pad == 0;
}

/* The path JF_CONV names (gemm, direct, winograd), else JF_CONV_DEFAULT. */
static jf_conv_path jf_conv_env_path(void)
{
    const char *env = getenv("JF_CONV");
    if (env && !strcmp(env, "gemm")) return JF_CONV_GEMM;
    if (env && !strcmp(env, "direct")) return JF_CONV_DIRECT;
    if (env && !strcmp(env, "winograd")) return JF_CONV_WINOGRAD;
    return JF_CONV_DEFAULT;
}

jf_conv_path jf_conv_default_path(const jf_context *ctx)
{
    jf_conv_path env = jf_conv_env_path();
    if (env != JF_CONV_DEFAULT) return env;
    /* the tuning table's choice (on PoCL the direct kernel beats CLBlast, measured) */
    return ctx->tune.conv_direct ? JF_CONV_DIRECT : JF_CONV_GEMM;
}

/* A layer given no path: JF_CONV's, else the tuning table's, with the table's
 * special kernels for the shapes they take (CPUs: Winograd F(4x4) for stride-1
 * square layers, 1.3-4x the direct kernel on every 3x3 shape of FDKN, DKN and
 * SVLRM, and what `jfilter tune` picks on DKN's 7x7, 5x5 and 2x2 ones; the
 * pointwise kernel for 1x1 layers, 2.7x; bench_conv_layers). */
static jf_conv_path jf_conv_layer_default(const jf_context *ctx, int kh, int kw, int stride, int pad)
{
    jf_conv_path env = jf_conv_env_path();
    if (env != JF_CONV_DEFAULT) return env; /* every layer on that path (Winograd: where it fits) */
    if (ctx->tune.conv_winograd && jf_conv_winograd_fits(kh, kw, stride)) return JF_CONV_WINOGRAD;
    if (ctx->tune.conv_direct && jf_conv_is_pointwise(kh, kw, stride, pad)) return JF_CONV_POINTWISE;
    return jf_conv_default_path(ctx);
}

jf_status jf_conv_init(jf_context *ctx, jf_conv *conv, const float *weight, const float *bias,
                       int cout, int cin, int kh, int kw, int stride, int pad, int dil, jf_act act,
                       float slope)
{
    return jf_conv_init_path(ctx, conv, weight, bias, cout, cin, kh, kw, stride, pad, dil, act, slope,
                             JF_CONV_DEFAULT);
}

jf_status jf_conv_init_path(jf_context *ctx, jf_conv *conv, const float *weight, const float *bias,
                            int cout, int cin, int kh, int kw, int stride, int pad, int dil, jf_act act,
                            float slope, jf_conv_path path)
{
    memset(conv, 0, sizeof *conv);
    if (cout <= 0 || cin <= 0 || kh <= 0 || kw <= 0 || stride <= 0 || pad < 0 || dil <= 0)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "convolution %dx%dx%dx%d stride %d pad %d dil %d",
                       cout, cin, kh, kw, stride, pad, dil);
    conv->cin = cin;
    conv->cout = cout;
    conv->kh = kh;
    conv->kw = kw;
    conv->stride = stride;
    conv->pad = pad;
    conv->dil = dil;
    conv->act = act;
    conv->slope = slope;
    conv->act_channels = cout;
    if (path == JF_CONV_DEFAULT && jf_conv_auto()) path = jf_conv_choose(ctx, weight, cout, cin, kh, kw, stride, pad, dil);
    else if (path == JF_CONV_DEFAULT && !getenv("JF_CONV")) path = jf_conv_measured(ctx, cout, cin, kh, kw, stride, pad, dil);
    conv->path = path == JF_CONV_DEFAULT ? jf_conv_layer_default(ctx, kh, kw, stride, pad) : path;
    const int pointwise = jf_conv_is_pointwise(kh, kw, stride, pad);
    const int wino_m = jf_conv_winograd_tile(conv->path);
    /* a layer asked for Winograd that it does not take: the table's path (1x1 on CPUs: pointwise) */
    if (wino_m)
        conv->path = jf_conv_winograd_fits(kh, kw, stride) ? JF_CONV_WINOGRAD
                     : !ctx->tune.conv_direct              ? JF_CONV_GEMM
                     : pointwise                           ? JF_CONV_POINTWISE
                                                           : JF_CONV_DIRECT;
    if (conv->path == JF_CONV_POINTWISE && !pointwise) conv->path = JF_CONV_DIRECT;
    size_t per_out = (size_t)cin * kh * kw;
    jf_status st;
    if (conv->path == JF_CONV_WINOGRAD) {
        st = jf_conv_winograd_init(ctx, conv, weight, wino_m);
    } else if (conv->path == JF_CONV_DIRECT || conv->path == JF_CONV_POINTWISE) {
        int block = ctx->tune.conv_channels;
        conv->cout_pad = (cout + block - 1) / block * block;
        float *t = jf_calloc(per_out * conv->cout_pad, sizeof(float));
        if (!t) return jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of memory");
        for (int o = 0; o < cout; o++)
            for (size_t r = 0; r < per_out; r++) t[r * conv->cout_pad + o] = weight[o * per_out + r];
        st = jf_buffer_create(ctx, per_out * conv->cout_pad * sizeof(float), t, &conv->weight);
        free(t);
    } else {
        conv->cout_pad = cout;
        st = jf_buffer_create(ctx, per_out * cout * sizeof(float), weight, &conv->weight);
    }
    if (st != JF_OK) return st;
    float *zeros = NULL;
    if (!bias) {
        zeros = jf_calloc((size_t)cout, sizeof(float));
        if (!zeros) {
            jf_conv_free(conv);
            return jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of memory");
        }
    }
    st = jf_buffer_create(ctx, (size_t)cout * sizeof(float), bias ? bias : zeros, &conv->bias);
    free(zeros);
    if (st != JF_OK) jf_conv_free(conv);
    return st;
}

void jf_conv_free(jf_conv *conv)
{
    if (!conv) return;
    jf_buffer_release(conv->weight);
    jf_buffer_release(conv->bias);
    conv->weight = conv->bias = NULL;
}

double jf_conv_workspace_per_pixel(const jf_conv *conv)
{
    int direct_1x1 = conv->kh == 1 && conv->kw == 1 && conv->stride == 1 && conv->pad == 0;
    if (conv->path == JF_CONV_GEMM) return direct_1x1 ? 0.0 : (double)conv->cin * conv->kh * conv->kw;
    if (conv->path == JF_CONV_WINOGRAD) return jf_conv_winograd_ws_per_pixel(conv);
    return 0.0; /* the direct kernel pads implicitly */
}

double jf_conv_macs(const jf_conv *conv, int ho, int wo)
{
    return (double)conv->cout * conv->cin * conv->kh * conv->kw * ho * wo;
}

#define JF_NARROW_PIXELS 8 /* pixels per work-item of conv_direct_narrow (cl/conv_direct.cl) */

static jf_status jf_conv_direct(jf_context *ctx, const jf_conv *conv, const jf_tensor *in,
                                jf_tensor *out, int ho, int wo)
{
    /* work-item blocks of conv_channels x conv_pixels, the kernel's JF_CONV_CHANNELS x JF_CONV_PIXELS */
    const jf_tune *t = &ctx->tune;
    if (conv->stride == 1 && 2 * conv->cout <= t->conv_channels) {
        /* few output channels: one channel x 8 pixels a work-item (conv_direct_narrow),
         * not a block of conv_channels that is mostly padding */
        jf_grid g = jf_grid3((size_t)conv->cout, (size_t)(wo + JF_NARROW_PIXELS - 1) / JF_NARROW_PIXELS, (size_t)ho,
                             t->wg_conv_direct);
        return JF_RUN(ctx, "conv_direct.cl", "conv_direct_narrow", g, JF_KMEM(in->buf), JF_KMEM(conv->weight),
                      JF_KMEM(conv->bias), JF_KMEM(out->buf), JF_KINT(conv->cin), JF_KINT(in->h), JF_KINT(in->w),
                      JF_KINT(conv->kh), JF_KINT(conv->kw), JF_KINT(conv->pad), JF_KINT(conv->dil),
                      JF_KINT(conv->cout), JF_KINT(conv->cout_pad), JF_KINT(ho), JF_KINT(wo), JF_KINT(conv->act),
                      JF_KFLOAT(conv->slope), JF_KINT(conv->act_channels));
    }
    jf_grid grid = jf_grid3((size_t)conv->cout_pad / t->conv_channels,
                            (size_t)(wo + t->conv_pixels - 1) / t->conv_pixels, (size_t)ho, t->wg_conv_direct);
    return JF_RUN(ctx, "conv_direct.cl", "conv_direct", grid, JF_KMEM(in->buf), JF_KMEM(conv->weight),
                  JF_KMEM(conv->bias), JF_KMEM(out->buf), JF_KINT(conv->cin), JF_KINT(in->h), JF_KINT(in->w),
                  JF_KINT(conv->kh), JF_KINT(conv->kw), JF_KINT(conv->stride), JF_KINT(conv->pad),
                  JF_KINT(conv->dil), JF_KINT(conv->cout), JF_KINT(conv->cout_pad), JF_KINT(ho), JF_KINT(wo),
                  JF_KINT(conv->act), JF_KFLOAT(conv->slope), JF_KINT(conv->act_channels));
}

jf_status jf_conv_forward(jf_context *ctx, const jf_conv *conv, const jf_tensor *in, jf_tensor *out,
                          jf_workspace *ws)
{
    int ho = jf_conv_out_size(in->h, conv->kh, conv->stride, conv->pad, conv->dil);
    int wo = jf_conv_out_size(in->w, conv->kw, conv->stride, conv->pad, conv->dil);
    if (in->c != conv->cin || out->c != conv->cout || out->h != ho || out->w != wo || ho <= 0 ||
        wo <= 0)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH,
                       "convolution %d->%d %dx%d: input %dx%dx%d, output %dx%dx%d (expected %dx%dx%d)",
                       conv->cin, conv->cout, conv->kh, conv->kw, in->c, in->h, in->w, out->c,
                       out->h, out->w, conv->cout, ho, wo);
    if (conv->path == JF_CONV_DIRECT) return jf_conv_direct(ctx, conv, in, out, ho, wo);
    if (conv->path == JF_CONV_POINTWISE) {
        const size_t plane = (size_t)ho * wo;
        if (plane > INT32_MAX) return jf_fail(ctx, JF_ERR_UNSUPPORTED, "1x1 convolution on %zu pixels", plane);
        jf_grid g = jf_grid2((size_t)conv->cout_pad / 16, (plane + 15) / 16, ctx->tune.wg_conv_pointwise);
        return JF_RUN(ctx, "conv_pointwise.cl", "conv_pointwise", g, JF_KMEM(in->buf), JF_KMEM(conv->weight),
                      JF_KMEM(conv->bias), JF_KMEM(out->buf), JF_KINT(conv->cin), JF_KINT((int)plane),
                      JF_KINT(conv->cout), JF_KINT(conv->cout_pad), JF_KINT(conv->act), JF_KFLOAT(conv->slope),
                      JF_KINT(conv->act_channels));
    }
    if (conv->path == JF_CONV_WINOGRAD) return jf_conv_winograd_forward(ctx, conv, in, out, ho, wo, ws);
    size_t K = (size_t)conv->cin * conv->kh * conv->kw;
    size_t N = (size_t)ho * wo;
    cl_mem cols = in->buf;
    jf_status st;
    int direct = conv->kh == 1 && conv->kw == 1 && conv->stride == 1 && conv->pad == 0;
    if (!direct) {
        st = jf_workspace_reserve(ctx, ws, K * N * sizeof(float));
        if (st != JF_OK) return st;
        st = JF_RUN(ctx, "conv.cl", "im2col", jf_grid2(N, K, ctx->tune.wg_pointwise), JF_KMEM(in->buf),
                    JF_KMEM(ws->buf), JF_KINT(in->c), JF_KINT(in->h), JF_KINT(in->w), JF_KINT(conv->kh),
                    JF_KINT(conv->kw), JF_KINT(conv->stride), JF_KINT(conv->pad), JF_KINT(conv->dil),
                    JF_KINT(ho), JF_KINT(wo));
        if (st != JF_OK) return st;
        cols = ws->buf;
    }
    st = jf_sgemm(ctx, (size_t)conv->cout, N, K, conv->weight, 0, K, cols, 0, N, 0.0f, out->buf, 0, N);
    if (st != JF_OK) return st;
    return JF_RUN(ctx, "conv.cl", "bias_act", jf_grid2(N, (size_t)conv->cout, ctx->tune.wg_pointwise),
                  JF_KMEM(out->buf), JF_KMEM(conv->bias), JF_KINT(conv->cout), JF_KINT(N), JF_KINT(conv->act),
                  JF_KFLOAT(conv->slope), JF_KINT(conv->act_channels));
}
