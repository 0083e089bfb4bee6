/* color.cl - colour conversion. Layout: planar float32, C x H x W. */

/* Gray from three planes given in (r, g, b) plane indices.
 * mode 0: float luma 0.299 R + 0.587 G + 0.114 B;
 * mode 1: OpenCV's 8-bit conversion (fixed point, rounded to a byte) of the
 *         8-bit-quantised input, as models trained on cv2 gray images saw it. */
__kernel void rgb_to_gray(__global const float *in, __global float *out, int plane, int ri,
                          int gi, int bi, int mode)
{
    int p = get_global_id(0);
    if (p >= plane) return;
    float r = in[(size_t)ri * plane + p], g = in[(size_t)gi * plane + p], b = in[(size_t)bi * plane + p];
    if (mode == 0) {
        out[p] = 0.299f * r + 0.587f * g + 0.114f * b;
    } else {
        int R = (int)clamp(r * 255.0f + 0.5f, 0.0f, 255.0f);
        int G = (int)clamp(g * 255.0f + 0.5f, 0.0f, 255.0f);
        int B = (int)clamp(b * 255.0f + 0.5f, 0.0f, 255.0f);
        out[p] = (float)((R * 4899 + G * 9617 + B * 1868 + 8192) >> 14) / 255.0f;
    }
}
