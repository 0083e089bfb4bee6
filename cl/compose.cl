/* compose.cl - the affine composition of a spatially variant linear model
 * (SVLRM): out = alpha * guide + beta, alpha and beta the two planes of the
 * coefficients. Layout: planar float32. */

__kernel void affine_compose(__global const float *coeffs, __global const float *guide,
                             __global float *out, int plane)
{
    int p = get_global_id(0);
    if (p >= plane) return;
    out[p] = coeffs[p] * guide[p] + coeffs[(size_t)plane + p];
}
