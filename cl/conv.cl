/* conv.cl - the pieces of a convolution that CLBlast's SGEMM does not do:
 * im2col (stride, zero padding, dilation) and the bias + activation epilogue.
 * Layout: planar float32, C x H x W. Activation codes: cl/common.cl. */

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
    x[i] = c < act_channels ? jf_activate(v, act, slope) : v;
}
