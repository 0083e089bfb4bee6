/* ref_ops.c - the plain C references of ref_ops.h. */
#include "ref_ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int ref_border_index(int p, int n, int border)
{
    if (p >= 0 && p < n) return p;
    if (border == 2 || n == 1) return p < 0 ? 0 : n - 1;
    int period = border == 1 ? 2 * n - 2 : 2 * n;
    p %= period;
    if (p < 0) p += period;
    if (p < n) return p;
    return border == 1 ? period - p : period - 1 - p;
}

static float ref_act(double v, int c, int act, float slope, int act_channels)
{
    if (c >= act_channels) return (float)v;
    switch (act) {
    case 1: return (float)(v > 0 ? v : 0);
    case 2: return (float)(v >= 0 ? v : v * slope);
    case 3: return (float)(1.0 / (1.0 + exp(-v)));
    default: return (float)v;
    }
}

void ref_conv2d(const float *in, int cin, int h, int w, const float *weight, const float *bias, int cout,
                int kh, int kw, int stride, int pad, int dil, int act, float slope, int act_channels,
                float *out, int *ho_out, int *wo_out)
{
    int ho = (h + 2 * pad - dil * (kh - 1) - 1) / stride + 1;
    int wo = (w + 2 * pad - dil * (kw - 1) - 1) / stride + 1;
    *ho_out = ho;
    *wo_out = wo;
    for (int o = 0; o < cout; o++)
        for (int y = 0; y < ho; y++)
            for (int x = 0; x < wo; x++) {
                double acc = bias ? bias[o] : 0.0;
                for (int c = 0; c < cin; c++)
                    for (int ky = 0; ky < kh; ky++)
                        for (int kx = 0; kx < kw; kx++) {
                            int iy = y * stride - pad + ky * dil, ix = x * stride - pad + kx * dil;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            acc += (double)weight[((o * cin + c) * kh + ky) * kw + kx] *
                                   in[((size_t)c * h + iy) * w + ix];
                        }
                out[((size_t)o * ho + y) * wo + x] = ref_act(acc, o, act, slope, act_channels);
            }
}

void ref_space_to_depth(const float *in, int c, int h, int w, int f, float *out)
{
    int ho = (h + f - 1) / f, wo = (w + f - 1) / f;
    for (int ci = 0; ci < c; ci++)
        for (int a = 0; a < f; a++)
            for (int b = 0; b < f; b++)
                for (int y = 0; y < ho; y++)
                    for (int x = 0; x < wo; x++) {
                        int iy = y * f + a < h ? y * f + a : h - 1;
                        int ix = x * f + b < w ? x * f + b : w - 1;
                        out[(((size_t)ci * f * f + a * f + b) * ho + y) * wo + x] = in[((size_t)ci * h + iy) * w + ix];
                    }
}

void ref_pixel_shuffle(const float *in, int c_out, int h, int w, int f, float *out)
{
    for (int c = 0; c < c_out; c++)
        for (int y = 0; y < h * f; y++)
            for (int x = 0; x < w * f; x++)
                out[((size_t)c * h * f + y) * w * f + x] =
                    in[(((size_t)c * f * f + (y % f) * f + (x % f)) * h + y / f) * w + x / f];
}

static double ref_cubic(double x, double a)
{
    x = fabs(x);
    if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
    return 0;
}

/* PIL's coefficient rule for one output coordinate. */
static int ref_pil_coeffs(int o, int insize, int outsize, double *wt, int *lo)
{
    double scale = (double)insize / outsize;
    double fs = scale > 1 ? scale : 1;
    double support = 2 * fs, center = (o + 0.5) * scale;
    int xmin = (int)(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = (int)(center + support + 0.5);
    if (xmax > insize) xmax = insize;
    double sum = 0;
    for (int i = 0; i < xmax - xmin; i++) {
        wt[i] = ref_cubic((i + xmin - center + 0.5) / fs, -0.5);
        sum += wt[i];
    }
    for (int i = 0; i < xmax - xmin; i++)
        if (sum != 0) wt[i] /= sum;
    *lo = xmin;
    return xmax - xmin;
}

void ref_resize_cubic(const float *in, int c, int h, int w, float *out, int ho, int wo, int mode)
{
    double wx[256], wy[256];
    for (int ci = 0; ci < c; ci++)
        for (int y = 0; y < ho; y++)
            for (int x = 0; x < wo; x++) {
                const float *src = in + (size_t)ci * h * w;
                double acc = 0;
                if (mode == 0) {
                    int x0, y0;
                    int nx = ref_pil_coeffs(x, w, wo, wx, &x0);
                    int ny = ref_pil_coeffs(y, h, ho, wy, &y0);
                    for (int j = 0; j < ny; j++)
                        for (int i = 0; i < nx; i++) acc += wy[j] * wx[i] * src[(size_t)(y0 + j) * w + x0 + i];
                } else {
                    double fx = (x + 0.5) * ((double)w / wo) - 0.5, fy = (y + 0.5) * ((double)h / ho) - 0.5;
                    int ix = (int)floor(fx), iy = (int)floor(fy);
                    for (int j = 0; j < 4; j++)
                        for (int i = 0; i < 4; i++) {
                            int yy = iy - 1 + j, xx = ix - 1 + i;
                            yy = yy < 0 ? 0 : yy >= h ? h - 1 : yy;
                            xx = xx < 0 ? 0 : xx >= w ? w - 1 : xx;
                            acc += ref_cubic(fy - (iy - 1 + j), -0.75) * ref_cubic(fx - (ix - 1 + i), -0.75) *
                                   src[(size_t)yy * w + xx];
                        }
                }
                out[((size_t)ci * ho + y) * wo + x] = (float)acc;
            }
}

void ref_rgb_to_gray(const float *in, int plane, int ri, int gi, int bi, int mode, float *out)
{
    for (int p = 0; p < plane; p++) {
        double r = in[(size_t)ri * plane + p], g = in[(size_t)gi * plane + p], b = in[(size_t)bi * plane + p];
        if (mode == 0) {
            out[p] = (float)(0.299 * r + 0.587 * g + 0.114 * b);
        } else {
            int R = (int)fmin(fmax(r * 255 + 0.5, 0), 255), G = (int)fmin(fmax(g * 255 + 0.5, 0), 255),
                B = (int)fmin(fmax(b * 255 + 0.5, 0), 255);
            out[p] = (float)((R * 4899 + G * 9617 + B * 1868 + 8192) >> 14) / 255.0f;
        }
    }
}

void ref_deform_average(const float *ha, const float *hb, int hh, int hw, const float *target, int height,
                        int width, int f, int r, int window, int residual, float *out, float *weights_out,
                        float *offsets_out)
{
    int kk = r * r, ff = f * f, R = window / 2;
    size_t plane = (size_t)hh * hw, full = (size_t)height * width;
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            int sub = (y % f) * f + (x % f);
            size_t at = (size_t)(y / f) * hw + x / f;
            double wts[49], sum = 0;
            for (int c = 0; c < kk; c++) {
                size_t idx = (size_t)(c * ff + sub) * plane + at;
                wts[c] = (double)ha[idx] * hb[idx];
                sum += wts[c];
            }
            double acc = 0;
            for (int c = 0; c < kk; c++) {
                int i = c / r, j = c % r;
                size_t ix = (size_t)(kk * ff + 2 * c * ff + sub) * plane + at;
                size_t iy = (size_t)(kk * ff + (2 * c + 1) * ff + sub) * plane + at;
                double ox = (double)ha[ix] * hb[ix], oy = (double)ha[iy] * hb[iy];
                double wv = residual ? wts[c] - sum / kk : wts[c] / sum;
                if (weights_out) weights_out[c * full + (size_t)y * width + x] = (float)wv;
                if (offsets_out) {
                    offsets_out[2 * c * full + (size_t)y * width + x] = (float)ox;
                    offsets_out[(2 * c + 1) * full + (size_t)y * width + x] = (float)oy;
                }
                double u = (R + i + ox) * (window - 1) / (double)window;
                double v = (R + j + oy) * (window - 1) / (double)window;
                double u0 = floor(u), v0 = floor(v), s = 0;
                for (int q = 0; q < 4; q++) {
                    double uu = u0 + (q & 1), vv = v0 + (q >> 1);
                    double wq = ((q & 1) ? u - u0 : 1 - (u - u0)) * ((q >> 1) ? v - v0 : 1 - (v - v0));
                    double gx = x - R + uu, gy = y - R + vv;
                    if (uu < 0 || uu >= window || vv < 0 || vv >= window || gx < 0 || gx >= width || gy < 0 ||
                        gy >= height)
                        continue;
                    s += wq * target[(size_t)gy * width + (size_t)gx];
                }
                acc += wv * s;
            }
            if (residual) acc += target[(size_t)y * width + x];
            out[(size_t)y * width + x] = (float)acc;
        }
}

/* ---- Fang et al.'s ops ---- */

void ref_instance_norm(const float *in, int c, int h, int w, const float *gamma, const float *beta, float eps,
                       const float *residual, int act, float *out)
{
    size_t plane = (size_t)h * w;
    for (int k = 0; k < c; k++) {
        const float *p = in + k * plane;
        double m = 0, v = 0;
        for (size_t i = 0; i < plane; i++) m += p[i];
        m /= (double)plane;
        for (size_t i = 0; i < plane; i++) v += (p[i] - m) * (p[i] - m);
        v /= (double)plane;
        double inv = 1.0 / sqrt(v + eps);
        for (size_t i = 0; i < plane; i++) {
            double y = (p[i] - m) * inv * gamma[k] + beta[k];
            if (residual) y += residual[k * plane + i];
            if (act == 1 && y < 0) y = 0;
            out[k * plane + i] = (float)y;
        }
    }
}

void ref_upsample_nearest(const float *in, int c, int h, int w, int f, float *out, int ho, int wo)
{
    for (int k = 0; k < c; k++)
        for (int y = 0; y < ho; y++)
            for (int x = 0; x < wo; x++) out[((size_t)k * ho + y) * wo + x] = in[((size_t)k * h + y / f) * w + x / f];
}

void ref_append_coords(const float *in, int c, int h, int w, float *out)
{
    size_t plane = (size_t)h * w;
    memcpy(out, in, (size_t)c * plane * sizeof *out);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            out[c * plane + (size_t)y * w + x] = (float)((2.0 * x + 1.0) / w - 1.0);
            out[(c + 1) * plane + (size_t)y * w + x] = (float)((2.0 * y + 1.0) / h - 1.0);
        }
}

/* Bilinear sample of plane p (h x w) at (qx, qy), already clamped to the image. */
static double ref_bilinear(const float *p, int h, int w, double qx, double qy)
{
    int x0 = (int)floor(qx), y0 = (int)floor(qy);
    int x1 = x0 + 1 < w ? x0 + 1 : w - 1, y1 = y0 + 1 < h ? y0 + 1 : h - 1;
    double ax = qx - x0, ay = qy - y0;
    return (p[(size_t)y0 * w + x0] * (1 - ax) + p[(size_t)y0 * w + x1] * ax) * (1 - ay) +
           (p[(size_t)y1 * w + x0] * (1 - ax) + p[(size_t)y1 * w + x1] * ax) * ay;
}

void ref_affinity_average(const float *heads, int nheads, int feat0, int nfeat, int off0, const float *target,
                          int planes, int h, int w, float *out)
{
    size_t plane = (size_t)h * w;
    (void)nheads;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t p = (size_t)y * w + x;
            double logit[9], qxs[9], qys[9], mx = -INFINITY;
            for (int t = 0; t < 9; t++) {
                double qx = x + (t % 3 - 1) + heads[(off0 + 2 * t) * plane + p];
                double qy = y + (t / 3 - 1) + heads[(off0 + 2 * t + 1) * plane + p];
                qx = qx < 0 ? 0 : qx > w - 1 ? w - 1 : qx;
                qy = qy < 0 ? 0 : qy > h - 1 ? h - 1 : qy;
                qxs[t] = qx;
                qys[t] = qy;
                double d2 = 0;
                for (int d = 0; d < nfeat; d++) {
                    const float *f = heads + (feat0 + d) * plane;
                    double diff = f[p] - ref_bilinear(f, h, w, qx, qy);
                    d2 += diff * diff;
                }
                logit[t] = -d2;
                if (-d2 > mx) mx = -d2;
            }
            double sum = 0, wt[9];
            for (int t = 0; t < 9; t++) sum += (wt[t] = exp(logit[t] - mx));
            for (int c = 0; c < planes; c++) {
                double acc = 0;
                for (int t = 0; t < 9; t++) acc += wt[t] * ref_bilinear(target + c * plane, h, w, qxs[t], qys[t]);
                out[c * plane + p] = (float)(acc / sum);
            }
        }
}

void ref_conv_transpose2d(const float *in, int cin, int h, int w, const float *weight, const float *bias, int cout,
                          int k, int stride, int pad, float *out, int *ho_out, int *wo_out)
{
    int ho = (h - 1) * stride - 2 * pad + k, wo = (w - 1) * stride - 2 * pad + k;
    *ho_out = ho;
    *wo_out = wo;
    double *acc = calloc((size_t)cout * ho * wo, sizeof *acc);
    /* by definition: every input pixel adds its weighted kernel to the output */
    for (int c = 0; c < cin; c++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int o = 0; o < cout; o++)
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++) {
                            int Y = y * stride - pad + ky, X = x * stride - pad + kx;
                            if (Y < 0 || Y >= ho || X < 0 || X >= wo) continue;
                            acc[((size_t)o * ho + Y) * wo + X] +=
                                (double)in[((size_t)c * h + y) * w + x] * weight[(((size_t)c * cout + o) * k + ky) * k + kx];
                        }
    for (int o = 0; o < cout; o++)
        for (size_t i = 0; i < (size_t)ho * wo; i++)
            out[(size_t)o * ho * wo + i] = (float)(acc[(size_t)o * ho * wo + i] + (bias ? bias[o] : 0.0));
    free(acc);
}

void ref_scale_shift(const float *in, size_t n, float a, float b, float *out)
{
    for (size_t i = 0; i < n; i++) out[i] = (float)((double)a * in[i] + b);
}
