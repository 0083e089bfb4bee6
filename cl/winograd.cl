/* winograd.cl - Winograd convolution F(m x m, 3 x 3), stride 1, any
 * dilation d, for src/ops/conv_winograd.c. Built per tile size, -DJF_WINO_M=2,
 * 4 or 6 (alpha = m + 2 points a side, E = alpha^2 products).
 *
 * A dilated 3x3 is an ordinary 3x3 on each of the d x d interleaved
 * sub-grids (output pixels py + d*i, px + d*j read input rows and columns
 * py - pad + d*r, px - pad + d*c only), so the tiles are those of each
 * sub-grid and every index below steps by d: no copies. Tile t of a chunk
 * [t_base, t_base + n) is tile T = t_base + t of the whole grid,
 * T = ((py*th + ti)*tw + tj)*d + px, th x tw tiles per sub-grid (all
 * sub-grids get the largest one's count: the few tiles past a smaller
 * sub-grid's end compute outputs that are never stored). The d sub-grids of
 * one pixel row py sit side by side in T, so 8 consecutive tiles (one
 * work-item's lanes) read adjacent pixels when d is 2 or 4: see
 * wino_input's fast paths.
 *
 * Larger kernels (k x k, k <= 9; 2x2 too) are zero-padded to 3nb x 3nb and
 * cut into nb x nb blocks of 3x3: block (by, bx) is a 3x3 convolution of the
 * input moved by (3 d by, 3 d bx), and the sum over blocks is one 3x3
 * convolution with nb^2 x cin "virtual" input channels, vc = b * cin + ci.
 * So a 5x5 layer costs 4 x 9 = 36 taps in the transformed domain instead of
 * 25 direct ones, at the Winograd kernel's rate and a quarter of the
 * multiplies per tap.
 *
 * Built per tile size and per kind of layer: -DJF_WINO_DILATED=1 for dilated
 * layers compiles wino_input's fast path for d = 2 and 4 instead of the undilated
 * one, so that a model without dilations does not pay for generating its code at
 * first launch (about 0.5 s on PoCL, measured).
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
#ifndef JF_WINO_DILATED
#define JF_WINO_DILATED 0
#endif
#define JF_WA (JF_WINO_M + 2)
#define JF_WE (JF_WA * JF_WA)
/* tiles per work-item of wino_gemm_out (host: -DJF_WTB, from the device's
 * native float vector width): with its 16 channels, JF_WTB float16
 * accumulators + 1 weight vector. 8 where a float16 is one register
 * (AVX-512: 9 of 32); 6 where it is two (AVX2: 12 + 2 + a broadcast in 15 of
 * 16, where 8 tiles needed 19 and spilled). float16 measured a little faster
 * than the same products as float8 pairs on PoCL (AVX-512). */
#ifndef JF_WTB
#define JF_WTB 8
#endif
#if JF_WTB != 6 && JF_WTB != 8
#error "JF_WTB: 6 or 8"
#endif

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

/* JF_STORE_ROW(p, yr, q): channel q's m outputs of one tile row, yr[0..m-1] (float8, one
 * channel a lane), to p[0..m-1] */
#if JF_WINO_M == 2
#define JF_STORE_ROW(p, yr, q) vstore2((float2)(yr[0][q], yr[1][q]), 0, p)
#elif JF_WINO_M == 4
#define JF_STORE_ROW(p, yr, q) vstore4((float4)(yr[0][q], yr[1][q], yr[2][q], yr[3][q]), 0, p)
#else
#define JF_STORE_ROW(p, yr, q) \
    (vstore4((float4)(yr[0][q], yr[1][q], yr[2][q], yr[3][q]), 0, p), vstore2((float2)(yr[4][q], yr[5][q]), 0, (p) + 4))
#endif

/* Tile T's sub-grid (py, px) and place (ti, tj) in it, in the order above. */
static inline void jf_wino_tile(int T, int d, int th, int tw, int *py, int *px, int *ti, int *tj)
{
    *px = T % d;
    const int q = T / d;
    *tj = q % tw;
    *ti = (q / tw) % th;
    *py = q / (tw * th);
}

/* The three ways wino_input fills x[r][c] (row r, column c of the alpha x alpha patches,
 * tile in the lanes). The fast two (all 8 tiles live, in one row of tiles, lane 0 at
 * px = 0) load the alpha rows' pixels as vectors instead of 8 alpha^2 scalar loads, which
 * made wino_input about 40 % of Winograd's time. They take the layer's zero padding as a
 * mask on the columns (the loads there read the neighbouring row, then drop it) and a
 * skipped row, so only their reads must stay inside the tensor (wino_input checks).
 * Lane L is tile tj + L / d of sub-grid px = L % d: its column c is the pixel
 * x0 + L % d + d m (L / d) + d c, x0 (fx0) that of lane 0, fy0 its first row. */
#define JF_WSPAN (8 * JF_WINO_M + 2)
#define JF_WREAD (JF_WSPAN > 32 ? JF_WSPAN : 32)

#if !JF_WINO_DILATED
/* d = 1: lane k's column c is element m k + c of the window at x0 (JF_WSPAN = 8m + 2 of
 * them): four float16 loads a row (JF_WREAD pixels) and constant shuffles. Lanes 0-3 come
 * from the loads at x0, lanes 4-7 from those at x0 + JF_WREAD - 32, all indices below 32. */
static inline void jf_wino_patches_undilated(__global const float *plane, int h, int w, int fy0, int fx0,
                                             float8 x[JF_WA][JF_WA])
{
    const int16 lane = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const int16 xa = fx0 + lane, xb = xa + 16, xc = xa + (JF_WREAD - 32), xd = xc + 16;
    const int16 ma = xa >= 0 && xa < w, mb = xb >= 0 && xb < w, mc = xc >= 0 && xc < w, md = xd >= 0 && xd < w;
#pragma unroll
    for (int r = 0; r < JF_WA; r++) {
        const int iy = fy0 + r;
        float16 a = 0.0f, b = 0.0f, c4 = 0.0f, d4 = 0.0f;
        if (iy >= 0 && iy < h) {
            __global const float *p = plane + (long)iy * w + fx0;
            a = select((float16)0.0f, vload16(0, p), ma);
            b = select((float16)0.0f, vload16(0, p + 16), mb);
            c4 = select((float16)0.0f, vload16(0, p + JF_WREAD - 32), mc);
            d4 = select((float16)0.0f, vload16(0, p + JF_WREAD - 16), md);
        }
#pragma unroll
        for (int c = 0; c < JF_WA; c++) {
            const uint4 lo = (uint4)(c, JF_WINO_M + c, 2 * JF_WINO_M + c, 3 * JF_WINO_M + c);
            const uint4 hi = lo + (uint4)(4 * JF_WINO_M - (JF_WREAD - 32));
            x[r][c] = (float8)(shuffle2(a, b, lo), shuffle2(c4, d4, hi));
        }
    }
}
#else
/* d = 2 or 4: the d sub-grids of a tile are d adjacent pixels in every column, so each
 * column is 8 / d loads of d pixels, m d apart */
static inline void jf_wino_patches_dilated(__global const float *plane, int h, int w, int dil, int fy0, int fx0,
                                           float8 x[JF_WA][JF_WA])
{
    const int8 lane = (int8)(0, 1, 2, 3, 4, 5, 6, 7);
    const int8 off = fx0 + lane % dil + dil * JF_WINO_M * (lane / dil);
    const int gm = dil * JF_WINO_M; /* pixels between lane groups */
    int8 mask[JF_WA];
#pragma unroll
    for (int c = 0; c < JF_WA; c++) {
        const int8 xs = off + dil * c;
        mask[c] = xs >= 0 && xs < w;
    }
#pragma unroll
    for (int r = 0; r < JF_WA; r++) {
        const int iy = fy0 + dil * r;
        if (iy < 0 || iy >= h) {
#pragma unroll
            for (int c = 0; c < JF_WA; c++) x[r][c] = 0.0f;
            continue;
        }
        __global const float *p = plane + (long)iy * w + fx0;
#pragma unroll
        for (int c = 0; c < JF_WA; c++) {
            __global const float *q = p + dil * c;
            float8 v;
            if (dil == 2)
                v = (float8)(vload2(0, q), vload2(0, q + gm), vload2(0, q + 2 * gm), vload2(0, q + 3 * gm));
            else
                v = (float8)(vload4(0, q), vload4(0, q + gm));
            x[r][c] = select((float8)0.0f, v, mask[c]);
        }
    }
}
#endif

/* Any tiles: each lane's patch pixel by pixel (zero outside the image and past the
 * chunk's n tiles), through a private [r][c][lane] array. Kept out of the unrolling: it
 * is the rare case now, and its code generation costs every first launch. */
static inline void jf_wino_patches_any(__global const float *plane, int h, int w, int pad, int dil, int shift_y,
                                       int shift_x, int th, int tw, int T, int live_lanes, float8 x[JF_WA][JF_WA])
{
    float buf[JF_WE * 8];
    for (int k = 0; k < 8; k++) {
        int ky, kx, ki, kj;
        jf_wino_tile(T + k, dil, th, tw, &ky, &kx, &ki, &kj);
        const int y0 = ky - pad + dil * ki * JF_WINO_M + shift_y, x0 = kx - pad + dil * kj * JF_WINO_M + shift_x;
        const int live = k < live_lanes;
        const int inside = live && y0 >= 0 && x0 >= 0 && y0 + dil * (JF_WA - 1) < h && x0 + dil * (JF_WA - 1) < w;
        if (inside) {
            for (int r = 0; r < JF_WA; r++)
                for (int c = 0; c < JF_WA; c++) buf[(r * JF_WA + c) * 8 + k] = plane[(size_t)(y0 + dil * r) * w + x0 + dil * c];
        } else {
            for (int r = 0; r < JF_WA; r++) {
                const int iy = y0 + dil * r;
                for (int c = 0; c < JF_WA; c++) {
                    const int ix = x0 + dil * c;
                    buf[(r * JF_WA + c) * 8 + k] =
                        live && iy >= 0 && iy < h && ix >= 0 && ix < w ? plane[(size_t)iy * w + ix] : 0.0f;
                }
            }
        }
    }
#pragma unroll
    for (int r = 0; r < JF_WA; r++)
#pragma unroll
        for (int c = 0; c < JF_WA; c++) x[r][c] = vload8(0, buf + (r * JF_WA + c) * 8);
}

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
    float8 x[JF_WA][JF_WA]; /* the patches, [r][c], tile in the lanes */
    const int T = t_base + t;
    int py, px, ti, tj;
    jf_wino_tile(T, dil, th, tw, &py, &px, &ti, &tj);
    /* a fast path (above) where it applies: d = 1, or 2 and 4 in the dilated program (T is a
     * multiple of 8, so px = 0 in lane 0) */
    const int fy0 = py - pad + dil * ti * JF_WINO_M + shift_y, fx0 = -pad + dil * tj * JF_WINO_M + shift_x;
    /* the pixels read from x0 on in a row: undilated JF_WREAD, else up to the last lane's
     * last column, x0 + (d - 1) + d m (8 / d - 1) + d (m + 1) = x0 + 8 m + 2 d - 1 */
    const int reach = dil == 1 ? JF_WREAD : 8 * JF_WINO_M + 2 * dil;
    /* the first and last element read: in the first and last rows inside the image */
    const int r_first = fy0 >= 0 ? 0 : (-fy0 + dil - 1) / dil, r_last = min(JF_WA - 1, (h - 1 - fy0) / dil);
    const long lowest = (long)ci * h * w + (long)(fy0 + dil * r_first) * w + fx0;
    const long highest = (long)ci * h * w + (long)(fy0 + dil * r_last) * w + fx0 + reach - 1;
    const int fast = (JF_WINO_DILATED ? dil == 2 || dil == 4 : dil == 1) && t + 7 < n && tj + 8 / dil - 1 < tw &&
                     r_first <= r_last && lowest >= 0 && highest < (long)cin * h * w;
    if (fast)
#if !JF_WINO_DILATED
        jf_wino_patches_undilated(plane, h, w, fy0, fx0, x);
#else
        jf_wino_patches_dilated(plane, h, w, dil, fy0, fx0, x);
#endif
    else
        jf_wino_patches_any(plane, h, w, pad, dil, shift_y, shift_x, th, tw, T, n - t, x);
    /* B^T over each column, then B over each row of the result */
    float8 col[JF_WA], tcol[JF_WA], b[JF_WA][JF_WA], row[JF_WA], o[JF_WA];
#pragma unroll
    for (int c = 0; c < JF_WA; c++) {
#pragma unroll
        for (int r = 0; r < JF_WA; r++) col[r] = x[r][c];
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
    /* V holds tpad tiles, a multiple of 8: with 6 tiles a work-item, the last group may
     * reach past it. Those tiles' products are never stored, so they read tile tpad - 1. */
    const int last = tpad - 1 - t0;
    const int o1 = min(1, last), o2 = min(2, last), o3 = min(3, last), o4 = min(4, last), o5 = min(5, last);
#if JF_WTB == 8
    const int o6 = min(6, last), o7 = min(7, last);
#endif
    for (int e = 0; e < JF_WE; e++) {
        float16 a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f, a4 = 0.0f, a5 = 0.0f;
#if JF_WTB == 8
        float16 a6 = 0.0f, a7 = 0.0f;
#endif
        __global const float *ur = u + (size_t)e * cin * cout_pad + ob;
        __global const float *vr = v + (size_t)e * cin * tpad + t0;
        for (int ci = 0; ci < cin; ci++) {
            const float16 w0 = vload16(0, ur);
            a0 = fma((float16)(vr[0]), w0, a0);
            a1 = fma((float16)(vr[o1]), w0, a1);
            a2 = fma((float16)(vr[o2]), w0, a2);
            a3 = fma((float16)(vr[o3]), w0, a3);
            a4 = fma((float16)(vr[o4]), w0, a4);
            a5 = fma((float16)(vr[o5]), w0, a5);
#if JF_WTB == 8
            a6 = fma((float16)(vr[o6]), w0, a6);
            a7 = fma((float16)(vr[o7]), w0, a7);
#endif
            ur += cout_pad;
            vr += tpad;
        }
        float *pe = p + e * JF_WTB * 16;
        vstore16(a0, 0, pe); vstore16(a1, 1, pe); vstore16(a2, 2, pe); vstore16(a3, 3, pe);
        vstore16(a4, 4, pe); vstore16(a5, 5, pe);
#if JF_WTB == 8
        vstore16(a6, 6, pe); vstore16(a7, 7, pe);
#endif
    }
    const size_t plane = (size_t)ho * wo;
    for (int j = 0; j < JF_WTB && t0 + j < n; j++) {
        int py, px, ti, tj;
        jf_wino_tile(t_base + t0 + j, dil, th, tw, &py, &px, &ti, &tj);
        const int oy0 = py + dil * ti * JF_WINO_M, ox0 = px + dil * tj * JF_WINO_M;
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
            /* bias and activation on the 8 channels at once (merged heads activate only
             * the channels below act_channels) */
            float8 bv;
            if (c0 + 8 <= cout) {
                bv = vload8(0, bias + c0);
            } else {
                float bt[8];
                for (int q = 0; q < 8; q++) bt[q] = c0 + q < cout ? bias[c0 + q] : 0.0f;
                bv = vload8(0, bt);
            }
            const int8 actm = c0 + (int8)(0, 1, 2, 3, 4, 5, 6, 7) < act_channels;
#pragma unroll
            for (int i = 0; i < JF_WINO_M; i++)
#pragma unroll
                for (int k = 0; k < JF_WINO_M; k++) {
                    const float8 val = y[i][k] + bv;
                    y[i][k] = select(val, jf_activate8(val, act, slope), actm);
                }
            if (dil == 1 && c0 + 8 <= cout && oy0 + JF_WINO_M <= ho && ox0 + JF_WINO_M <= wo) {
                /* a whole tile of 8 whole channels: each channel's rows as vector stores
                 * (the 8 x m^2 scalar stores and their bounds checks cost about a third
                 * of this kernel on 32-64 channel layers) */
                __global float *dst = out + (size_t)c0 * plane + (size_t)oy0 * wo + ox0;
#pragma unroll
                for (int q = 0; q < 8; q++)
#pragma unroll
                    for (int i = 0; i < JF_WINO_M; i++) JF_STORE_ROW(dst + q * plane + (size_t)i * wo, y[i], q);
                continue;
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
                    for (int q = 0; q < 8 && c0 + q < cout; q++) dst[(size_t)(c0 + q) * plane] = r[q];
                }
            }
        }
    }
}
