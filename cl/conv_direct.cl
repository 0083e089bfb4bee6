/* conv_direct.cl - direct convolution for devices where it beats im2col +
 * SGEMM (CPU OpenCL such as PoCL): each work-item computes 6 neighbouring
 * output pixels of one row for 16 output channels, the 16 channels in two
 * float8 registers, so the inner step is two vector weight loads feeding 12
 * vector FMAs: 12 accumulators + 2 weights fit the 16 AVX registers. The
 * accumulators are named variables, not an array: PoCL then keeps them in
 * registers (an array went to memory and halved the speed, measured).
 * Weights are pre-transposed to [cin*kh*kw][cout_pad]. Zero padding is
 * implicit: work-items whose window stays inside the image run a loop with no
 * bounds tests; only those touching the border take the checked loop (a
 * separate padding pass cost 6-8% of a model's time, measured).
 * The block comes from the tuning table (src/runtime/device.c) as
 * JF_CONV_CHANNELS x JF_CONV_PIXELS, the host's range from the same row; the
 * named registers below hold exactly 16 x 6, so other values are refused
 * rather than computed wrong (another block needs another kernel). */
#ifndef JF_CONV_CHANNELS
#define JF_CONV_CHANNELS 16
#endif
#ifndef JF_CONV_PIXELS
#define JF_CONV_PIXELS 6
#endif
#if JF_CONV_CHANNELS != 16 || JF_CONV_PIXELS != 6
#error "conv_direct holds 16 channels x 6 pixels in named registers: set conv_channels 16, conv_pixels 6"
#endif

/* one output pixel's step: v = input sample, two float8 FMAs */
#define JF_STEP(j) \
    v = row[i##j + o]; \
    l##j = fma((float8)(v), w0, l##j); \
    h##j = fma((float8)(v), w1, h##j)

/* the same with the sample read as 0 outside the row */
#define JF_STEP_CHECKED(j) \
    v = (i##j + o >= 0 && i##j + o < w) ? row[i##j + o] : 0.0f; \
    l##j = fma((float8)(v), w0, l##j); \
    h##j = fma((float8)(v), w1, h##j)

__kernel void conv_direct(__global const float *in, __global const float *wt,
                          __global const float *bias, __global float *out, int cin, int h, int w,
                          int kh, int kw, int stride, int pad, int dil, int cout, int cout_pad, int ho,
                          int wo, int act, float slope, int act_channels)
{
    /* The channel block is the fastest-varying index: the work-items that read
     * the same input pixels run back to back and find them in cache (with
     * channels slowest, every input row came from memory once per block:
     * 1.7x slower on DKN, measured on PoCL). */
    const int ob = get_global_id(0) * JF_CONV_CHANNELS;
    const int ox0 = get_global_id(1) * JF_CONV_PIXELS;
    const int oy = get_global_id(2);
    if (ox0 >= wo || oy >= ho || ob >= cout) return;

    float8 l0 = 0.0f, l1 = 0.0f, l2 = 0.0f, l3 = 0.0f, l4 = 0.0f, l5 = 0.0f;
    float8 h0 = 0.0f, h1 = 0.0f, h2 = 0.0f, h3 = 0.0f, h4 = 0.0f, h5 = 0.0f;
    /* first input column of each pixel; pixels past the row's end repeat the
     * last one and are never stored */
    const int last = wo - 1;
    const int i0 = min(ox0, last) * stride - pad, i1 = min(ox0 + 1, last) * stride - pad;
    const int i2 = min(ox0 + 2, last) * stride - pad, i3 = min(ox0 + 3, last) * stride - pad;
    const int i4 = min(ox0 + 4, last) * stride - pad, i5 = min(ox0 + 5, last) * stride - pad;
    const int y0 = oy * stride - pad;
    const int inside = i0 >= 0 && i5 + (kw - 1) * dil < w && y0 >= 0 && y0 + (kh - 1) * dil < h;

    __global const float *wrow = wt + ob;
    for (int ci = 0; ci < cin; ci++) {
        for (int ky = 0; ky < kh; ky++) {
            const int iy = y0 + ky * dil;
            if (iy < 0 || iy >= h) {
                wrow += (size_t)kw * cout_pad; /* a row of zeros adds nothing */
                continue;
            }
            __global const float *row = in + ((size_t)ci * h + iy) * w;
            for (int kx = 0; kx < kw; kx++) {
                const float8 w0 = vload8(0, wrow), w1 = vload8(1, wrow);
                const int o = kx * dil;
                float v;
                wrow += cout_pad;
                if (inside) {
                    JF_STEP(0);
                    JF_STEP(1);
                    JF_STEP(2);
                    JF_STEP(3);
                    JF_STEP(4);
                    JF_STEP(5);
                } else {
                    JF_STEP_CHECKED(0);
                    JF_STEP_CHECKED(1);
                    JF_STEP_CHECKED(2);
                    JF_STEP_CHECKED(3);
                    JF_STEP_CHECKED(4);
                    JF_STEP_CHECKED(5);
                }
            }
        }
    }

    float a[JF_CONV_PIXELS * JF_CONV_CHANNELS];
    vstore8(l0, 0, a); vstore8(h0, 1, a); vstore8(l1, 2, a); vstore8(h1, 3, a);
    vstore8(l2, 4, a); vstore8(h2, 5, a); vstore8(l3, 6, a); vstore8(h3, 7, a);
    vstore8(l4, 8, a); vstore8(h4, 9, a); vstore8(l5, 10, a); vstore8(h5, 11, a);
    const size_t plane = (size_t)ho * wo;
    for (int j = 0; j < JF_CONV_PIXELS; j++) {
        int ox = ox0 + j;
        if (ox >= wo) break;
        for (int q = 0; q < JF_CONV_CHANNELS; q++) {
            int c = ob + q;
            if (c < cout) {
                float v = a[j * JF_CONV_CHANNELS + q] + bias[c];
                out[(size_t)c * plane + (size_t)oy * wo + ox] =
                    c < act_channels ? jf_activate(v, act, slope) : v;
            }
        }
    }
}

/* Convolutions with few output channels (DAGF's 1-channel attention and
 * residual convs): in the kernel above a block of 16 channels would compute
 * 15 of them for nothing, so here each work-item computes 8 neighbouring
 * pixels (one float8) of ONE output channel, stride 1. Every output is the
 * same chain of fma over (ci, ky, kx) as above, from 0, then bias and the
 * activation: the results are bit for bit those of conv_direct. */
#define JF_NARROW_PIXELS 8

__kernel void conv_direct_narrow(__global const float *in, __global const float *wt,
                                 __global const float *bias, __global float *out, int cin, int h, int w,
                                 int kh, int kw, int pad, int dil, int cout, int cout_pad, int ho, int wo,
                                 int act, float slope, int act_channels)
{
    const int c = get_global_id(0);
    const int ox0 = get_global_id(1) * JF_NARROW_PIXELS;
    const int oy = get_global_id(2);
    if (c >= cout || ox0 >= wo || oy >= ho) return;
    const int last = wo - 1;
    const int x0 = ox0 - pad, y0 = oy - pad;
    /* a whole block whose window stays inside the row reads one unaligned float8 per tap */
    const int inside = ox0 + JF_NARROW_PIXELS - 1 <= last && x0 >= 0 &&
                       x0 + JF_NARROW_PIXELS - 1 + (kw - 1) * dil < w;
    const int8 xs = (int8)(0, 1, 2, 3, 4, 5, 6, 7);
    const int8 px = min((int8)(ox0) + xs, (int8)(last)) - pad; /* past the end: repeat the last pixel */
    float8 acc = 0.0f;
    __global const float *wcol = wt + c;
    for (int ci = 0; ci < cin; ci++) {
        for (int ky = 0; ky < kh; ky++) {
            const int iy = y0 + ky * dil;
            if (iy < 0 || iy >= h) {
                wcol += (size_t)kw * cout_pad; /* a row of zeros adds nothing */
                continue;
            }
            __global const float *row = in + ((size_t)ci * h + iy) * w;
            for (int kx = 0; kx < kw; kx++) {
                const float wv = *wcol;
                const int o = kx * dil;
                float8 v;
                wcol += cout_pad;
                if (inside) {
                    v = vload8(0, row + x0 + o);
                } else {
                    const int8 ix = px + (int8)(o);
                    const int8 ok = ix >= 0 && ix < w;
                    const int8 cx = clamp(ix, 0, w - 1);
                    v = (float8)(row[cx.s0], row[cx.s1], row[cx.s2], row[cx.s3], row[cx.s4], row[cx.s5],
                                 row[cx.s6], row[cx.s7]);
                    v = select((float8)(0.0f), v, ok);
                }
                acc = fma(v, (float8)(wv), acc);
            }
        }
    }
    acc += (float8)(bias[c]);
    __global float *dst = out + ((size_t)c * ho + oy) * wo + ox0;
    float r[JF_NARROW_PIXELS];
    vstore8(acc, 0, r);
    for (int j = 0; j < JF_NARROW_PIXELS && ox0 + j < wo; j++)
        dst[j] = c < act_channels ? jf_activate(r[j], act, slope) : r[j];
}
