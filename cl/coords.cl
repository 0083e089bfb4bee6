/* coords.cl - an image with two coordinate planes appended (Fang et al.'s
 * network input). Layout: planar float32, C x H x W. */

/* out planes 0..C-1 = in, plane C = (2x + 1) / W - 1, plane C + 1 = (2y + 1) / H - 1:
 * pixel centres mapped to (-1, 1) across the image. */
__kernel void append_coords(__global const float *in, __global float *out, int channels, int H, int W)
{
    int x = get_global_id(0), y = get_global_id(1), c = get_global_id(2);
    if (x >= W || y >= H || c >= channels + 2) return;
    size_t i = ((size_t)c * H + y) * W + x;
    if (c < channels) out[i] = in[i];
    else if (c == channels) out[i] = (2.0f * x + 1.0f) / W - 1.0f;
    else out[i] = (2.0f * y + 1.0f) / H - 1.0f;
}
