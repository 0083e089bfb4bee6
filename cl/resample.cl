/* resample.cl - space-to-depth, pixel shuffle and bicubic resizing in the two
 * conventions the models were trained with. Layout: planar float32, C x H x W. */

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
                            int f, int H, int W)
{
    int X = get_global_id(0), Y = get_global_id(1), ci = get_global_id(2);
    if (X >= W || Y >= H || ci >= c) return;
    int a = Y % f, b = X % f;
    out[((size_t)ci * H + Y) * W + X] = in[(((size_t)ci * f * f + a * f + b) * h + Y / f) * w + X / f];
}

/* Keys cubic with parameter a (PIL uses -0.5, OpenCV -0.75); both pieces are
 * computed and one selected, which vectorises where branches would not. */
static float jf_cubic(float x, float a)
{
    x = fabs(x);
    float inner = ((a + 2.0f) * x - (a + 3.0f)) * x * x + 1.0f;
    float outer = (((x - 5.0f) * x + 8.0f) * x - 4.0f) * a;
    return x < 1.0f ? inner : (x < 2.0f ? outer : 0.0f);
}

/* PIL's tap range for output coordinate o: [lo, lo + n), the kernel widened by
 * the shrink factor (antialiasing) and clipped to the image. */
static void jf_pil_range(int o, int insize, float scale, float *center, float *fs, int *lo, int *n)
{
    *fs = fmax(scale, 1.0f);
    float support = 2.0f * *fs;
    *center = (o + 0.5f) * scale;
    int xmin = max((int)(*center - support + 0.5f), 0);
    int xmax = min((int)(*center + support + 0.5f), insize);
    *lo = xmin;
    *n = xmax - xmin;
}

/* Bicubic resizing is separable and both conventions filter rows first, then
 * columns (PIL's own order): the host runs a horizontal pass into a c x h x wo
 * buffer, then a vertical pass. The vertical pass reads whole rows (its taps
 * depend on y only), so CPU runtimes vectorise it across work-items; the
 * gathers of the horizontal pass touch h rows instead of ho. */

/* PIL bicubic (a = -0.5): centre-aligned, antialiased when shrinking, taps
 * clipped to the image and renormalised. Weights are recomputed on the fly
 * (a few multiplies) rather than kept in private arrays, which PoCL places in
 * memory. */
__kernel void resize_pil_rows(__global const float *in, __global float *tmp, int c, int h, int w, int wo)
{
    int x = get_global_id(0), y = get_global_id(1), ci = get_global_id(2);
    if (x >= wo || y >= h || ci >= c) return;
    float cx, fx;
    int x0, nx;
    jf_pil_range(x, w, (float)w / wo, &cx, &fx, &x0, &nx);
    __global const float *row = in + ((size_t)ci * h + y) * w + x0;
    float sum = 0.0f, r = 0.0f;
    for (int i = 0; i < nx; i++) {
        float k = jf_cubic((i + x0 - cx + 0.5f) / fx, -0.5f);
        sum += k;
        r += k * row[i];
    }
    tmp[((size_t)ci * h + y) * wo + x] = sum != 0.0f ? r / sum : r;
}

__kernel void resize_pil_cols(__global const float *tmp, __global float *out, int c, int h, int wo, int ho)
{
    int x = get_global_id(0), y = get_global_id(1), ci = get_global_id(2);
    if (x >= wo || y >= ho || ci >= c) return;
    float cy, fy;
    int y0, ny;
    jf_pil_range(y, h, (float)h / ho, &cy, &fy, &y0, &ny);
    __global const float *col = tmp + ((size_t)ci * h + y0) * wo + x;
    float sum = 0.0f, acc = 0.0f;
    for (int j = 0; j < ny; j++) {
        float k = jf_cubic((j + y0 - cy + 0.5f) / fy, -0.5f);
        sum += k;
        acc += k * col[(size_t)j * wo];
    }
    out[((size_t)ci * ho + y) * wo + x] = sum != 0.0f ? acc / sum : acc;
}

/* The same two passes when that axis is enlarged (no antialiasing: at most 4
 * taps): four fixed taps, those past PIL's clipped range weighted 0, so the
 * code is straight-line and vectorises (a loop whose length depends on the
 * work-item does not). */
static float4 jf_pil_taps4(int o, int insize, float scale, int *lo)
{
    float center = (o + 0.5f) * scale;
    int xmin = max((int)(center - 1.5f), 0);
    int n = min((int)(center + 2.5f), insize) - xmin;
    float t = xmin - center + 0.5f;
    float k0 = jf_cubic(t, -0.5f);
    float k1 = n > 1 ? jf_cubic(t + 1.0f, -0.5f) : 0.0f;
    float k2 = n > 2 ? jf_cubic(t + 2.0f, -0.5f) : 0.0f;
    float k3 = n > 3 ? jf_cubic(t + 3.0f, -0.5f) : 0.0f;
    float sum = k0 + k1 + k2 + k3, r = sum != 0.0f ? 1.0f / sum : 1.0f;
    *lo = xmin;
    return (float4)(k0 * r, k1 * r, k2 * r, k3 * r);
}

__kernel void resize_pil_rows4(__global const float *in, __global float *tmp, int c, int h, int w, int wo)
{
    int x = get_global_id(0), y = get_global_id(1), ci = get_global_id(2);
    if (x >= wo || y >= h || ci >= c) return;
    int x0;
    float4 k = jf_pil_taps4(x, w, (float)w / wo, &x0);
    __global const float *row = in + ((size_t)ci * h + y) * w;
    tmp[((size_t)ci * h + y) * wo + x] = k.x * row[x0] + k.y * row[min(x0 + 1, w - 1)] +
                                         k.z * row[min(x0 + 2, w - 1)] + k.w * row[min(x0 + 3, w - 1)];
}

__kernel void resize_pil_cols4(__global const float *tmp, __global float *out, int c, int h, int wo, int ho)
{
    int x = get_global_id(0), y = get_global_id(1), ci = get_global_id(2);
    if (x >= wo || y >= ho || ci >= c) return;
    int y0;
    float4 k = jf_pil_taps4(y, h, (float)h / ho, &y0);
    __global const float *src = tmp + (size_t)ci * h * wo + x;
    out[((size_t)ci * ho + y) * wo + x] =
        k.x * src[(size_t)y0 * wo] + k.y * src[(size_t)min(y0 + 1, h - 1) * wo] +
        k.z * src[(size_t)min(y0 + 2, h - 1) * wo] + k.w * src[(size_t)min(y0 + 3, h - 1) * wo];
}

/* The four Keys weights (a = -0.75) of taps -1, 0, 1, 2 at fraction t in [0, 1),
 * without the branches of jf_cubic: straight-line code vectorises across work-items. */
static float4 jf_cv_weights(float t)
{
    const float A = -0.75f;
    float u = t + 1.0f, v = 1.0f - t;
    float w0 = ((A * u - 5.0f * A) * u + 8.0f * A) * u - 4.0f * A;
    float w1 = ((A + 2.0f) * t - (A + 3.0f)) * t * t + 1.0f;
    float w2 = ((A + 2.0f) * v - (A + 3.0f)) * v * v + 1.0f;
    return (float4)(w0, w1, w2, 1.0f - w0 - w1 - w2);
}

/* OpenCV INTER_CUBIC (a = -0.75): half-pixel centres, 4x4 taps, replicated
 * border. The source coordinate is at least -0.5, so (int)(f + 1) - 1 is its
 * floor without the libm call. */
__kernel void resize_opencv_rows(__global const float *in, __global float *tmp, int c, int h, int w, int wo)
{
    int x = get_global_id(0), y = get_global_id(1), ci = get_global_id(2);
    if (x >= wo || y >= h || ci >= c) return;
    __global const float *row = in + ((size_t)ci * h + y) * w;
    float fx = (x + 0.5f) * ((float)w / wo) - 0.5f;
    int ix = (int)(fx + 1.0f) - 1;
    /* scalar weights here (a float4 across the x work-items keeps PoCL 3.1 from
     * vectorising this pass: 3x slower) */
    const float A = -0.75f;
    float t = fx - ix, u = t + 1.0f, v = 1.0f - t;
    float k0 = ((A * u - 5.0f * A) * u + 8.0f * A) * u - 4.0f * A;
    float k1 = ((A + 2.0f) * t - (A + 3.0f)) * t * t + 1.0f;
    float k2 = ((A + 2.0f) * v - (A + 3.0f)) * v * v + 1.0f;
    float k3 = 1.0f - k0 - k1 - k2;
    tmp[((size_t)ci * h + y) * wo + x] = k0 * row[min(max(ix - 1, 0), w - 1)] + k1 * row[min(max(ix, 0), w - 1)] +
                                         k2 * row[min(ix + 1, w - 1)] + k3 * row[min(ix + 2, w - 1)];
}

__kernel void resize_opencv_cols(__global const float *tmp, __global float *out, int c, int h, int wo, int ho)
{
    int x = get_global_id(0), y = get_global_id(1), ci = get_global_id(2);
    if (x >= wo || y >= ho || ci >= c) return;
    __global const float *src = tmp + (size_t)ci * h * wo + x;
    float fy = (y + 0.5f) * ((float)h / ho) - 0.5f;
    int iy = (int)(fy + 1.0f) - 1;
    float4 k = jf_cv_weights(fy - iy);
    out[((size_t)ci * ho + y) * wo + x] =
        k.x * src[(size_t)min(max(iy - 1, 0), h - 1) * wo] + k.y * src[(size_t)min(max(iy, 0), h - 1) * wo] +
        k.z * src[(size_t)min(max(iy + 1, 0), h - 1) * wo] + k.w * src[(size_t)min(max(iy + 2, 0), h - 1) * wo];
}

/* OpenCV convention, enlarging by s = 2, 4, 8 or 16 (wo = s * w or ho = s * h, the
 * common case: depth upsampling by 4, 8, 16). Output o = s * i + p sits at
 * fx = i + (p + 0.5) / s - 0.5, so its taps and weights depend on the phase p
 * alone: one work-item per input sample loads the five samples i - 2 .. i + 2
 * once and writes all s outputs. Across work-items those loads are contiguous
 * (vector loads), where the general kernels above gather. */
static float jf_cv_up(int p, int s, float m2, float m1, float z, float p1, float p2)
{
    float f = (p + 0.5f) / s - 0.5f; /* in (-0.5, 0.5): taps start at i - 2 when f < 0 */
    float4 k = jf_cv_weights(f < 0.0f ? f + 1.0f : f);
    return f < 0.0f ? k.x * m2 + k.y * m1 + k.z * z + k.w * p1 : k.x * m1 + k.y * z + k.z * p1 + k.w * p2;
}

/* Rows: the s outputs of a work-item are adjacent, written as one run; s is a
 * compile-time constant so the run is straight-line code (CPU vectorisers then
 * interleave the stores of neighbouring work-items). */
#define JF_CV_ROWS_UP(S)                                                                                    \
    __kernel void resize_opencv_rows_x##S(__global const float *in, __global float *tmp, int c, int h, int w) \
    {                                                                                                       \
        int i = get_global_id(0), y = get_global_id(1), ci = get_global_id(2);                              \
        if (i >= w || y >= h || ci >= c) return;                                                            \
        __global const float *row = in + ((size_t)ci * h + y) * w;                                          \
        float m2 = row[max(i - 2, 0)], m1 = row[max(i - 1, 0)], z = row[i];                                 \
        float p1 = row[min(i + 1, w - 1)], p2 = row[min(i + 2, w - 1)];                                     \
        __global float *o = tmp + ((size_t)ci * h + y) * (w * S) + (size_t)i * S;                           \
        _Pragma("unroll") for (int p = 0; p < S; p++) o[p] = jf_cv_up(p, S, m2, m1, z, p1, p2);           \
    }
JF_CV_ROWS_UP(2)
JF_CV_ROWS_UP(4)
JF_CV_ROWS_UP(8)
JF_CV_ROWS_UP(16)

/* Columns: work-item (x, j) writes output rows s * j .. s * j + s - 1 of column
 * x. The stores are contiguous across x already, but a loop whose bound is an
 * argument keeps PoCL from vectorising the kernel (3x slower than gathering), so
 * s is a compile-time constant here too. */
#define JF_CV_COLS_UP(S)                                                                                          \
    __kernel void resize_opencv_cols_x##S(__global const float *tmp, __global float *out, int c, int h, int wo)   \
    {                                                                                                             \
        int x = get_global_id(0), j = get_global_id(1), ci = get_global_id(2);                                    \
        if (x >= wo || j >= h || ci >= c) return;                                                                 \
        __global const float *src = tmp + (size_t)ci * h * wo + x;                                                \
        float m2 = src[(size_t)max(j - 2, 0) * wo], m1 = src[(size_t)max(j - 1, 0) * wo], z = src[(size_t)j * wo]; \
        float p1 = src[(size_t)min(j + 1, h - 1) * wo], p2 = src[(size_t)min(j + 2, h - 1) * wo];                 \
        __global float *o = out + ((size_t)ci * h * S + (size_t)j * S) * wo + x;                                  \
        _Pragma("unroll") for (int p = 0; p < S; p++) o[(size_t)p * wo] = jf_cv_up(p, S, m2, m1, z, p1, p2);    \
    }
JF_CV_COLS_UP(2)
JF_CV_COLS_UP(4)
JF_CV_COLS_UP(8)
JF_CV_COLS_UP(16)
