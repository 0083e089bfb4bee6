/* kernel_fusion.cl - two per-pixel kernel maps fused under an attention map
 * (DAGF's dual kernels). Layout: planar float32, taps as planes. Built with
 * -DJF_KF_TAPS=<k*k> (src/ops/kernel_fusion.c): the tap loops unroll and the
 * fused values stay in registers. */

#ifndef JF_KF_TAPS
#define JF_KF_TAPS 9
#endif

/* Per pixel p, over the taps t:
 *   s_t = att * softmax(a)_t + (1 - att) * softmax(b)_t
 *   v_t = tanh(s_t) / scale
 *   out_t = v_t / max(1, sum_t |v_t| + 1e-4)
 * so the fused kernel's L1 norm never exceeds 1. One work-item per pixel. */
__kernel void fuse_kernels(__global const float *a, __global const float *b, __global const float *att,
                           __global float *out, int plane, float scale)
{
    int p = get_global_id(0);
    if (p >= plane) return;
    float va[JF_KF_TAPS], vb[JF_KF_TAPS];
    float ma = -INFINITY, mb = -INFINITY;
    for (int t = 0; t < JF_KF_TAPS; t++) {
        va[t] = a[(size_t)t * plane + p];
        vb[t] = b[(size_t)t * plane + p];
        ma = fmax(ma, va[t]);
        mb = fmax(mb, vb[t]);
    }
    float sa = 0.0f, sb = 0.0f;
    for (int t = 0; t < JF_KF_TAPS; t++) {
        va[t] = exp(va[t] - ma); /* max-shifted: exp never overflows */
        vb[t] = exp(vb[t] - mb);
        sa += va[t];
        sb += vb[t];
    }
    const float w = att[p];
    float l1 = 0.0f;
    for (int t = 0; t < JF_KF_TAPS; t++) {
        va[t] = tanh(w * (va[t] / sa) + (1.0f - w) * (vb[t] / sb)) / scale;
        l1 += fabs(va[t]);
    }
    l1 = fmax(l1 + 1e-4f, 1.0f);
    for (int t = 0; t < JF_KF_TAPS; t++) out[(size_t)t * plane + p] = va[t] / l1;
}
