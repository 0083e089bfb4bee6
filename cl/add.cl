/* add.cl - element-wise sum with a fused activation (residual blocks,
 * skip connections). Layout: any, the tensors flattened. */

/* out = act(a + b), with the activations of common.cl. */
__kernel void add_act(__global const float *a, __global const float *b, __global float *out, int n, int act,
                      float slope)
{
    int i = get_global_id(0);
    if (i >= n) return;
    out[i] = jf_activate(a[i] + b[i], act, slope);
}
