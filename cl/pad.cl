/* pad.cl - padding of every plane: zeros around (the input placed at (pad,
 * pad) of a larger image) or edge replication below and to the right.
 * Layout: planar float32, C x H x W. */

/* out[c][y + pad][x + pad] = in[c][y][x]; zero elsewhere. */
__kernel void pad_zero(__global const float *in, __global float *out, int c, int h, int w, int pad,
                       int hp, int wp)
{
    int x = get_global_id(0), y = get_global_id(1), ci = get_global_id(2);
    if (x >= wp || y >= hp || ci >= c) return;
    int sx = x - pad, sy = y - pad;
    float v = 0.0f;
    if (sx >= 0 && sx < w && sy >= 0 && sy < h) v = in[((size_t)ci * h + sy) * w + sx];
    out[((size_t)ci * hp + y) * wp + x] = v;
}

/* out[c][y][x] = in[c][min(y, h-1)][min(x, w-1)]: the input at the top-left,
 * its last row and column repeated below and to the right. */
__kernel void pad_replicate(__global const float *in, __global float *out, int c, int h, int w, int hp, int wp)
{
    int x = get_global_id(0), y = get_global_id(1), ci = get_global_id(2);
    if (x >= wp || y >= hp || ci >= c) return;
    out[((size_t)ci * hp + y) * wp + x] = in[((size_t)ci * h + min(y, h - 1)) * w + min(x, w - 1)];
}
