/* conv_winograd.c - the Winograd path of jf_conv (cl/winograd.cl) for
 * stride-1 square convolutions, dilated ones included: F(2x2, 3x3),
 * F(4x4, 3x3) or F(6x6, 3x3), a k x k kernel (2 <= k <= 9) as nb x nb blocks of 3x3.
 * The weights are transformed once here on the host
 * (U = G g G^T, in double); each forward pass transforms the input tiles into
 * the workspace and runs one kernel that multiplies in the transformed domain
 * and applies the output transform, bias and activation. The workspace holds
 * V for a chunk of tiles: never more than jf_conv_workspace_per_pixel says
 * per output pixel (the models size their tiles from that), so large or
 * awkward images take several chunks instead of more memory. */
#include "ops/conv_winograd.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define JF_WINO_BLOCK_CH 16 /* output channels per work-item of wino_gemm_out */
#define JF_WINO_BLOCK_T 8   /* tiles per work-item of wino_input; wino_gemm_out's (JF_WTB in
                             * cl/winograd.cl) is ctx->wino_gemm_tiles, 8 or 6 */

int jf_conv_winograd_tile(jf_conv_path path)
{
    return path == JF_CONV_WINOGRAD ? 4 : path == JF_CONV_WINOGRAD_F2 ? 2 : path == JF_CONV_WINOGRAD_F6 ? 6 : 0;
}

int jf_conv_winograd_fits(int kh, int kw, int stride)
{
    return kh == kw && kh >= 2 && kh <= 9 && stride == 1;
}

/* 3x3 blocks a side of a k x k kernel zero-padded to a multiple of 3 (cl/winograd.cl) */
static int jf_wino_blocks(int k) { return (k + 2) / 3; }

/* G of F(m x m, 3 x 3), alpha x 3 */
static const double jf_g2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
static const double jf_g4[6][3] = {{1.0 / 4, 0, 0},
                                   {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                   {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                   {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                   {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                   {0, 0, 1}};
static const double jf_g6[8][3] = {{1, 0, 0},
                                   {-2.0 / 9, -2.0 / 9, -2.0 / 9},
                                   {-2.0 / 9, 2.0 / 9, -2.0 / 9},
                                   {1.0 / 90, 1.0 / 45, 2.0 / 45},
                                   {1.0 / 90, -1.0 / 45, 2.0 / 45},
                                   {32.0 / 45, 16.0 / 45, 8.0 / 45},
                                   {32.0 / 45, -16.0 / 45, 8.0 / 45},
                                   {0, 0, 1}};

jf_status jf_conv_winograd_init(jf_context *ctx, jf_conv *conv, const float *weight, int m)
{
    if (m != 2 && m != 4 && m != 6)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "Winograd F(%dx%d, 3x3): m is 2, 4 or 6", m, m);
    const int a = m + 2, e_count = a * a, cout = conv->cout, k = conv->kh, nb = jf_wino_blocks(k);
    const int cin = conv->cin * nb * nb; /* virtual channels vc = b * cin + ci */
    const double *g = m == 2 ? &jf_g2[0][0] : m == 4 ? &jf_g4[0][0] : &jf_g6[0][0];
    conv->wino_m = m;
    conv->wino_nb = nb;
    conv->cout_pad = (cout + JF_WINO_BLOCK_CH - 1) / JF_WINO_BLOCK_CH * JF_WINO_BLOCK_CH;
    size_t count = (size_t)e_count * cin * conv->cout_pad;
    float *u = jf_calloc(count, sizeof(float));
    if (!u) return jf_fail(ctx, JF_ERR_OUT_OF_MEMORY, "out of memory");
    for (int o = 0; o < cout; o++)
        for (int ci = 0; ci < cin; ci++) {
            /* block b = (by, bx) of input channel ci0: 3x3 taps of the padded kernel, 0 past k */
            const int ci0 = ci % conv->cin, b = ci / conv->cin, by = b / nb, bx = b % nb;
            const float *full = weight + ((size_t)o * conv->cin + ci0) * k * k;
            double kb[9];
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++) {
                    const int y = 3 * by + r, x = 3 * bx + c;
                    kb[r * 3 + c] = y < k && x < k ? full[y * k + x] : 0.0;
                }
            double gk[8][3]; /* G k */
            for (int i = 0; i < a; i++)
                for (int c = 0; c < 3; c++)
                    gk[i][c] = g[i * 3 + 0] * kb[0 * 3 + c] + g[i * 3 + 1] * kb[1 * 3 + c] + g[i * 3 + 2] * kb[2 * 3 + c];
            for (int i = 0; i < a; i++)
                for (int j = 0; j < a; j++) {
                    double s = gk[i][0] * g[j * 3 + 0] + gk[i][1] * g[j * 3 + 1] + gk[i][2] * g[j * 3 + 2];
                    u[((size_t)(i * a + j) * cin + ci) * conv->cout_pad + o] = (float)s;
                }
        }
    jf_status st = jf_buffer_create(ctx, count * sizeof(float), u, &conv->weight);
    free(u);
    return st;
}

double jf_conv_winograd_ws_per_pixel(const jf_conv *conv)
{
    const int m = conv->wino_m, a = m + 2;
    return (double)a * a * conv->cin * conv->wino_nb * conv->wino_nb / ((double)m * m);
}

jf_status jf_conv_winograd_forward(jf_context *ctx, const jf_conv *conv, const jf_tensor *in, jf_tensor *out,
                                   int ho, int wo, jf_workspace *ws)
{
    const int m = conv->wino_m, a = m + 2, d = conv->dil, nb = conv->wino_nb, cin = conv->cin * nb * nb;
    char options[64];
    const int gt = ctx->wino_gemm_tiles;
    /* dilated layers get the program whose fast input path is the dilated one (cl/winograd.cl) */
    snprintf(options, sizeof options, "-DJF_WINO_M=%d -DJF_WINO_DILATED=%d -DJF_WTB=%d", m, d > 1, gt);
    /* tiles of the largest sub-grid, ceil(ho/d) x ceil(wo/d) outputs */
    const int th = ((ho + d - 1) / d + m - 1) / m, tw = ((wo + d - 1) / d + m - 1) / m;
    const size_t total = (size_t)d * d * th * tw;
    /* chunk: as many tiles as the per-pixel share allows, at least one block */
    const size_t per_tile = (size_t)a * a * cin;
    size_t cap = (size_t)(jf_conv_winograd_ws_per_pixel(conv) * ho * wo) / per_tile;
    /* and, where the table says so, no more than stays in cache between the two kernels
     * (PoCL: a chunk of 64-256 tiles ran 128->128 F(4x4) about 1.5x faster than all
     * 1200 at once, measured under load) */
    const size_t cache_tiles = ((size_t)ctx->tune.wino_chunk_kib << 10) / (per_tile * sizeof(float));
    const size_t locality = cache_tiles > 64 ? cache_tiles : 64;
    if (ctx->tune.wino_chunk_kib && cap > locality) cap = locality;
    cap = cap / JF_WINO_BLOCK_T * JF_WINO_BLOCK_T;
    if (cap < JF_WINO_BLOCK_T) cap = JF_WINO_BLOCK_T;
    if (total > (size_t)INT32_MAX)
        return jf_fail(ctx, JF_ERR_UNSUPPORTED, "Winograd: %zu tiles (a %dx%d output)", total, wo, ho);
    const size_t chunk = total < cap ? total : cap;
    const size_t tpad = (chunk + JF_WINO_BLOCK_T - 1) / JF_WINO_BLOCK_T * JF_WINO_BLOCK_T;
    jf_status st = jf_workspace_reserve(ctx, ws, per_tile * tpad * sizeof(float));
    if (st != JF_OK) return st;
    const jf_tune *t = &ctx->tune;
    for (size_t base = 0; base < total; base += chunk) {
        const int n = (int)(total - base < chunk ? total - base : chunk);
        st = jf_run(ctx, "winograd.cl", options, "wino_input", jf_grid2(tpad / JF_WINO_BLOCK_T, (size_t)cin, t->wg_wino_input),
                    JF_KARGS(JF_KMEM(in->buf), JF_KMEM(ws->buf), JF_KINT(conv->cin), JF_KINT(in->h), JF_KINT(in->w),
                             JF_KINT(conv->pad), JF_KINT(d), JF_KINT(th), JF_KINT(tw), JF_KINT((int)base),
                             JF_KINT(n), JF_KINT((int)tpad), JF_KINT(nb)));
        if (st != JF_OK) return st;
        jf_grid g = jf_grid2((size_t)conv->cout_pad / JF_WINO_BLOCK_CH,
                             ((size_t)n + gt - 1) / gt, t->wg_wino_gemm);
        st = jf_run(ctx, "winograd.cl", options, "wino_gemm_out", g,
                    JF_KARGS(JF_KMEM(ws->buf), JF_KMEM(conv->weight), JF_KMEM(conv->bias), JF_KMEM(out->buf),
                             JF_KINT(cin), JF_KINT((int)tpad), JF_KINT(th), JF_KINT(tw), JF_KINT((int)base),
                             JF_KINT(n), JF_KINT(d), JF_KINT(ho), JF_KINT(wo), JF_KINT(conv->cout),
                             JF_KINT(conv->cout_pad), JF_KINT(conv->act), JF_KFLOAT(conv->slope),
                             JF_KINT(conv->act_channels)));
        if (st != JF_OK) return st;
    }
    return JF_OK;
}
