/* pixel_filter.cl - the per-pixel-kernel filter (DAGF's guided filtering):
 * every output pixel is a weighted sum over a k x k neighbourhood with its
 * own k*k weights, the same weights for every feature channel, read from an
 * input at 1/f of the output's size. Layout: planar float32, C x H x W.
 * Built with -DJF_PF_K=<k> (src/ops/pixel_filter.c), so the tap loops unroll
 * and the weights stay in registers. */

#ifndef JF_PF_K
#define JF_PF_K 3
#endif
#define JF_PF_TAPS (JF_PF_K * JF_PF_K)

/* out[c][y][x] = sum over taps t = ty*k + tx of
 *                kern[t][y][x] * in[c][y/f + ty - k/2][x/f + tx - k/2]   (0 outside in)
 * with H = f*h, W = f*w: a nearest x f upsampling followed by a k x k gather
 * of dilation f, computed without the upsampled copy. One work-item per output
 * pixel, looping over the channels with the pixel's weights held. */
__kernel void pixel_kernel_filter(__global const float *in, __global const float *kern, __global float *out,
                                  int channels, int h, int w, int H, int W, int f)
{
    int x = get_global_id(0), y = get_global_id(1);
    if (x >= W || y >= H) return;
    const size_t plane = (size_t)H * W, lplane = (size_t)h * w, p = (size_t)y * W + x;
    const int r = JF_PF_K / 2, ly = y / f, lx = x / f;
    float wt[JF_PF_TAPS];
    int off[JF_PF_TAPS];
    for (int t = 0; t < JF_PF_TAPS; t++) {
        int iy = ly + t / JF_PF_K - r, ix = lx + t % JF_PF_K - r;
        int inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
        /* a tap outside the input weighs 0 and reads a pixel that exists: no branch below */
        wt[t] = inside ? kern[(size_t)t * plane + p] : 0.0f;
        off[t] = inside ? iy * w + ix : 0;
    }
    for (int c = 0; c < channels; c++) {
        __global const float *src = in + (size_t)c * lplane;
        float acc = 0.0f;
        for (int t = 0; t < JF_PF_TAPS; t++) acc += wt[t] * src[off[t]];
        out[(size_t)c * plane + p] = acc;
    }
}
