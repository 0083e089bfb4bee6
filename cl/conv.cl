/* conv.cl - the pieces of a convolution that CLBlast's SGEMM does not do:
 * im2col (stride, zero padding, dilation) and the bias + activation epilogue.
 * Layout: planar float32, C x H x W. Compiles on its own (-cl-std=CL1.2). */

#ifndef JF_ACT_NONE
#define JF_ACT_NONE 0
#define JF_ACT_RELU 1
#define JF_ACT_LEAKY 2
#define JF_ACT_SIGMOID 3
#endif

/* col[(ci*kh + ky)*kw + kx][oy*wo + ox] = in[ci][oy*s - pad + ky*dil][ox*s - pad + kx*dil], 0 outside.
 * One work-item per (output pixel, row of col). */
__kernel void im2col(__global const float *in, __global float *col, int cin, int h, int w,
                     int kh, int kw, int stride, int pad, int dil, int ho, int wo)
{
    int p = get_global_id(0);
    int r = get_global_id(1);
    if (p >= ho * wo || r >= cin * kh * kw) return;
    int kx = r % kw;
    int ky = (r / kw) % kh;
    int ci = r / (kw * kh);
    int oy = p / wo, ox = p % wo;
    int iy = oy * stride - pad + ky * dil;
    int ix = ox * stride - pad + kx * dil;
    float v = 0.0f;
    if (iy >= 0 && iy < h && ix >= 0 && ix < w) v = in[((size_t)ci * h + iy) * w + ix];
    col[(size_t)r * ho * wo + p] = v;
}

/* x[c][p] = act(x[c][p] + bias[c]) for c < act_channels, x + bias otherwise.
 * act_channels lets merged heads (sigmoid weights + linear offsets) share one GEMM. */
__kernel void bias_act(__global float *x, __global const float *bias, int channels, int plane,
                       int act, float slope, int act_channels)
{
    int p = get_global_id(0);
    int c = get_global_id(1);
    if (p >= plane || c >= channels) return;
    size_t i = (size_t)c * plane + p;
    float v = x[i] + bias[c];
    if (c < act_channels) {
        if (act == JF_ACT_RELU) v = fmax(v, 0.0f);
        else if (act == JF_ACT_LEAKY) v = v >= 0.0f ? v : v * slope;
        else if (act == JF_ACT_SIGMOID) v = 1.0f / (1.0f + exp(-v));
    }
    x[i] = v;
}
