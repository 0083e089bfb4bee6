/* instance_norm.cl - instance normalisation in two passes (Fang et al.'s
 * network): per-channel statistics over the whole plane, then the affine
 * normalisation fused with an optional residual sum and an activation.
 * Layout: planar float32, C x H x W. Built with -DJF_IN_GROUP=<work-group size>
 * (a power of two, src/ops/instance_norm.c). */

#ifndef JF_IN_GROUP
#define JF_IN_GROUP 64
#endif

/* One work-group per channel c: stats[2c] = mean, stats[2c + 1] = 1 / sqrt(var + eps),
 * var the biased variance (PyTorch's instance_norm). Sums are of x - x[0] so a plane
 * far from 0 loses no precision to cancellation in E[x^2] - E[x]^2. */
__kernel __attribute__((reqd_work_group_size(JF_IN_GROUP, 1, 1)))
void instance_norm_stats(__global const float *in, __global float *stats, int plane, float eps)
{
    const int c = get_group_id(0), l = get_local_id(0);
    __global const float *p = in + (size_t)c * plane;
    const float shift = p[0];
    float s = 0.0f, q = 0.0f;
    for (int i = l; i < plane; i += JF_IN_GROUP) {
        float d = p[i] - shift;
        s += d;
        q += d * d;
    }
    __local float ls[JF_IN_GROUP], lq[JF_IN_GROUP];
    ls[l] = s;
    lq[l] = q;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int k = JF_IN_GROUP / 2; k > 0; k >>= 1) {
        if (l < k) {
            ls[l] += ls[l + k];
            lq[l] += lq[l + k];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (l == 0) {
        float m = ls[0] / plane;
        float var = fmax(lq[0] / plane - m * m, 0.0f);
        stats[2 * c] = shift + m;
        stats[2 * c + 1] = rsqrt(var + eps);
    }
}

/* out = act((in - mean) * inv_std * gamma + beta [+ res]) element-wise; out may be in. */
__kernel void instance_norm_apply(__global const float *in, __global const float *stats,
                                  __global const float *gamma, __global const float *beta, __global const float *res,
                                  int has_res, __global float *out, int channels, int plane, int act)
{
    int i = get_global_id(0), c = get_global_id(1);
    if (i >= plane || c >= channels) return;
    size_t k = (size_t)c * plane + i;
    float v = (in[k] - stats[2 * c]) * stats[2 * c + 1] * gamma[c] + beta[c];
    if (has_res) v += res[k];
    out[k] = jf_activate(v, act, 0.0f);
}
