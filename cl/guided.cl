/* guided.cl - the per-pixel steps of the guided filter (He, Sun, Tang 2010)
 * and its fast subsampled variant (He, Sun 2015); the window means between
 * them (of the guide, the target and their products) come from box.cl.
 * Layout: planar float32, C x H x W; the guide has gc = 1 or 3 planes. */

/* The local linear model q = a.I + b of each window from the window means:
 *   a = (Sigma + eps U)^-1 cov(I, p),  b = mean(p) - a.mean(I),
 * Sigma the guide's covariance in the window (1x1 or 3x3, solved by the
 * adjugate; the 3x3 matrix is symmetric positive definite for eps > 0).
 * gstat: means of I_k and I_i*I_j (i <= j: 00 01 02 11 12 22);
 * tstat: means of p and I_k*p.
 * out: a_0..a_{gc-1}, b. */
__kernel void gf_coefficients(__global const float *gstat, __global const float *tstat,
                              __global float *out, int gc, int plane, float eps)
{
    int q = get_global_id(0);
    if (q >= plane) return;
    float mp = tstat[q];
    if (gc == 1) {
        float mi = gstat[q];
        float var = gstat[(size_t)plane + q] - mi * mi;
        float cov = tstat[(size_t)plane + q] - mi * mp;
        float den = var + eps;
        /* a constant window with eps = 0: no edge to keep, take the mean */
        float a = den > 0.0f ? cov / den : 0.0f;
        out[q] = a;
        out[(size_t)plane + q] = mp - a * mi;
        return;
    }
    float m0 = gstat[q], m1 = gstat[(size_t)plane + q], m2 = gstat[(size_t)2 * plane + q];
    float s00 = gstat[(size_t)3 * plane + q] - m0 * m0 + eps;
    float s01 = gstat[(size_t)4 * plane + q] - m0 * m1;
    float s02 = gstat[(size_t)5 * plane + q] - m0 * m2;
    float s11 = gstat[(size_t)6 * plane + q] - m1 * m1 + eps;
    float s12 = gstat[(size_t)7 * plane + q] - m1 * m2;
    float s22 = gstat[(size_t)8 * plane + q] - m2 * m2 + eps;
    float c0 = tstat[(size_t)plane + q] - m0 * mp;
    float c1 = tstat[(size_t)2 * plane + q] - m1 * mp;
    float c2 = tstat[(size_t)3 * plane + q] - m2 * mp;
    /* cofactors of the symmetric matrix */
    float i00 = s11 * s22 - s12 * s12;
    float i01 = s02 * s12 - s01 * s22;
    float i02 = s01 * s12 - s02 * s11;
    float i11 = s00 * s22 - s02 * s02;
    float i12 = s01 * s02 - s00 * s12;
    float i22 = s00 * s11 - s01 * s01;
    float det = s00 * i00 + s01 * i01 + s02 * i02;
    float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f;
    if (det != 0.0f) {
        float inv = 1.0f / det;
        a0 = (i00 * c0 + i01 * c1 + i02 * c2) * inv;
        a1 = (i01 * c0 + i11 * c1 + i12 * c2) * inv;
        a2 = (i02 * c0 + i12 * c1 + i22 * c2) * inv;
    }
    out[q] = a0;
    out[(size_t)plane + q] = a1;
    out[(size_t)2 * plane + q] = a2;
    out[(size_t)3 * plane + q] = mp - a0 * m0 - a1 * m1 - a2 * m2;
}

/* q = mean(a).I + mean(b) at the guide's full resolution. The averaged
 * coefficients ab (gc + 1 planes) are lh x lw: the same size as the guide for
 * the plain filter, or the subsampled size for the fast filter, in which case
 * they are upsampled bilinearly (pixel centres aligned, edges clamped).
 * Writes plane c of out. */
__kernel void gf_apply(__global const float *guide, __global const float *ab, __global float *out,
                       int gc, int h, int w, int lh, int lw, int c)
{
    int x = get_global_id(0), y = get_global_id(1);
    if (x >= w || y >= h) return;
    size_t plane = (size_t)h * w, lplane = (size_t)lh * lw, p = (size_t)y * w + x;
    float acc;
    if (lh == h && lw == w) {
        acc = ab[(size_t)gc * plane + p];
        for (int k = 0; k < gc; k++) acc += ab[(size_t)k * plane + p] * guide[(size_t)k * plane + p];
    } else {
        float fx = ((float)x + 0.5f) * (float)lw / (float)w - 0.5f;
        float fy = ((float)y + 0.5f) * (float)lh / (float)h - 0.5f;
        fx = clamp(fx, 0.0f, (float)(lw - 1));
        fy = clamp(fy, 0.0f, (float)(lh - 1));
        int x0 = (int)fx, y0 = (int)fy;
        int x1 = min(x0 + 1, lw - 1), y1 = min(y0 + 1, lh - 1);
        float tx = fx - x0, ty = fy - y0;
        size_t i00 = (size_t)y0 * lw + x0, i01 = (size_t)y0 * lw + x1;
        size_t i10 = (size_t)y1 * lw + x0, i11 = (size_t)y1 * lw + x1;
        acc = 0.0f;
        for (int k = 0; k <= gc; k++) {
            __global const float *c = ab + (size_t)k * lplane;
            float top = c[i00] + (c[i01] - c[i00]) * tx;
            float bot = c[i10] + (c[i11] - c[i10]) * tx;
            float v = top + (bot - top) * ty;
            acc += k < gc ? v * guide[(size_t)k * plane + p] : v;
        }
    }
    out[(size_t)c * plane + p] = acc;
}

/* Area-average subsampling by an integer factor s (the fast guided filter's
 * first step): each low-resolution pixel is the mean of its s x s block,
 * clipped at the image edge. */
__kernel void gf_subsample(__global const float *in, __global float *out, int c, int h, int w,
                           int lh, int lw, int s)
{
    int x = get_global_id(0), y = get_global_id(1), k = get_global_id(2);
    if (x >= lw || y >= lh || k >= c) return;
    int xa = x * s, ya = y * s, xb = min(xa + s, w), yb = min(ya + s, h);
    __global const float *src = in + (size_t)k * h * w;
    float sum = 0.0f;
    for (int yy = ya; yy < yb; yy++)
        for (int xx = xa; xx < xb; xx++) sum += src[(size_t)yy * w + xx];
    out[((size_t)k * lh + y) * lw + x] = sum / (float)((xb - xa) * (yb - ya));
}
