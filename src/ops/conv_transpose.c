/* conv_transpose.c - the transposed convolution 4x4, stride 2, padding 1 as a
 * 3x3 convolution to 4*cout channels at the input's resolution and a pixel
 * shuffle (see ops.h). Output pixel Y = 2y + ry takes input rows y + t, t in
 * {-1, 0, 1}, through kernel row ky = ry + 1 - 2t (only 0..3 exist):
 *
 *     ry = 0:  t = -1 -> ky 3,  t = 0 -> ky 1             (t = +1 reads nothing)
 *     ry = 1:               t = 0 -> ky 2,  t = +1 -> ky 0 (t = -1 reads nothing)
 *
 * and the same along x, so every phase (ry, rx) is a 3x3 kernel with zeros. */
#include "ops/ops.h"

#include <string.h>

void jf_conv_t_relayout(const float *weight, const float *bias, int cin, int cout, float *w3, float *b4)
{
    memset(w3, 0, (size_t)4 * cout * cin * 9 * sizeof *w3);
    for (int o = 0; o < cout; o++)
        for (int ry = 0; ry < 2; ry++)
            for (int rx = 0; rx < 2; rx++) {
                int oc = o * 4 + ry * 2 + rx;
                b4[oc] = bias ? bias[o] : 0.0f;
                for (int c = 0; c < cin; c++)
                    for (int jy = 0; jy < 3; jy++)
                        for (int jx = 0; jx < 3; jx++) {
                            int ky = ry + 3 - 2 * jy, kx = rx + 3 - 2 * jx; /* t = j - 1 */
                            if (ky < 0 || ky > 3 || kx < 0 || kx > 3) continue;
                            w3[(((size_t)oc * cin + c) * 3 + jy) * 3 + jx] =
                                weight[(((size_t)c * cout + o) * 4 + ky) * 4 + kx];
                        }
            }
}

jf_status jf_conv_t_forward(jf_context *ctx, const jf_conv *conv3, const jf_tensor *in, jf_tensor *out,
                            jf_workspace *ws)
{
    if (conv3->kh != 3 || conv3->kw != 3 || conv3->stride != 1 || conv3->pad != 1 || conv3->cout % 4 ||
        out->c * 4 != conv3->cout)
        return jf_fail(ctx, JF_ERR_SIZE_MISMATCH, "conv_transpose: a %dx%d convolution to %d channels cannot make %d",
                       conv3->kh, conv3->kw, conv3->cout, out->c);
    jf_tensor phases = {0};
    jf_status s = jf_tensor_alloc(ctx, &phases, conv3->cout, in->h, in->w);
    if (s == JF_OK) s = jf_conv_forward(ctx, conv3, in, &phases, ws);
    if (s == JF_OK) s = jf_pixel_shuffle(ctx, &phases, 2, out);
    jf_tensor_free(&phases);
    return s;
}
