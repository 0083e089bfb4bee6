/* conv_direct.cl - direct convolution for devices where it beats im2col +
 * SGEMM (CPU OpenCL such as PoCL): each work-item computes JF_XB neighbouring
 * output pixels of one row for 16 output channels, with the 16 channels in
 * two float8 registers so the inner step is two vector weight loads feeding
 * 2*JF_XB vector FMAs. Weights are pre-transposed to [cin*kh*kw][cout_pad].
 * The input is already zero-padded (pad_zero), so the loop has no bounds tests. */

#ifndef JF_XB
#define JF_XB 4
#endif
#ifndef JF_ACT_NONE
#define JF_ACT_NONE 0
#define JF_ACT_RELU 1
#define JF_ACT_LEAKY 2
#define JF_ACT_SIGMOID 3
#endif

/* out[c][y + pad][x + pad] = in[c][y][x]; zero elsewhere. */
__kernel void pad_zero(__global const float *in, __global float *out, int c, int h, int w, int pad,
                       int hp, int wp)
{
    int x = get_global_id(0), y = get_global_id(1), ci = get_global_id(2);
    if (x >= wp || y >= hp || ci >= c) return;
    int sx = x - pad, sy = y - pad;
    float v = 0.0f;
    if (sx >= 0 && sx < w && sy >= 0 && sy < h) v = in[((size_t)ci * h + sy) * w + sx];
    out[((size_t)ci * hp + y) * wp + x] = v;
}

static float jf_activate(float v, int c, int act, float slope, int act_channels)
{
    if (c >= act_channels) return v;
    if (act == JF_ACT_RELU) return fmax(v, 0.0f);
    if (act == JF_ACT_LEAKY) return v >= 0.0f ? v : v * slope;
    if (act == JF_ACT_SIGMOID) return 1.0f / (1.0f + exp(-v));
    return v;
}

__kernel void conv_direct(__global const float *in, __global const float *wt,
                          __global const float *bias, __global float *out, int cin, int hp, int wp,
                          int kh, int kw, int stride, int dil, int cout, int cout_pad, int ho, int wo,
                          int act, float slope, int act_channels)
{
    const int ox0 = get_global_id(0) * JF_XB;
    const int oy = get_global_id(1);
    const int ob = get_global_id(2) * 16;
    if (ox0 >= wo || oy >= ho || ob >= cout) return;

    float8 lo[JF_XB], hi[JF_XB];
    for (int j = 0; j < JF_XB; j++) {
        lo[j] = (float8)(0.0f);
        hi[j] = (float8)(0.0f);
    }
    /* pixels past the row's end read a clamped column and are never stored */
    int ix[JF_XB];
    for (int j = 0; j < JF_XB; j++) ix[j] = min((ox0 + j) * stride, wp - 1 - (kw - 1) * dil);

    __global const float *wrow = wt + ob;
    for (int ci = 0; ci < cin; ci++) {
        for (int ky = 0; ky < kh; ky++) {
            __global const float *row = in + ((size_t)ci * hp + oy * stride + ky * dil) * wp;
            for (int kx = 0; kx < kw; kx++) {
                float8 w0 = vload8(0, wrow);
                float8 w1 = vload8(1, wrow);
                wrow += cout_pad;
                for (int j = 0; j < JF_XB; j++) {
                    float v = row[ix[j] + kx * dil];
                    lo[j] = fma((float8)(v), w0, lo[j]);
                    hi[j] = fma((float8)(v), w1, hi[j]);
                }
            }
        }
    }

    const size_t plane = (size_t)ho * wo;
    for (int j = 0; j < JF_XB; j++) {
        int ox = ox0 + j;
        if (ox >= wo) break;
        float a[16];
        vstore8(lo[j], 0, a);
        vstore8(hi[j], 1, a);
        for (int o = 0; o < 16; o++) {
            int c = ob + o;
            if (c < cout)
                out[(size_t)c * plane + (size_t)oy * wo + ox] =
                    jf_activate(a[o] + bias[c], c, act, slope, act_channels);
        }
    }
}
