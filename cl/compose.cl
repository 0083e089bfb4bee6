/* compose.cl - SVLRM's coefficient composition: output = alpha * guide + beta,
 * with alpha and beta the two planes of the network's last layer. */
__kernel void svlrm_compose(__global const float *coeffs, __global const float *guide,
                            __global float *out, int plane)
{
    int p = get_global_id(0);
    if (p >= plane) return;
    out[p] = coeffs[p] * guide[p] + coeffs[(size_t)plane + p];
}
