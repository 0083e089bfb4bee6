/* upsample_nearest.cl - nearest-neighbour upsampling by an integer factor,
 * cropped to the output's size. Layout: planar float32, C x H x W. */

/* out[c][y][x] = in[c][y/f][x/f]   (in is C x h x w, h >= ceil(H/f)) */
__kernel void upsample_nearest(__global const float *in, __global float *out, int channels, int H, int W, int h,
                               int w, int f)
{
    int x = get_global_id(0), y = get_global_id(1), c = get_global_id(2);
    if (x >= W || y >= H || c >= channels) return;
    out[((size_t)c * H + y) * W + x] = in[((size_t)c * h + y / f) * w + x / f];
}
