/* resample.cl - space-to-depth, pixel shuffle, bicubic resizing in the two
 * conventions the models were trained with, and guide-to-gray conversion.
 * Layout: planar float32, C x H x W. */

/* out[c*f*f + a*f + b][y][x] = in[c][y*f + a][x*f + b], reading the input with
 * clamped coordinates so an image that is not a multiple of f is padded by
 * replication (the networks see an edge-extended image, then the result is cropped). */
__kernel void space_to_depth(__global const float *in, __global float *out, int c, int h, int w,
                             int f, int ho, int wo)
{
    int x = get_global_id(0), y = get_global_id(1), k = get_global_id(2);
    if (x >= wo || y >= ho || k >= c * f * f) return;
    int ci = k / (f * f), a = (k / f) % f, b = k % f;
    int iy = min(y * f + a, h - 1), ix = min(x * f + b, w - 1);
    out[((size_t)k * ho + y) * wo + x] = in[((size_t)ci * h + iy) * w + ix];
}

/* out[c][y*f + a][x*f + b] = in[c*f*f + a*f + b][y][x] (PixelShuffle). */
__kernel void pixel_shuffle(__global const float *in, __global float *out, int c, int h, int w,
                            int f)
{
    int X = get_global_id(0), Y = get_global_id(1), ci = get_global_id(2);
    int W = w * f, H = h * f;
    if (X >= W || Y >= H || ci >= c) return;
    int a = Y % f, b = X % f;
    out[((size_t)ci * H + Y) * W + X] = in[(((size_t)ci * f * f + a * f + b) * h + Y / f) * w + X / f];
}

/* Keys cubic with parameter a (PIL uses -0.5, OpenCV -0.75). */
static float jf_cubic(float x, float a)
{
    x = fabs(x);
    if (x < 1.0f) return ((a + 2.0f) * x - (a + 3.0f)) * x * x + 1.0f;
    if (x < 2.0f) return (((x - 5.0f) * x + 8.0f) * x - 4.0f) * a;
    return 0.0f;
}

/* PIL-style: centre-aligned, the kernel widened by the scale when shrinking
 * (antialiasing), taps clipped to the image and renormalised. */
static float jf_pil_taps(int o, int insize, float scale, int *lo, int *n, float *wt, int maxn)
{
    float fs = fmax(scale, 1.0f);
    float support = 2.0f * fs;
    float center = (o + 0.5f) * scale;
    int xmin = (int)(center - support + 0.5f);
    if (xmin < 0) xmin = 0;
    int xmax = (int)(center + support + 0.5f);
    if (xmax > insize) xmax = insize;
    int cnt = min(xmax - xmin, maxn);
    float sum = 0.0f;
    for (int i = 0; i < cnt; i++) {
        wt[i] = jf_cubic((i + xmin - center + 0.5f) / fs, -0.5f);
        sum += wt[i];
    }
    *lo = xmin;
    *n = cnt;
    return sum;
}

#define JF_MAX_TAPS 64

/* Resizes each plane from (h, w) to (ho, wo).
 * mode 0: PIL bicubic (a = -0.5, antialiased when shrinking, taps clipped and renormalised);
 * mode 1: OpenCV INTER_CUBIC (a = -0.75, half-pixel centres, 4 taps, replicated border). */
__kernel void resize_cubic(__global const float *in, __global float *out, int c, int h, int w,
                           int ho, int wo, int mode)
{
    int x = get_global_id(0), y = get_global_id(1), ci = get_global_id(2);
    if (x >= wo || y >= ho || ci >= c) return;
    __global const float *src = in + (size_t)ci * h * w;
    float sx = (float)w / wo, sy = (float)h / ho;
    float acc = 0.0f;
    if (mode == 0) {
        float wx[JF_MAX_TAPS], wy[JF_MAX_TAPS];
        int x0, nx, y0, ny;
        float sumx = jf_pil_taps(x, w, sx, &x0, &nx, wx, JF_MAX_TAPS);
        float sumy = jf_pil_taps(y, h, sy, &y0, &ny, wy, JF_MAX_TAPS);
        for (int j = 0; j < ny; j++) {
            float row = 0.0f;
            for (int i = 0; i < nx; i++) row += wx[i] * src[(size_t)(y0 + j) * w + x0 + i];
            acc += wy[j] * (sumx != 0.0f ? row / sumx : row);
        }
        if (sumy != 0.0f) acc /= sumy;
    } else {
        float fx = (x + 0.5f) * sx - 0.5f, fy = (y + 0.5f) * sy - 0.5f;
        int ix = (int)floor(fx), iy = (int)floor(fy);
        float tx = fx - ix, ty = fy - iy;
        float wx[4], wy[4];
        for (int i = 0; i < 4; i++) {
            wx[i] = jf_cubic(tx + 1.0f - i, -0.75f);
            wy[i] = jf_cubic(ty + 1.0f - i, -0.75f);
        }
        for (int j = 0; j < 4; j++) {
            int yy = clamp(iy - 1 + j, 0, h - 1);
            float row = 0.0f;
            for (int i = 0; i < 4; i++) row += wx[i] * src[(size_t)yy * w + clamp(ix - 1 + i, 0, w - 1)];
            acc += wy[j] * row;
        }
    }
    out[((size_t)ci * ho + y) * wo + x] = acc;
}

/* Gray from three planes given in (r, g, b) plane indices.
 * mode 0: float luma 0.299 R + 0.587 G + 0.114 B;
 * mode 1: OpenCV's 8-bit conversion (fixed point, rounded to a byte) of the
 *         8-bit-quantised input, as models trained on cv2 gray images saw it. */
__kernel void rgb_to_gray(__global const float *in, __global float *out, int plane, int ri,
                          int gi, int bi, int mode)
{
    int p = get_global_id(0);
    if (p >= plane) return;
    float r = in[(size_t)ri * plane + p], g = in[(size_t)gi * plane + p], b = in[(size_t)bi * plane + p];
    if (mode == 0) {
        out[p] = 0.299f * r + 0.587f * g + 0.114f * b;
    } else {
        int R = (int)clamp(r * 255.0f + 0.5f, 0.0f, 255.0f);
        int G = (int)clamp(g * 255.0f + 0.5f, 0.0f, 255.0f);
        int B = (int)clamp(b * 255.0f + 0.5f, 0.0f, 255.0f);
        out[p] = (float)((R * 4899 + G * 9617 + B * 1868 + 8192) >> 14) / 255.0f;
    }
}
