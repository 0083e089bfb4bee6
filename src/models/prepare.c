/* prepare.c - the input preparation every model shares, done once on the
 * whole image before any tiling: a low-resolution target upsampled by the
 * model's convention, the guide brought to the planes the network reads.
 * Both follow the model's metadata, whose defaults its arch entry declares;
 * what only one model does to its inputs lives in that model's run. */
#include "models/model.h"

jf_status jf_model_prepare(jf_model *m, const jf_tensor *guide, const jf_tensor *target, jf_tensor *gd_buf,
                           jf_tensor *tgt_buf, const jf_tensor **gd, const jf_tensor **tgt)
{
    jf_context *ctx = m->ctx;
    jf_status s = JF_OK;
    *gd = guide;
    *tgt = target;
    if (target->w != guide->w || target->h != guide->h) {
        s = jf_tensor_alloc(ctx, tgt_buf, target->c, guide->h, guide->w);
        if (s == JF_OK) s = jf_resize_cubic(ctx, target, tgt_buf, m->upsample);
        *tgt = tgt_buf;
    }
    if (s == JF_OK && m->guide != JF_GUIDE_BGR && guide->c == 3) {
        s = jf_tensor_alloc(ctx, gd_buf, 1, guide->h, guide->w);
        if (s == JF_OK)
            s = jf_rgb_to_gray(ctx, guide, 2, 1, 0, m->guide == JF_GUIDE_GRAY_U8 ? JF_GRAY_U8 : JF_GRAY_FLOAT,
                               gd_buf);
        *gd = gd_buf;
    } else if (s == JF_OK && m->guide == JF_GUIDE_BGR && guide->c == 1) {
        /* a gray guide for a colour network: the same plane three times */
        s = jf_tensor_alloc(ctx, gd_buf, 3, guide->h, guide->w);
        for (int c = 0; s == JF_OK && c < 3; c++) s = jf_tensor_copy_planes(ctx, guide, 0, gd_buf, c, 1);
        *gd = gd_buf;
    }
    return s;
}
