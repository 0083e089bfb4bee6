/* pool.cl - average pooling by an integer factor, without padding. Layout:
 * planar float32, C x H x W. */

/* out[c][y][x] = mean of in[c] over the f x f block at (f*y, f*x), the block
 * clipped to the input: with ceil-division output sizes the last row and
 * column average what is inside; with floor sizes every block is whole. */
__kernel void avg_pool(__global const float *in, __global float *out, int channels, int H, int W, int h, int w,
                       int f)
{
    int x = get_global_id(0), y = get_global_id(1), c = get_global_id(2);
    if (x >= w || y >= h || c >= channels) return;
    int y1 = min(H, (y + 1) * f), x1 = min(W, (x + 1) * f);
    __global const float *src = in + (size_t)c * H * W;
    float acc = 0.0f;
    for (int iy = y * f; iy < y1; iy++)
        for (int ix = x * f; ix < x1; ix++) acc += src[(size_t)iy * W + ix];
    out[((size_t)c * h + y) * w + x] = acc / (float)((y1 - y * f) * (x1 - x * f));
}
