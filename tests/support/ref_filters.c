/* ref_filters.c - plain C (double precision) references of the classical
 * filters, written from their definitions for clarity (see ref_filters.h). */
#include "ref_filters.h"

#include "jf_test.h"
#include "ref_ops.h" /* ref_border_index */

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Window mean by direct summation over the window, border by ref_border_index. */
void ref_box(const double *in, double *out, int c, int h, int w, int r, jf_border b)
{
    for (int k = 0; k < c; k++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                double s = 0.0;
                for (int dy = -r; dy <= r; dy++)
                    for (int dx = -r; dx <= r; dx++)
                        s += in[((size_t)k * h + ref_border_index(y + dy, h, b)) * w +
                                ref_border_index(x + dx, w, b)];
                out[((size_t)k * h + y) * w + x] = s / ((2.0 * r + 1) * (2.0 * r + 1));
            }
}

/* The guided filter's window mean (BORDER_REFLECT), summed separably by rows
 * then columns: the same sums as ref_box, O(r) per pixel to keep the test quick. */
double *ref_box_reflect(const double *in, int h, int w, int r)
{
    double *o = malloc((size_t)h * w * sizeof(double)), *t = malloc((size_t)h * w * sizeof(double));
    ck_assert_ptr_nonnull(o);
    ck_assert_ptr_nonnull(t);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double s = 0.0;
            for (int d = -r; d <= r; d++) s += in[(size_t)y * w + ref_border_index(x + d, w, JF_BORDER_REFLECT)];
            t[(size_t)y * w + x] = s;
        }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double s = 0.0;
            for (int d = -r; d <= r; d++) s += t[(size_t)ref_border_index(y + d, h, JF_BORDER_REFLECT) * w + x];
            o[(size_t)y * w + x] = s / ((2.0 * r + 1) * (2.0 * r + 1));
        }
    free(t);
    return o;
}

/* Solves the symmetric 3x3 system S a = c by Cramer's rule. */
static void solve3(const double S[3][3], const double c[3], double a[3])
{
    double det = S[0][0] * (S[1][1] * S[2][2] - S[1][2] * S[2][1]) -
                 S[0][1] * (S[1][0] * S[2][2] - S[1][2] * S[2][0]) +
                 S[0][2] * (S[1][0] * S[2][1] - S[1][1] * S[2][0]);
    for (int i = 0; i < 3; i++) {
        double M[3][3];
        memcpy(M, S, sizeof M);
        for (int j = 0; j < 3; j++) M[j][i] = c[j];
        a[i] = (M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) -
                M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) +
                M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0])) /
               det;
    }
}

/* The guided filter by its definition (He et al. 2010, eq. 5-8 and 19-21). */
void ref_guided(const float *guide, int gc, const float *target, int n, int h, int w, int r,
                       double eps, float *out)
{
    size_t P = (size_t)h * w;
    double *I[3], *mI[3], *II[3][3], *p = malloc(P * sizeof(double)), *tmp = malloc(P * sizeof(double));
    for (int k = 0; k < gc; k++) {
        I[k] = malloc(P * sizeof(double));
        for (size_t i = 0; i < P; i++) I[k][i] = guide[k * P + i];
        mI[k] = ref_box_reflect(I[k], h, w, r);
    }
    for (int i = 0; i < gc; i++)
        for (int j = 0; j < gc; j++) {
            for (size_t q = 0; q < P; q++) tmp[q] = I[i][q] * I[j][q];
            II[i][j] = ref_box_reflect(tmp, h, w, r);
        }
    for (int c = 0; c < n; c++) {
        for (size_t i = 0; i < P; i++) p[i] = target[c * P + i];
        double *mp = ref_box_reflect(p, h, w, r), *mIp[3], *a[3], *b = malloc(P * sizeof(double));
        for (int k = 0; k < gc; k++) {
            for (size_t q = 0; q < P; q++) tmp[q] = I[k][q] * p[q];
            mIp[k] = ref_box_reflect(tmp, h, w, r);
            a[k] = malloc(P * sizeof(double));
        }
        for (size_t q = 0; q < P; q++) {
            double S[3][3], cv[3], av[3];
            for (int i = 0; i < gc; i++) {
                cv[i] = mIp[i][q] - mI[i][q] * mp[q];
                for (int j = 0; j < gc; j++) S[i][j] = II[i][j][q] - mI[i][q] * mI[j][q] + (i == j ? eps : 0);
            }
            if (gc == 1) av[0] = cv[0] / S[0][0];
            else solve3(S, cv, av);
            b[q] = mp[q];
            for (int k = 0; k < gc; k++) {
                a[k][q] = av[k];
                b[q] -= av[k] * mI[k][q];
            }
        }
        double *mb = ref_box_reflect(b, h, w, r), *ma[3];
        for (int k = 0; k < gc; k++) ma[k] = ref_box_reflect(a[k], h, w, r);
        for (size_t q = 0; q < P; q++) {
            double v = mb[q];
            for (int k = 0; k < gc; k++) v += ma[k][q] * I[k][q];
            out[c * P + q] = (float)v;
        }
        for (int k = 0; k < gc; k++) {
            free(mIp[k]);
            free(a[k]);
            free(ma[k]);
        }
        free(mp);
        free(b);
        free(mb);
    }
    for (int k = 0; k < gc; k++) {
        free(I[k]);
        free(mI[k]);
        for (int j = 0; j < gc; j++) free(II[k][j]);
    }
    free(p);
    free(tmp);
}

/* Joint bilateral filter as OpenCV defines it (disk, L1 colour distance, reflect-101). */
void ref_jbf(const float *guide, int gc, const float *target, int n, int h, int w, int r,
                    double sc, double ss, float *out)
{
    size_t P = (size_t)h * w;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double acc[4] = {0}, ws = 0;
            for (int dy = -r; dy <= r; dy++)
                for (int dx = -r; dx <= r; dx++) {
                    if (dx * dx + dy * dy > r * r) continue;
                    size_t q = (size_t)ref_border_index(y + dy, h, JF_BORDER_REFLECT_101) * w +
                               ref_border_index(x + dx, w, JF_BORDER_REFLECT_101);
                    double d = 0;
                    for (int k = 0; k < gc; k++) d += fabs((double)guide[k * P + q] - guide[k * P + (size_t)y * w + x]);
                    double wt = exp(-(dx * dx + dy * dy) / (2 * ss * ss) - d * d / (2 * sc * sc));
                    ws += wt;
                    for (int c = 0; c < n; c++) acc[c] += wt * target[c * P + q];
                }
            for (int c = 0; c < n; c++) out[c * P + (size_t)y * w + x] = (float)(acc[c] / ws);
        }
}

/* Joint bilateral upsampling (Kopf et al.), the conventions of jf_jbu. */
void ref_jbu(const float *guide, int gc, const float *low, int n, int lh, int lw, int h,
                    int w, int r, double sc, double ss, float *out)
{
    size_t P = (size_t)h * w, LP = (size_t)lh * lw;
    double sx = (double)lw / w, sy = (double)lh / h;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double px = (x + 0.5) * sx - 0.5, py = (y + 0.5) * sy - 0.5;
            int cx = (int)floor(px + 0.5), cy = (int)floor(py + 0.5);
            cx = cx < 0 ? 0 : cx >= lw ? lw - 1 : cx;
            cy = cy < 0 ? 0 : cy >= lh ? lh - 1 : cy;
            double acc[4] = {0}, ws = 0;
            for (int qy = cy - r; qy <= cy + r; qy++)
                for (int qx = cx - r; qx <= cx + r; qx++) {
                    if (qx < 0 || qy < 0 || qx >= lw || qy >= lh) continue;
                    int hx = (int)((qx + 0.5) / sx), hy = (int)((qy + 0.5) / sy);
                    if (hx > w - 1) hx = w - 1;
                    if (hy > h - 1) hy = h - 1;
                    double d2 = 0;
                    for (int k = 0; k < gc; k++) {
                        double d = (double)guide[k * P + (size_t)hy * w + hx] - guide[k * P + (size_t)y * w + x];
                        d2 += d * d;
                    }
                    double dd = (qx - px) * (qx - px) + (qy - py) * (qy - py);
                    double wt = exp(-dd / (2 * ss * ss) - d2 / (2 * sc * sc));
                    ws += wt;
                    for (int c = 0; c < n; c++) acc[c] += wt * low[c * LP + (size_t)qy * lw + qx];
                }
            for (int c = 0; c < n; c++) out[c * P + (size_t)y * w + x] = (float)(acc[c] / ws);
        }
}
