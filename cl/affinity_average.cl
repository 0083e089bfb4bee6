/* affinity_average.cl - the affinity-weighted deformable average of Fang et
 * al. as one kernel: per pixel, 9 deformed taps sample the feature maps F and
 * every target plane bilinearly, and the target samples are averaged under a
 * softmax of -||F(p) - F(q)||^2. Layout: planar float32. Built with
 * -DJF_AA_FEAT=<feature maps> -DJF_AA_PLANES=<target planes> (src/ops/affinity_average.c)
 * so the per-tap values stay in registers. */

#ifndef JF_AA_FEAT
#define JF_AA_FEAT 5
#endif
#ifndef JF_AA_PLANES
#define JF_AA_PLANES 1
#endif

/* heads: the map holding F (planes feat0 .. feat0 + FEAT - 1) and this layer's
 * offsets (planes off0 .. off0 + 17; tap t = 3 (dy + 1) + (dx + 1) moves by x
 * offset plane off0 + 2t and y offset plane off0 + 2t + 1), H x W each.
 * Sample q = p + (dx, dy) + offset, clamped to [0, W-1] x [0, H-1] (the border
 * replicated, PyTorch's grid_sample padding "border" with align_corners). */
__kernel void affinity_average(__global const float *heads, int feat0, int off0, __global const float *target,
                               __global float *out, int H, int W)
{
    const int x = get_global_id(0), y = get_global_id(1);
    if (x >= W || y >= H) return;
    const size_t plane = (size_t)H * W, p = (size_t)y * W + x;
    float fp[JF_AA_FEAT];
    for (int d = 0; d < JF_AA_FEAT; d++) fp[d] = heads[(feat0 + d) * plane + p];
    float logit[9], val[9][JF_AA_PLANES], mx = -INFINITY;
    for (int t = 0; t < 9; t++) {
        float qx = clamp(x + (t % 3 - 1) + heads[(off0 + 2 * t) * plane + p], 0.0f, (float)(W - 1));
        float qy = clamp(y + (t / 3 - 1) + heads[(off0 + 2 * t + 1) * plane + p], 0.0f, (float)(H - 1));
        float x0f = floor(qx), y0f = floor(qy);
        float ax = qx - x0f, ay = qy - y0f;
        int x0 = (int)x0f, y0 = (int)y0f;
        int x1 = min(x0 + 1, W - 1), y1 = min(y0 + 1, H - 1);
        size_t i00 = (size_t)y0 * W + x0, i01 = (size_t)y0 * W + x1, i10 = (size_t)y1 * W + x0,
               i11 = (size_t)y1 * W + x1;
        float d2 = 0.0f;
        for (int d = 0; d < JF_AA_FEAT; d++) {
            __global const float *f = heads + (feat0 + d) * plane;
            float v = (f[i00] * (1.0f - ax) + f[i01] * ax) * (1.0f - ay) + (f[i10] * (1.0f - ax) + f[i11] * ax) * ay;
            d2 += (fp[d] - v) * (fp[d] - v);
        }
        logit[t] = -d2;
        mx = fmax(mx, -d2);
        for (int c = 0; c < JF_AA_PLANES; c++) {
            __global const float *g = target + c * plane;
            val[t][c] = (g[i00] * (1.0f - ax) + g[i01] * ax) * (1.0f - ay) + (g[i10] * (1.0f - ax) + g[i11] * ax) * ay;
        }
    }
    float sum = 0.0f, acc[JF_AA_PLANES];
    for (int c = 0; c < JF_AA_PLANES; c++) acc[c] = 0.0f;
    for (int t = 0; t < 9; t++) {
        float e = exp(logit[t] - mx); /* max-shifted: the nearest tap has weight exp(0) */
        sum += e;
        for (int c = 0; c < JF_AA_PLANES; c++) acc[c] += e * val[t][c];
    }
    for (int c = 0; c < JF_AA_PLANES; c++) out[c * plane + p] = acc[c] / sum;
}
