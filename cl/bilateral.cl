/* bilateral.cl - the joint bilateral filter (as OpenCV's ximgproc defines
 * it) and joint bilateral upsampling (Kopf et al. 2007).
 * Layout: planar float32, C x H x W; the guide has gc = 1 or 3 planes and the
 * target n = 1 or 3 planes, all filtered with one set of weights. */

/* OpenCV's BORDER_REFLECT_101 (gfedcb|abcdefgh|gfedcba), periodic for windows
 * wider than the image. */
static int jf_reflect101(int p, int n)
{
    if (p >= 0 && p < n) return p;
    if (n == 1) return 0;
    int period = 2 * n - 2;
    p %= period;
    if (p < 0) p += period;
    return p < n ? p : period - p;
}

/* Eight horizontally adjacent values of a row at x..x+7, border reflected
 * (one vector load when all eight are inside). */
static inline float8 jf_row8(__global const float *row, int x, int w, int inside)
{
    if (inside) return vload8(0, row + x);
    return (float8)(row[jf_reflect101(x, w)], row[jf_reflect101(x + 1, w)],
                    row[jf_reflect101(x + 2, w)], row[jf_reflect101(x + 3, w)],
                    row[jf_reflect101(x + 4, w)], row[jf_reflect101(x + 5, w)],
                    row[jf_reflect101(x + 6, w)], row[jf_reflect101(x + 7, w)]);
}

/* out(p) = sum_q w(p,q) target(q) / sum_q w(p,q) over the disk |q - p| <= r,
 * w = exp(-|q - p|^2 * space_coeff - (sum_k |I_k(q) - I_k(p)|)^2 * color_coeff):
 * the colour distance is the L1 norm over the guide's planes, as in OpenCV.
 * A work item computes eight adjacent pixels with float8 arithmetic (CPU
 * OpenCL runtimes do not vectorize across work items through these loops);
 * each row of the disk is walked between its own bounds, and windows inside
 * the image load whole vectors. gc and n are compile-time constants in each
 * kernel below, so the per-channel arrays stay in registers. */
static inline void jbf_body(__global const float *guide, __global const float *target, __global float *out,
                     const int gc, const int n, int h, int w, int r, float space_coeff,
                     float color_coeff)
{
    int x = get_global_id(0) * 8, y = get_global_id(1);
    if (x >= w || y >= h) return;
    size_t plane = (size_t)h * w;
    int inside0 = x + 7 < w;
    float8 g0[3];
    for (int k = 0; k < gc; k++) g0[k] = jf_row8(guide + k * plane + (size_t)y * w, x, w, inside0);
    float8 acc[3] = {(float8)(0.0f), (float8)(0.0f), (float8)(0.0f)};
    float8 wsum = (float8)(0.0f);
    int inside = x >= r && x + 7 + r < w;
    for (int dy = -r; dy <= r; dy++) {
        size_t row = (size_t)jf_reflect101(y + dy, h) * w;
        /* half-width of the disk's row: the largest s with s^2 + dy^2 <= r^2 */
        int s = (int)sqrt((float)(r * r - dy * dy));
        while (s * s + dy * dy > r * r) s--;
        while ((s + 1) * (s + 1) + dy * dy <= r * r) s++;
        float wy = (float)(dy * dy) * space_coeff;
        for (int dx = -s; dx <= s; dx++) {
            float8 dist = (float8)(0.0f);
            for (int k = 0; k < gc; k++)
                dist += fabs(jf_row8(guide + k * plane + row, x + dx, w, inside) - g0[k]);
            float8 wt = exp(-((float)(dx * dx) * space_coeff + wy) - dist * dist * color_coeff);
            wsum += wt;
            for (int c = 0; c < n; c++) acc[c] += wt * jf_row8(target + c * plane + row, x + dx, w, inside);
        }
    }
    __global float *o = out + (size_t)y * w + x;
    for (int c = 0; c < n; c++) {
        float8 v = acc[c] / wsum;
        if (inside0) {
            vstore8(v, 0, o + c * plane);
        } else {
            float tail[8];
            vstore8(v, 0, tail);
            for (int i = 0; x + i < w; i++) o[c * plane + i] = tail[i];
        }
    }
}

#define JBF_KERNEL(GC, N)                                                                        \
    __kernel void jbf_g##GC##_t##N(__global const float *guide, __global const float *target,    \
                                   __global float *out, int h, int w, int r, float space_coeff,  \
                                   float color_coeff)                                            \
    {                                                                                            \
        jbf_body(guide, target, out, GC, N, h, w, r, space_coeff, color_coeff);                  \
    }
JBF_KERNEL(1, 1)
JBF_KERNEL(3, 1)
JBF_KERNEL(1, 3)
JBF_KERNEL(3, 3)

/* Joint bilateral upsampling: for the high-resolution pixel p (position p_l
 * in low-resolution pixel units, centres aligned), the low-resolution pixels
 * q within r of round(p_l) vote with
 *   exp(-|q - p_l|^2 * space_coeff) * exp(-|I(p) - I(q_h)|^2 * color_coeff),
 * q_h the high-resolution pixel at q's centre and |.| the Euclidean norm
 * over the guide's planes (Kopf et al.). Windows are clipped to the image.
 * If every weight underflows, the nearest low-resolution value is taken.
 * A work item computes eight adjacent pixels of a row: the window rows are
 * shared, the columns are gathered per lane, the weights are float8. */
static inline void jbu_body(__global const float *guide, __global const float *low, __global float *out,
                     const int gc, const int n, int h, int w, int lh, int lw, int r,
                     float space_coeff, float color_coeff)
{
    int x = get_global_id(0) * 8, y = get_global_id(1);
    if (x >= w || y >= h) return;
    size_t plane = (size_t)h * w, lplane = (size_t)lh * lw;
    float sx = (float)lw / (float)w, sy = (float)lh / (float)h;
    float py = ((float)y + 0.5f) * sy - 0.5f;
    int cy = clamp((int)floor(py + 0.5f), 0, lh - 1);
    /* per lane: position, nearest low-resolution column, own guide value */
    float pxa[8];
    int cxa[8], xa[8];
    for (int i = 0; i < 8; i++) {
        xa[i] = min(x + i, w - 1); /* lanes past the row end repeat the last pixel */
        pxa[i] = ((float)xa[i] + 0.5f) * sx - 0.5f;
        cxa[i] = clamp((int)floor(pxa[i] + 0.5f), 0, lw - 1);
    }
    float8 px = vload8(0, pxa);
    float8 g0[3];
    for (int k = 0; k < gc; k++) {
        float v[8];
        for (int i = 0; i < 8; i++) v[i] = guide[k * plane + (size_t)y * w + xa[i]];
        g0[k] = vload8(0, v);
    }
    float8 acc[3] = {(float8)(0.0f), (float8)(0.0f), (float8)(0.0f)};
    float8 wsum = (float8)(0.0f);
    for (int qy = max(cy - r, 0); qy <= min(cy + r, lh - 1); qy++) {
        int hy = min((int)(((float)qy + 0.5f) / sy), h - 1);
        float dy = (float)qy - py;
        for (int dx = -r; dx <= r; dx++) {
            float qxf[8], valid[8], gv[3][8], lv[3][8];
            for (int i = 0; i < 8; i++) {
                int qx = cxa[i] + dx;
                valid[i] = qx >= 0 && qx < lw ? 1.0f : 0.0f;
                qx = clamp(qx, 0, lw - 1);
                qxf[i] = (float)qx;
                int hx = min((int)(((float)qx + 0.5f) / sx), w - 1);
                for (int k = 0; k < gc; k++) gv[k][i] = guide[k * plane + (size_t)hy * w + hx];
                for (int c = 0; c < n; c++) lv[c][i] = low[c * lplane + (size_t)qy * lw + qx];
            }
            float8 d = vload8(0, qxf) - px;
            float8 dist2 = (float8)(0.0f);
            for (int k = 0; k < gc; k++) {
                float8 e = vload8(0, gv[k]) - g0[k];
                dist2 += e * e;
            }
            float8 wt = vload8(0, valid) * exp(-(d * d + dy * dy) * space_coeff - dist2 * color_coeff);
            wsum += wt;
            for (int c = 0; c < n; c++) acc[c] += wt * vload8(0, lv[c]);
        }
    }
    float res[3][8], ws[8];
    vstore8(wsum, 0, ws);
    for (int c = 0; c < n; c++) vstore8(acc[c], 0, res[c]);
    for (int i = 0; i < 8 && x + i < w; i++) {
        size_t o = (size_t)y * w + x + i, nearest = (size_t)cy * lw + cxa[i];
        for (int c = 0; c < n; c++)
            out[c * plane + o] = ws[i] > 0.0f ? res[c][i] / ws[i] : low[c * lplane + nearest];
    }
}

/* gc and n as compile-time constants, as for jbf */
#define JBU_KERNEL(GC, N)                                                                         \
    __kernel void jbu_g##GC##_t##N(__global const float *guide, __global const float *low,       \
                                   __global float *out, int h, int w, int lh, int lw, int r,      \
                                   float space_coeff, float color_coeff)                          \
    {                                                                                             \
        jbu_body(guide, low, out, GC, N, h, w, lh, lw, r, space_coeff, color_coeff);              \
    }
JBU_KERNEL(1, 1)
JBU_KERNEL(3, 1)
JBU_KERNEL(1, 3)
JBU_KERNEL(3, 3)
