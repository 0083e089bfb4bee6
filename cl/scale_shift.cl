/* scale_shift.cl - out = a * in + b element-wise with two scalars (an input
 * brought to the intensity scale a network was trained on, e.g. Fan et al.'s
 * 255 * RGB - 115). Layout: any, the tensor flattened. */

__kernel void scale_shift(__global const float *in, __global float *out, int n, float a, float b)
{
    int i = get_global_id(0);
    if (i >= n) return;
    out[i] = a * in[i] + b;
}
