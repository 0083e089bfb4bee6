/* pad.cl - zero padding: the input placed at (pad, pad) of a larger image.
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
