/* box.cl - normalized box (mean) filter, separable, O(1) work per pixel:
 * each work item slides a running sum along one segment of a row or column.
 * Layout: planar float32, C x H x W. Border rules: jf_border_index (cl/common.cl). */

/* Columns per work item of box_cols, a float vector width (2, 4, 8 or 16)
 * from the tuning table (src/runtime/device.c), which the host reads too. */
#ifndef JF_BOX_VEC
#define JF_BOX_VEC 8
#endif
#if JF_BOX_VEC != 2 && JF_BOX_VEC != 4 && JF_BOX_VEC != 8 && JF_BOX_VEC != 16
#error "JF_BOX_VEC must be an OpenCL vector width: 2, 4, 8 or 16"
#endif
#define JF_BOXV JF_CAT(float, JF_BOX_VEC)
#define JF_BOX_LOAD JF_CAT(vload, JF_BOX_VEC)
#define JF_BOX_STORE JF_CAT(vstore, JF_BOX_VEC)

/* The running sum of one row segment [x0, x1): out[x] = norm * sum of
 * v(k) for k in [x-r, x+r], v(k) = A[k] (single) or A[k] * B[k] at the
 * border-mapped k. The first window is summed directly; then each step adds
 * the entering value and drops the leaving one, with the border arithmetic
 * only where the window crosses an edge. */
static inline void jf_row_slide(__global const float *A, __global const float *B, int single,
                         __global float *dst, int x0, int x1, int w, int r, int border)
{
    float norm = 1.0f / (float)(2 * r + 1);
    float sum = 0.0f;
    for (int k = x0 - r; k <= x0 + r; k++) {
        int i = jf_border_index(k, w, border);
        sum += single ? A[i] : A[i] * B[i];
    }
    dst[x0] = sum * norm;
    int x = x0 + 1;
    /* the edges: the leaving or entering pixel lies outside the row */
    int xl = min(x1, r + 1), xr = max(min(x1, w - r), xl);
    for (; x < xl; x++) {
        int i = jf_border_index(x + r, w, border), o = jf_border_index(x - r - 1, w, border);
        sum += single ? A[i] - A[o] : A[i] * B[i] - A[o] * B[o];
        dst[x] = sum * norm;
    }
    /* the interior: both inside */
    if (single) {
        for (; x < xr; x++) {
            sum += A[x + r] - A[x - r - 1];
            dst[x] = sum * norm;
        }
    } else {
        for (; x < xr; x++) {
            sum += A[x + r] * B[x + r] - A[x - r - 1] * B[x - r - 1];
            dst[x] = sum * norm;
        }
    }
    for (; x < x1; x++) {
        int i = jf_border_index(x + r, w, border), o = jf_border_index(x - r - 1, w, border);
        sum += single ? A[i] - A[o] : A[i] * B[i] - A[o] * B[o];
        dst[x] = sum * norm;
    }
}

/* Horizontal pass. Work item (s, y, c) computes out[c][y][x] for x in
 * [s*seg, s*seg + seg) with a running sum. Segments (rather than whole rows)
 * keep the float running sum short and give the device many independent
 * items; seg >= 2r+1 keeps the start-up cost under one read per pixel. */
__kernel void box_rows(__global const float *in, __global float *out, int planes, int h, int w,
                       int r, int border, int seg)
{
    int s = get_global_id(0), y = get_global_id(1), c = get_global_id(2);
    int x0 = s * seg;
    if (x0 >= w || y >= h || c >= planes) return;
    __global const float *src = in + ((size_t)c * h + y) * w;
    jf_row_slide(src, src, 1, out + ((size_t)c * h + y) * w, x0, min(x0 + seg, w), w, r, border);
}

/* The horizontal pass of products of planes, so the guided filter's window
 * statistics need no product images: output plane c is the row box sum of
 * a[pairs[2c]] * b[pairs[2c+1]], or of a[pairs[2c]] alone when pairs[2c+1] < 0. */
__kernel void box_rows_products(__global const float *a, __global const float *b,
                                __global const int *pairs, __global float *out, int planes, int h,
                                int w, int r, int border, int seg)
{
    int s = get_global_id(0), y = get_global_id(1), c = get_global_id(2);
    int x0 = s * seg;
    if (x0 >= w || y >= h || c >= planes) return;
    int pa = pairs[2 * c], pb = pairs[2 * c + 1];
    jf_row_slide(a + ((size_t)pa * h + y) * w, b + ((size_t)max(pb, 0) * h + y) * w, pb < 0,
                 out + ((size_t)c * h + y) * w, x0, min(x0 + seg, w), w, r, border);
}

/* Vertical pass: work item (x, s, c) slides down the column segment
 * [s*seg, s*seg + seg) of JF_BOX_VEC adjacent columns at once with vector
 * sums (CPU runtimes do not vectorize across work items through the loop);
 * the last partial group of columns takes the scalar path. */
__kernel void box_cols(__global const float *in, __global float *out, int planes, int h, int w,
                       int r, int border, int seg)
{
    int x = get_global_id(0) * JF_BOX_VEC, s = get_global_id(1), c = get_global_id(2);
    int y0 = s * seg;
    if (x >= w || y0 >= h || c >= planes) return;
    int y1 = min(y0 + seg, h);
    __global const float *src = in + (size_t)c * h * w + x;
    __global float *dst = out + (size_t)c * h * w + x;
    float norm = 1.0f / (float)(2 * r + 1);
    if (x + JF_BOX_VEC <= w) {
        JF_BOXV sum = (JF_BOXV)(0.0f);
        for (int k = y0 - r; k <= y0 + r; k++)
            sum += JF_BOX_LOAD(0, src + (size_t)jf_border_index(k, h, border) * w);
        JF_BOX_STORE(sum * norm, 0, dst + (size_t)y0 * w);
        for (int y = y0 + 1; y < y1; y++) {
            sum += JF_BOX_LOAD(0, src + (size_t)jf_border_index(y + r, h, border) * w) -
                   JF_BOX_LOAD(0, src + (size_t)jf_border_index(y - r - 1, h, border) * w);
            JF_BOX_STORE(sum * norm, 0, dst + (size_t)y * w);
        }
        return;
    }
    for (int i = 0; x + i < w; i++) {
        float sum = 0.0f;
        for (int k = y0 - r; k <= y0 + r; k++) sum += src[(size_t)jf_border_index(k, h, border) * w + i];
        dst[(size_t)y0 * w + i] = sum * norm;
        for (int y = y0 + 1; y < y1; y++) {
            sum += src[(size_t)jf_border_index(y + r, h, border) * w + i] -
                   src[(size_t)jf_border_index(y - r - 1, h, border) * w + i];
            dst[(size_t)y * w + i] = sum * norm;
        }
    }
}
