/* bilateral.cl - the joint bilateral filter (as OpenCV's ximgproc defines
 * it) and joint bilateral upsampling (Kopf et al. 2007).
 * Layout: planar float32, C x H x W; the guide has gc = 1 or 3 planes and the
 * target n = 1 or 3 planes, all filtered with one set of weights. */

/* Pixels per work item: a float vector width (2, 4, 8 or 16) from the tuning
 * table (src/runtime/device.c), which the host reads too. */
#ifndef JF_BILATERAL_VEC
#define JF_BILATERAL_VEC 8
#endif
#if JF_BILATERAL_VEC != 2 && JF_BILATERAL_VEC != 4 && JF_BILATERAL_VEC != 8 && JF_BILATERAL_VEC != 16
#error "JF_BILATERAL_VEC must be an OpenCL vector width: 2, 4, 8 or 16"
#endif
#define JF_V JF_BILATERAL_VEC
#define JF_FLOATV JF_CAT(float, JF_BILATERAL_VEC)
#define JF_LOADV JF_CAT(vload, JF_BILATERAL_VEC)
#define JF_STOREV JF_CAT(vstore, JF_BILATERAL_VEC)

/* OpenCV's BORDER_REFLECT_101 (gfedcb|abcdefgh|gfedcba), periodic for windows
 * wider than the image (jf_border_index: cl/common.cl). */
static inline int jf_reflect101(int p, int n) { return jf_border_index(p, n, JF_BORDER_REFLECT_101); }

/* f(x), f(x + 1), ..., f(x + n - 1) as a list, for a vector literal: the
 * scalar loads of the border path compile as they did written out by hand
 * (a loop into a private array doubled the kernel's code, measured). */
#define JF_LANES2(f, x) f(x), f((x) + 1)
#define JF_LANES4(f, x) JF_LANES2(f, x), JF_LANES2(f, (x) + 2)
#define JF_LANES8(f, x) JF_LANES4(f, x), JF_LANES4(f, (x) + 4)
#define JF_LANES16(f, x) JF_LANES8(f, x), JF_LANES8(f, (x) + 8)

/* JF_V horizontally adjacent values of a row from x, border reflected (one
 * vector load when all are inside). */
static inline JF_FLOATV jf_rowv(__global const float *row, int x, int w, int inside)
{
    if (inside) return JF_LOADV(0, row + x);
#define JF_ROW_AT(i) row[jf_reflect101(i, w)]
    return (JF_FLOATV)(JF_CAT(JF_LANES, JF_V)(JF_ROW_AT, x));
#undef JF_ROW_AT
}

/* out(p) = sum_q w(p,q) target(q) / sum_q w(p,q) over the disk |q - p| <= r,
 * w = exp(-|q - p|^2 * space_coeff - (sum_k |I_k(q) - I_k(p)|)^2 * color_coeff):
 * the colour distance is the L1 norm over the guide's planes, as in OpenCV.
 * A work item computes JF_V adjacent pixels with vector arithmetic (CPU
 * OpenCL runtimes do not vectorize across work items through these loops);
 * each row of the disk is walked between its own bounds, and windows inside
 * the image load whole vectors. gc and n are compile-time constants in each
 * kernel below, so the per-channel arrays stay in registers. */
static inline void jbf_body(__global const float *guide, __global const float *target, __global float *out,
                     const int gc, const int n, int h, int w, int r, float space_coeff,
                     float color_coeff)
{
    int x = get_global_id(0) * JF_V, y = get_global_id(1);
    if (x >= w || y >= h) return;
    size_t plane = (size_t)h * w;
    int inside0 = x + JF_V - 1 < w;
    JF_FLOATV g0[3];
    for (int k = 0; k < gc; k++) g0[k] = jf_rowv(guide + k * plane + (size_t)y * w, x, w, inside0);
    JF_FLOATV acc[3] = {(JF_FLOATV)(0.0f), (JF_FLOATV)(0.0f), (JF_FLOATV)(0.0f)};
    JF_FLOATV wsum = (JF_FLOATV)(0.0f);
    int inside = x >= r && x + JF_V - 1 + r < w;
    for (int dy = -r; dy <= r; dy++) {
        size_t row = (size_t)jf_reflect101(y + dy, h) * w;
        /* half-width of the disk's row: the largest s with s^2 + dy^2 <= r^2 */
        int s = (int)sqrt((float)(r * r - dy * dy));
        while (s * s + dy * dy > r * r) s--;
        while ((s + 1) * (s + 1) + dy * dy <= r * r) s++;
        float wy = (float)(dy * dy) * space_coeff;
        for (int dx = -s; dx <= s; dx++) {
            JF_FLOATV dist = (JF_FLOATV)(0.0f);
            for (int k = 0; k < gc; k++)
                dist += fabs(jf_rowv(guide + k * plane + row, x + dx, w, inside) - g0[k]);
            JF_FLOATV wt = exp(-((float)(dx * dx) * space_coeff + wy) - dist * dist * color_coeff);
            wsum += wt;
            for (int c = 0; c < n; c++) acc[c] += wt * jf_rowv(target + c * plane + row, x + dx, w, inside);
        }
    }
    __global float *o = out + (size_t)y * w + x;
    for (int c = 0; c < n; c++) {
        JF_FLOATV v = acc[c] / wsum;
        if (inside0) {
            JF_STOREV(v, 0, o + c * plane);
        } else {
            float tail[JF_V];
            JF_STOREV(v, 0, tail);
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
 * A work item computes JF_V adjacent pixels of a row: the window rows are
 * shared, the columns are gathered per lane, the weights are vectors. */
static inline void jbu_body(__global const float *guide, __global const float *low, __global float *out,
                     const int gc, const int n, int h, int w, int lh, int lw, int r,
                     float space_coeff, float color_coeff)
{
    int x = get_global_id(0) * JF_V, y = get_global_id(1);
    if (x >= w || y >= h) return;
    size_t plane = (size_t)h * w, lplane = (size_t)lh * lw;
    float sx = (float)lw / (float)w, sy = (float)lh / (float)h;
    float py = ((float)y + 0.5f) * sy - 0.5f;
    int cy = clamp((int)floor(py + 0.5f), 0, lh - 1);
    /* per lane: position, nearest low-resolution column, own guide value */
    float pxa[JF_V];
    int cxa[JF_V], xa[JF_V];
    for (int i = 0; i < JF_V; i++) {
        xa[i] = min(x + i, w - 1); /* lanes past the row end repeat the last pixel */
        pxa[i] = ((float)xa[i] + 0.5f) * sx - 0.5f;
        cxa[i] = clamp((int)floor(pxa[i] + 0.5f), 0, lw - 1);
    }
    JF_FLOATV px = JF_LOADV(0, pxa);
    JF_FLOATV g0[3];
    for (int k = 0; k < gc; k++) {
        float v[JF_V];
        for (int i = 0; i < JF_V; i++) v[i] = guide[k * plane + (size_t)y * w + xa[i]];
        g0[k] = JF_LOADV(0, v);
    }
    JF_FLOATV acc[3] = {(JF_FLOATV)(0.0f), (JF_FLOATV)(0.0f), (JF_FLOATV)(0.0f)};
    JF_FLOATV wsum = (JF_FLOATV)(0.0f);
    for (int qy = max(cy - r, 0); qy <= min(cy + r, lh - 1); qy++) {
        int hy = min((int)(((float)qy + 0.5f) / sy), h - 1);
        float dy = (float)qy - py;
        for (int dx = -r; dx <= r; dx++) {
            float qxf[JF_V], valid[JF_V], gv[3][JF_V], lv[3][JF_V];
            for (int i = 0; i < JF_V; i++) {
                int qx = cxa[i] + dx;
                valid[i] = qx >= 0 && qx < lw ? 1.0f : 0.0f;
                qx = clamp(qx, 0, lw - 1);
                qxf[i] = (float)qx;
                int hx = min((int)(((float)qx + 0.5f) / sx), w - 1);
                for (int k = 0; k < gc; k++) gv[k][i] = guide[k * plane + (size_t)hy * w + hx];
                for (int c = 0; c < n; c++) lv[c][i] = low[c * lplane + (size_t)qy * lw + qx];
            }
            JF_FLOATV d = JF_LOADV(0, qxf) - px;
            JF_FLOATV dist2 = (JF_FLOATV)(0.0f);
            for (int k = 0; k < gc; k++) {
                JF_FLOATV e = JF_LOADV(0, gv[k]) - g0[k];
                dist2 += e * e;
            }
            JF_FLOATV wt = JF_LOADV(0, valid) * exp(-(d * d + dy * dy) * space_coeff - dist2 * color_coeff);
            wsum += wt;
            for (int c = 0; c < n; c++) acc[c] += wt * JF_LOADV(0, lv[c]);
        }
    }
    float res[3][JF_V], ws[JF_V];
    JF_STOREV(wsum, 0, ws);
    for (int c = 0; c < n; c++) JF_STOREV(acc[c], 0, res[c]);
    for (int i = 0; i < JF_V && x + i < w; i++) {
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
