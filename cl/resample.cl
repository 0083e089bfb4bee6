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

/* Keys cubic with parameter a (PIL uses -0.5, OpenCV -0.75). */
static float jf_cubic(float x, float a)
{
    x = fabs(x);
    if (x < 1.0f) return ((a + 2.0f) * x - (a + 3.0f)) * x * x + 1.0f;
    if (x < 2.0f) return (((x - 5.0f) * x + 8.0f) * x - 4.0f) * a;
    return 0.0f;
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

/* PIL bicubic (a = -0.5): centre-aligned, antialiased when shrinking, taps
 * clipped to the image and renormalised. Weights are recomputed on the fly
 * (a few multiplies) rather than kept in private arrays, which PoCL places in
 * memory. */
__kernel void resize_pil(__global const float *in, __global float *out, int c, int h, int w, int ho,
                         int wo)
{
    int x = get_global_id(0), y = get_global_id(1), ci = get_global_id(2);
    if (x >= wo || y >= ho || ci >= c) return;
    __global const float *src = in + (size_t)ci * h * w;
    float cx, cy, fx, fy;
    int x0, nx, y0, ny;
    jf_pil_range(x, w, (float)w / wo, &cx, &fx, &x0, &nx);
    jf_pil_range(y, h, (float)h / ho, &cy, &fy, &y0, &ny);
    float sumx = 0.0f, sumy = 0.0f;
    for (int i = 0; i < nx; i++) sumx += jf_cubic((i + x0 - cx + 0.5f) / fx, -0.5f);
    float acc = 0.0f;
    for (int j = 0; j < ny; j++) {
        float wy = jf_cubic((j + y0 - cy + 0.5f) / fy, -0.5f);
        __global const float *row = src + (size_t)(y0 + j) * w + x0;
        float r = 0.0f;
        for (int i = 0; i < nx; i++) r += jf_cubic((i + x0 - cx + 0.5f) / fx, -0.5f) * row[i];
        acc += wy * (sumx != 0.0f ? r / sumx : r);
        sumy += wy;
    }
    out[((size_t)ci * ho + y) * wo + x] = sumy != 0.0f ? acc / sumy : acc;
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

/* OpenCV INTER_CUBIC (a = -0.75): half-pixel centres, 4x4 taps, replicated border. */
__kernel void resize_opencv(__global const float *in, __global float *out, int c, int h, int w, int ho,
                            int wo)
{
    int x = get_global_id(0), y = get_global_id(1), ci = get_global_id(2);
    if (x >= wo || y >= ho || ci >= c) return;
    __global const float *src = in + (size_t)ci * h * w;
    float fx = (x + 0.5f) * ((float)w / wo) - 0.5f, fy = (y + 0.5f) * ((float)h / ho) - 0.5f;
    int ix = (int)floor(fx), iy = (int)floor(fy);
    float tx = fx - ix, ty = fy - iy;
    float4 wx = jf_cv_weights(tx), wy = jf_cv_weights(ty);
    int c0 = clamp(ix - 1, 0, w - 1), c1 = clamp(ix, 0, w - 1), c2 = clamp(ix + 1, 0, w - 1),
        c3 = clamp(ix + 2, 0, w - 1);
    float4 rows;
    __global const float *r0 = src + (size_t)clamp(iy - 1, 0, h - 1) * w;
    __global const float *r1 = src + (size_t)clamp(iy, 0, h - 1) * w;
    __global const float *r2 = src + (size_t)clamp(iy + 1, 0, h - 1) * w;
    __global const float *r3 = src + (size_t)clamp(iy + 2, 0, h - 1) * w;
    rows.x = dot(wx, (float4)(r0[c0], r0[c1], r0[c2], r0[c3]));
    rows.y = dot(wx, (float4)(r1[c0], r1[c1], r1[c2], r1[c3]));
    rows.z = dot(wx, (float4)(r2[c0], r2[c1], r2[c2], r2[c3]));
    rows.w = dot(wx, (float4)(r3[c0], r3[c1], r3[c2], r3[c3]));
    out[((size_t)ci * ho + y) * wo + x] = dot(wy, rows);
}
