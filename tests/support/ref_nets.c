/* ref_nets.c - plain C references for the per-pixel-kernel, fusion,
 * element-wise, pooling and padding ops (see ref_nets.h), double accumulation. */
#include "ref_nets.h"

#include <math.h>

void ref_pixel_kernel_filter(const float *in, int channels, int h, int w, const float *kern, int k, int f,
                             float *out)
{
    int H = h * f, W = w * f;
    size_t plane = (size_t)H * W;
    for (int c = 0; c < channels; c++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                double acc = 0.0;
                for (int ty = 0; ty < k; ty++)
                    for (int tx = 0; tx < k; tx++) {
                        int iy = y / f + ty - k / 2, ix = x / f + tx - k / 2;
                        if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                        acc += (double)kern[(size_t)(ty * k + tx) * plane + (size_t)y * W + x] *
                               in[((size_t)c * h + iy) * w + ix];
                    }
                out[(size_t)c * plane + (size_t)y * W + x] = (float)acc;
            }
}

void ref_fuse_kernels(const float *a, const float *b, const float *att, int plane, int taps, float scale,
                      float *out)
{
    for (int p = 0; p < plane; p++) {
        double ma = -INFINITY, mb = -INFINITY, sa = 0, sb = 0, l1 = 0, v[49];
        for (int t = 0; t < taps; t++) {
            ma = fmax(ma, a[(size_t)t * plane + p]);
            mb = fmax(mb, b[(size_t)t * plane + p]);
        }
        for (int t = 0; t < taps; t++) {
            sa += exp(a[(size_t)t * plane + p] - ma);
            sb += exp(b[(size_t)t * plane + p] - mb);
        }
        for (int t = 0; t < taps; t++) {
            double s = att[p] * exp(a[(size_t)t * plane + p] - ma) / sa +
                       (1.0 - att[p]) * exp(b[(size_t)t * plane + p] - mb) / sb;
            v[t] = tanh(s) / scale;
            l1 += fabs(v[t]);
        }
        l1 += 1e-4;
        if (l1 < 1.0) l1 = 1.0;
        for (int t = 0; t < taps; t++) out[(size_t)t * plane + p] = (float)(v[t] / l1);
    }
}

void ref_add_act(const float *a, const float *b, size_t n, int act, float slope, float *out)
{
    for (size_t i = 0; i < n; i++) {
        double v = (double)a[i] + b[i];
        if (act == 1) v = v > 0 ? v : 0;
        else if (act == 2) v = v >= 0 ? v : slope * v;
        else if (act == 3) v = 1.0 / (1.0 + exp(-v));
        out[i] = (float)v;
    }
}

void ref_add_upsampled(const float *a, const float *b, int channels, int H, int W, int f, float scale,
                       float *out)
{
    int h = (H + f - 1) / f, w = (W + f - 1) / f;
    for (int c = 0; c < channels; c++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                size_t i = ((size_t)c * H + y) * W + x;
                out[i] = (float)(a[i] + (double)scale * b[((size_t)c * h + y / f) * w + x / f]);
            }
}

void ref_avg_pool(const float *in, int channels, int H, int W, int f, int h, int w, float *out)
{
    for (int c = 0; c < channels; c++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                double acc = 0;
                int n = 0;
                for (int iy = y * f; iy < H && iy < (y + 1) * f; iy++)
                    for (int ix = x * f; ix < W && ix < (x + 1) * f; ix++, n++)
                        acc += in[((size_t)c * H + iy) * W + ix];
                out[((size_t)c * h + y) * w + x] = (float)(acc / n);
            }
}

void ref_pad_replicate(const float *in, int channels, int h, int w, int H, int W, float *out)
{
    for (int c = 0; c < channels; c++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                int sy = y < h ? y : h - 1, sx = x < w ? x : w - 1;
                out[((size_t)c * H + y) * W + x] = in[((size_t)c * h + sy) * w + sx];
            }
}
