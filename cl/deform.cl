/* deform.cl - the deformable weighted average of DKN and FDKN as one fused
 * kernel: it reads both branches' head outputs (at the network's resolution,
 * undoing the pixel shuffle on the fly), multiplies them, normalises the k*k
 * weights, samples the target with bilinear taps and adds the residual.
 *
 * Heads layout, per branch, planar at (hh, hw) = network resolution:
 *   channels [0, kk*f*f)          sigmoid weights, channel c*f*f + a*f + b
 *   channels [kk*f*f, 3*kk*f*f)   offsets,        channel kk*f*f + o*f*f + a*f + b
 * where output pixel (y, x) = (Y*f + a, X*f + b) and o = 2c (x) or 2c + 1 (y).
 *
 * Sample point of tap c = r*i + j (i moves along x, j along y) for pixel (y, x):
 *   u = (R + i + ox) * (K-1)/K,  v = (R + j + oy) * (K-1)/K   (window coords 0..K-1, R = K/2)
 *   image x = x - R + u, image y = y - R + v; each bilinear corner outside the
 *   K x K window or outside the image reads 0.
 *
 * r is fixed at build time (-DJF_DEFORM_R, src/ops/deform.c): with the tap
 * loops unrolled the k*k weights stay in registers and PoCL vectorises the
 * kernel across work-items; with r a run-time value the weights went to a
 * private array and the kernel ran 3-4x slower (FDKN 640x480, measured). */
#ifndef JF_DEFORM_R
#define JF_DEFORM_R 3
#endif
#define JF_DEFORM_KK (JF_DEFORM_R * JF_DEFORM_R)

__kernel void deform_average(__global const float *heads_a, __global const float *heads_b,
                             __global const float *target, __global float *out,
                             __global float *weights_out, __global float *offsets_out,
                             int width, int height, int hw, int hh, int f, int r, int window,
                             int residual, int save_maps)
{
    int x = get_global_id(0), y = get_global_id(1);
    if (x >= width || y >= height) return;
    const int kk = JF_DEFORM_KK;
    r = JF_DEFORM_R;
    const int ff = f * f;
    const int sub = (y % f) * f + (x % f);
    const size_t plane = (size_t)hh * hw;
    const size_t at = (size_t)(y / f) * hw + (x / f);

    float wts[JF_DEFORM_KK];
    float mean = 0.0f, sum = 0.0f;
#pragma unroll
    for (int c = 0; c < JF_DEFORM_KK; c++) {
        size_t idx = (size_t)(c * ff + sub) * plane + at;
        float wv = heads_a[idx] * heads_b[idx];
        wts[c] = wv;
        sum += wv;
    }
    mean = sum / kk;

    const int R = window / 2;
    const float scale = (float)(window - 1) / (float)window;
    float acc = 0.0f;
#pragma unroll
    for (int c = 0; c < JF_DEFORM_KK; c++) {
        int i = c / r, j = c % r;
        size_t ix_ = (size_t)(kk * ff + (2 * c) * ff + sub) * plane + at;
        size_t iy_ = (size_t)(kk * ff + (2 * c + 1) * ff + sub) * plane + at;
        float ox = heads_a[ix_] * heads_b[ix_];
        float oy = heads_a[iy_] * heads_b[iy_];
        float wv = residual ? wts[c] - mean : wts[c] / sum;
        if (save_maps) {
            weights_out[(size_t)c * width * height + (size_t)y * width + x] = wv;
            offsets_out[(size_t)(2 * c) * width * height + (size_t)y * width + x] = ox;
            offsets_out[(size_t)(2 * c + 1) * width * height + (size_t)y * width + x] = oy;
        }
        /* Clamping changes nothing (every tap beyond the window reads 0) but keeps
         * huge or non-finite offsets from overflowing the integer conversion. */
        float u = clamp(((float)(R + i) + ox) * scale, -2.0f, (float)window + 1.0f);
        float v = clamp(((float)(R + j) + oy) * scale, -2.0f, (float)window + 1.0f);
        float u0f = floor(u), v0f = floor(v);
        int u0 = (int)u0f, v0 = (int)v0f;
        float du = u - u0f, dv = v - v0f;
        float s = 0.0f;
#pragma unroll
        for (int q = 0; q < 4; q++) {
            int uu = u0 + (q & 1), vv = v0 + (q >> 1);
            float wq = ((q & 1) ? du : 1.0f - du) * ((q >> 1) ? dv : 1.0f - dv);
            int gx = x - R + uu, gy = y - R + vv;
            if (uu >= 0 && uu < window && vv >= 0 && vv < window && gx >= 0 && gx < width &&
                gy >= 0 && gy < height)
                s += wq * target[(size_t)gy * width + gx];
        }
        acc += wv * s;
    }
    if (residual) acc += target[(size_t)y * width + x];
    out[(size_t)y * width + x] = acc;
}
