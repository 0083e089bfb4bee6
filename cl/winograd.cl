/* winograd.cl - Winograd convolution F(m x m, 3 x 3), stride 1, any
 * dilation d, for src/ops/conv_winograd.c. Built per tile size, -DJF_WINO_M=2,
 * 4 or 6 (alpha = m + 2 points a side, E = alpha^2 products).
 *
 * A dilated 3x3 is an ordinary 3x3 on each of the d x d interleaved
 * sub-grids (output pixels py + d*i, px + d*j read input rows and columns
 * py - pad + d*r, px - pad + d*c only), so the tiles are those of each
 * sub-grid and every index below steps by d: no copies. Tile t of a chunk
 * [t_base, t_base + n) is tile T = t_base + t of the whole grid,
 * T = ((py*d + px)*th + ti)*tw + tj, th x tw tiles per sub-grid (all
 * sub-grids get the largest one's count: the few tiles past a smaller
 * sub-grid's end compute outputs that are never stored).
 *
 * Larger kernels (k x k, k <= 9; 2x2 too) are zero-padded to 3nb x 3nb and
 * cut into nb x nb blocks of 3x3: block (by, bx) is a 3x3 convolution of the
 * input moved by (3 d by, 3 d bx), and the sum over blocks is one 3x3
 * convolution with nb^2 x cin "virtual" input channels, vc = b * cin + ci.
 * So a 5x5 layer costs 4 x 9 = 36 taps in the transformed domain instead of
 * 25 direct ones, at the Winograd kernel's rate and a quarter of the
 * multiplies per tap.
 *
 * Two kernels: wino_input writes V[e][vc][t] = (B^T d B)[e] of each tile's
 * alpha x alpha input patch (zero outside the image: the layer's padding);
 * wino_gemm_out multiplies, for each e, U[e] (cout_pad x cin, stored
 * [e][ci][cout_pad], from the host's G g G^T) by V[e] and applies the output
 * transform A^T M A, the bias and the activation to its own block of
 * products, which never leave private memory: no M matrix in global memory
 * and no third pass. */
#ifndef JF_WINO_M
#define JF_WINO_M 4
#endif
#define JF_WA (JF_WINO_M + 2)
#define JF_WE (JF_WA * JF_WA)
/* tiles per work-item of wino_gemm_out: with its 16 channels, 8 float16
 * accumulators + 1 weight vector (AVX-512: 9 of 32 registers; AVX2 splits
 * each in two, 18 of 16, and spills a little). float16 measured a little
 * faster than the same products as float8 pairs on PoCL (AVX-512). */
#define JF_WTB 8

/* The transforms written out: every index constant, so the arrays stay in
 * registers and the zeros and ones of B and A cost nothing. JF_BT(o, d):
 * o = B^T d for one column d of alpha values; JF_AT(y, m): y = A^T m, m
 * values. Both work on float or floatN. */
#if JF_WINO_M == 2
#define JF_BT(o, d) \
    o[0] = d[0] - d[2]; o[1] = d[1] + d[2]; o[2] = d[2] - d[1]; o[3] = d[1] - d[3]
#define JF_AT(y, m) \
    y[0] = m[0] + m[1] + m[2]; y[1] = m[1] - m[2] - m[3]
#elif JF_WINO_M == 4
/* Lavin and Gray's F(4x4, 3x3), points 0, +-1, +-2 and infinity */
#define JF_BT(o, d) \
    o[0] = 4.0f * d[0] - 5.0f * d[2] + d[4]; \
    o[1] = d[3] + d[4] - 4.0f * (d[1] + d[2]); \
    o[2] = d[4] - d[3] + 4.0f * (d[1] - d[2]); \
    o[3] = d[4] - d[2] + 2.0f * (d[3] - d[1]); \
    o[4] = d[4] - d[2] + 2.0f * (d[1] - d[3]); \
    o[5] = 4.0f * d[1] - 5.0f * d[3] + d[5]
#define JF_AT(y, m) \
    y[0] = m[0] + m[1] + m[2] + m[3] + m[4]; \
    y[1] = m[1] - m[2] + 2.0f * (m[3] - m[4]); \
    y[2] = m[1] + m[2] + 4.0f * (m[3] + m[4]); \
    y[3] = m[1] - m[2] + 8.0f * (m[3] - m[4]) + m[5]
#elif JF_WINO_M == 6
/* F(6x6, 3x3), points 0, +-1, +-2, +-1/2 and infinity: 64 products for 36 outputs, 2.25x
 * fewer multiplies than F(2x2) per output and 1.27x fewer than F(4x4), larger transforms;
 * the pairs (o1, o2), (o3, o4), (o5, o6) share their even and odd parts */
#define JF_BT(o, d) \
    o[0] = d[0] - d[6] + 5.25f * (d[4] - d[2]); \
    o[7] = d[7] - d[1] + 5.25f * (d[3] - d[5]); \
    o[1] = (d[2] + d[6] - 4.25f * d[4]) + (d[1] + d[5] - 4.25f * d[3]); \
    o[2] = (d[2] + d[6] - 4.25f * d[4]) - (d[1] + d[5] - 4.25f * d[3]); \
    o[3] = (0.25f * d[2] - 1.25f * d[4] + d[6]) + (0.5f * d[1] - 2.5f * d[3] + 2.0f * d[5]); \
    o[4] = (0.25f * d[2] - 1.25f * d[4] + d[6]) - (0.5f * d[1] - 2.5f * d[3] + 2.0f * d[5]); \
    o[5] = (4.0f * d[2] - 5.0f * d[4] + d[6]) + (2.0f * d[1] - 2.5f * d[3] + 0.5f * d[5]); \
    o[6] = (4.0f * d[2] - 5.0f * d[4] + d[6]) - (2.0f * d[1] - 2.5f * d[3] + 0.5f * d[5])
#define JF_AT(y, m) \
    y[0] = m[0] + (m[1] + m[2]) + (m[3] + m[4]) + (m[5] + m[6]); \
    y[1] = (m[1] - m[2]) + 2.0f * (m[3] - m[4]) + 0.5f * (m[5] - m[6]); \
    y[2] = (m[1] + m[2]) + 4.0f * (m[3] + m[4]) + 0.25f * (m[5] + m[6]); \
    y[3] = (m[1] - m[2]) + 8.0f * (m[3] - m[4]) + 0.125f * (m[5] - m[6]); \
    y[4] = (m[1] + m[2]) + 16.0f * (m[3] + m[4]) + 0.0625f * (m[5] + m[6]); \
    y[5] = (m[1] - m[2]) + 32.0f * (m[3] - m[4]) + 0.03125f * (m[5] - m[6]) + m[7]
#else
#error "JF_WINO_M must be 2, 4 or 6"
#endif

/* v: E x (nb^2 cin) x tpad (tpad a multiple of 8). One work-item per (8
 * tiles of the chunk, virtual input channel), the 8 tiles in the lanes of
 * float8 so that the transform and the stores are vector operations; tiles
 * past the chunk's n are zero. */
__kernel void wino_input(__global const float *in, __global float *v, int cin, int h, int w, int pad, int dil,
                         int th, int tw, int t_base, int n, int tpad, int nb)
{
    const int t = get_global_id(0) * 8, vc = get_global_id(1);
    if (t >= tpad || vc >= cin * nb * nb) return;
    const int ci = vc % cin, blk = vc / cin;
    const int shift_y = 3 * dil * (blk / nb), shift_x = 3 * dil * (blk % nb); /* the block's place in the kernel */
    const size_t estride = (size_t)cin * nb * nb * tpad;
    __global float *dst = v + (size_t)vc * tpad + t;
    __global const float *plane = in + (size_t)ci * h * w;
    float buf[JF_WE * 8]; /* [r][c][lane] */
    int T = t_base + t;
    int tj = T % tw, ti = (T / tw) % th, s = T / (tw * th);
    for (int k = 0; k < 8; k++) {
        /* lane k: tile T + k (the coordinates step on, carrying into the next row and sub-grid) */
        const int y0 = s / dil - pad + dil * ti * JF_WINO_M + shift_y, x0 = s % dil - pad + dil * tj * JF_WINO_M + shift_x;
        const int live = t + k < n;
        const int inside = live && y0 >= 0 && x0 >= 0 && y0 + dil * (JF_WA - 1) < h && x0 + dil * (JF_WA - 1) < w;
        if (inside) {
#pragma unroll
            for (int r = 0; r < JF_WA; r++)
#pragma unroll
                for (int c = 0; c < JF_WA; c++) buf[(r * JF_WA + c) * 8 + k] = plane[(size_t)(y0 + dil * r) * w + x0 + dil * c];
        } else {
#pragma unroll
            for (int r = 0; r < JF_WA; r++) {
                const int iy = y0 + dil * r;
#pragma unroll
                for (int c = 0; c < JF_WA; c++) {
                    const int ix = x0 + dil * c;
                    buf[(r * JF_WA + c) * 8 + k] =
                        live && iy >= 0 && iy < h && ix >= 0 && ix < w ? plane[(size_t)iy * w + ix] : 0.0f;
                }
            }
        }
        if (++tj == tw) {
            tj = 0;
            if (++ti == th) ti = 0, s++;
        }
    }
    /* B^T over each column, then B over each row of the result */
    float8 col[JF_WA], tcol[JF_WA], b[JF_WA][JF_WA], row[JF_WA], o[JF_WA];
#pragma unroll
    for (int c = 0; c < JF_WA; c++) {
#pragma unroll
        for (int r = 0; r < JF_WA; r++) col[r] = vload8(0, buf + (r * JF_WA + c) * 8);
        JF_BT(tcol, col);
#pragma unroll
        for (int r = 0; r < JF_WA; r++) b[r][c] = tcol[r];
    }
#pragma unroll
    for (int i = 0; i < JF_WA; i++) {
#pragma unroll
        for (int c = 0; c < JF_WA; c++) row[c] = b[i][c];
        JF_BT(o, row);
#pragma unroll
        for (int j = 0; j < JF_WA; j++) vstore8(o[j], 0, dst + (i * JF_WA + j) * estride);
    }
}

/* out (cout x ho x wo) for the chunk's tiles: work-item (channel block of 16,
 * group of JF_WTB tiles). */
__kernel void wino_gemm_out(__global const float *v, __global const float *u, __global const float *bias,
                            __global float *out, int cin, int tpad, int th, int tw, int t_base, int n, int dil,
                            int ho, int wo, int cout, int cout_pad, int act, float slope, int act_channels)
{
    const int ob = get_global_id(0) * 16;
    const int t0 = get_global_id(1) * JF_WTB;
    if (ob >= cout || t0 >= n) return;
    float p[JF_WE * JF_WTB * 16]; /* the products of this block: [e][tile][channel] */
    for (int e = 0; e < JF_WE; e++) {
        float16 a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f, a4 = 0.0f, a5 = 0.0f, a6 = 0.0f, a7 = 0.0f;
        __global const float *ur = u + (size_t)e * cin * cout_pad + ob;
        __global const float *vr = v + (size_t)e * cin * tpad + t0;
        for (int ci = 0; ci < cin; ci++) {
            const float16 w0 = vload16(0, ur);
            a0 = fma((float16)(vr[0]), w0, a0);
            a1 = fma((float16)(vr[1]), w0, a1);
            a2 = fma((float16)(vr[2]), w0, a2);
            a3 = fma((float16)(vr[3]), w0, a3);
            a4 = fma((float16)(vr[4]), w0, a4);
            a5 = fma((float16)(vr[5]), w0, a5);
            a6 = fma((float16)(vr[6]), w0, a6);
            a7 = fma((float16)(vr[7]), w0, a7);
            ur += cout_pad;
            vr += tpad;
        }
        float *pe = p + e * JF_WTB * 16;
        vstore16(a0, 0, pe); vstore16(a1, 1, pe); vstore16(a2, 2, pe); vstore16(a3, 3, pe);
        vstore16(a4, 4, pe); vstore16(a5, 5, pe); vstore16(a6, 6, pe); vstore16(a7, 7, pe);
    }
    const size_t plane = (size_t)ho * wo;
    for (int j = 0; j < JF_WTB && t0 + j < n; j++) {
        const int T = t_base + t0 + j;
        const int tj = T % tw, ti = (T / tw) % th, s = T / (tw * th);
        const int oy0 = s / dil + dil * ti * JF_WINO_M, ox0 = s % dil + dil * tj * JF_WINO_M;
        for (int hv = 0; hv < 2; hv++) {
            const int c0 = ob + hv * 8;
            if (c0 >= cout) break;
            float8 m[JF_WA][JF_WA], a[JF_WINO_M][JF_WA], col[JF_WA], t[JF_WINO_M], y[JF_WINO_M][JF_WINO_M];
#pragma unroll
            for (int e = 0; e < JF_WE; e++) m[e / JF_WA][e % JF_WA] = vload8(0, p + (e * JF_WTB + j) * 16 + hv * 8);
            /* A^T m, then A on the right */
#pragma unroll
            for (int c = 0; c < JF_WA; c++) {
#pragma unroll
                for (int r = 0; r < JF_WA; r++) col[r] = m[r][c];
                JF_AT(t, col);
#pragma unroll
                for (int i = 0; i < JF_WINO_M; i++) a[i][c] = t[i];
            }
#pragma unroll
            for (int i = 0; i < JF_WINO_M; i++) {
                JF_AT(t, a[i]);
#pragma unroll
                for (int k = 0; k < JF_WINO_M; k++) y[i][k] = t[k];
            }
            for (int i = 0; i < JF_WINO_M; i++) {
                const int oy = oy0 + dil * i;
                if (oy >= ho) break;
                for (int k = 0; k < JF_WINO_M; k++) {
                    const int ox = ox0 + dil * k;
                    if (ox >= wo) break;
                    float r[8];
                    vstore8(y[i][k], 0, r);
                    __global float *dst = out + (size_t)oy * wo + ox;
                    for (int q = 0; q < 8 && c0 + q < cout; q++) {
                        const int c = c0 + q;
                        const float val = r[q] + bias[c];
                        dst[(size_t)c * plane] = c < act_channels ? jf_activate(val, act, slope) : val;
                    }
                }
            }
        }
    }
}
