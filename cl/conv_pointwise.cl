/* conv_pointwise.cl - 1x1, stride-1, unpadded convolution (the per-pixel
 * heads of DKN, FDKN, SVLRM and the fusions of DAGF) for CPU devices:
 * out[o][p] = act(bias[o] + sum_ci w[ci][o] * in[ci][p]), a matrix product
 * with the pixels contiguous. Each work-item computes 16 consecutive pixels
 * (one float16, contiguous loads and stores) for 16 output channels: sixteen
 * float16 accumulators + the input vector, each step one vector load and 16
 * FMAs against scalar weights (AVX-512: 17 of 32 registers, the weights
 * broadcast from memory). The direct kernel, built for 3x3 windows, ran
 * these layers at a fraction of its 3x3 rate (loop and window overhead per
 * multiply-add, measured). Channels are summed in ascending order with fma,
 * as in conv_direct. Weights: [cin][cout_pad], zero past cout. */
/* jf_activate (cl/common.cl) on 16 lanes */
static inline float16 jf_activate16(float16 v, int act, float slope)
{
    if (act == JF_ACT_RELU) return fmax(v, 0.0f);
    if (act == JF_ACT_LEAKY) return select(v * slope, v, v >= 0.0f);
    if (act == JF_ACT_SIGMOID) return 1.0f / (1.0f + exp(-v));
    return v;
}

#define JF_PW_ACC(q) float16 a##q = 0.0f
#define JF_PW_FMA(q) a##q = fma(x, (float16)(wr[q]), a##q)
#define JF_PW_STORE(q) \
    if (ob + q < cout) { \
        const int c = ob + q; \
        const float16 y = a##q + bias[c]; \
        const float16 z = c < act_channels ? jf_activate16(y, act, slope) : y; \
        if (full) vstore16(z, 0, out + (size_t)c * plane + p0); \
        else { \
            float r[16]; \
            vstore16(z, 0, r); \
            for (int j = 0; j < plane - p0; j++) out[(size_t)c * plane + p0 + j] = r[j]; \
        } \
    }

__kernel void conv_pointwise(__global const float *in, __global const float *wt, __global const float *bias,
                             __global float *out, int cin, int plane, int cout, int cout_pad, int act, float slope,
                             int act_channels)
{
    /* channel blocks fastest: the work-items that read the same 16 pixels run back to back */
    const int ob = get_global_id(0) * 16;
    const int p0 = get_global_id(1) * 16;
    if (ob >= cout || p0 >= plane) return;
    const int full = p0 + 16 <= plane;
    JF_PW_ACC(0); JF_PW_ACC(1); JF_PW_ACC(2); JF_PW_ACC(3); JF_PW_ACC(4); JF_PW_ACC(5); JF_PW_ACC(6); JF_PW_ACC(7);
    JF_PW_ACC(8); JF_PW_ACC(9); JF_PW_ACC(10); JF_PW_ACC(11); JF_PW_ACC(12); JF_PW_ACC(13); JF_PW_ACC(14);
    JF_PW_ACC(15);
    __global const float *src = in + p0;
    __global const float *wr = wt + ob;
    for (int ci = 0; ci < cin; ci++) {
        float16 x;
        if (full) {
            x = vload16(0, src);
        } else {
            float r[16];
            for (int j = 0; j < 16; j++) r[j] = p0 + j < plane ? src[j] : 0.0f;
            x = vload16(0, r);
        }
        JF_PW_FMA(0); JF_PW_FMA(1); JF_PW_FMA(2); JF_PW_FMA(3); JF_PW_FMA(4); JF_PW_FMA(5); JF_PW_FMA(6);
        JF_PW_FMA(7); JF_PW_FMA(8); JF_PW_FMA(9); JF_PW_FMA(10); JF_PW_FMA(11); JF_PW_FMA(12); JF_PW_FMA(13);
        JF_PW_FMA(14); JF_PW_FMA(15);
        src += plane;
        wr += cout_pad;
    }
    JF_PW_STORE(0); JF_PW_STORE(1); JF_PW_STORE(2); JF_PW_STORE(3); JF_PW_STORE(4); JF_PW_STORE(5);
    JF_PW_STORE(6); JF_PW_STORE(7); JF_PW_STORE(8); JF_PW_STORE(9); JF_PW_STORE(10); JF_PW_STORE(11);
    JF_PW_STORE(12); JF_PW_STORE(13); JF_PW_STORE(14); JF_PW_STORE(15);
}
