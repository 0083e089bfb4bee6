/* add_upsampled.cl - a map plus a coarser map, nearest-upsampled and scaled
 * (coarse-to-fine fusion). Layout: planar float32, C x H x W. */

/* out[c][y][x] = a[c][y][x] + scale * b[c][y/f][x/f]   (b is C x h x w, h = ceil(H/f)) */
__kernel void add_upsampled(__global const float *a, __global const float *b, __global float *out, int channels,
                            int H, int W, int h, int w, int f, float scale)
{
    int x = get_global_id(0), y = get_global_id(1), c = get_global_id(2);
    if (x >= W || y >= H || c >= channels) return;
    size_t i = ((size_t)c * H + y) * W + x;
    out[i] = a[i] + scale * b[((size_t)c * h + y / f) * w + x / f];
}
