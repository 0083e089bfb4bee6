/* deform_heads.c - the 1x1 heads shared by DKN and FDKN: per-pixel kernel
 * weights (sigmoid) and sampling offsets (linear). Both read the same
 * features (128 in both networks), so they are stacked into one convolution:
 * one pass instead of two, with the sigmoid limited to the weight channels. */
#include "models/model.h"

#include <stdio.h>
#include <stdlib.h>

jf_status jf_load_deform_heads(jf_model *m, const jf_safetensors *st, const char *what, const char *branch,
                               int cin, int nw, jf_conv *out)
{
    int no = 2 * nw;
    char name[128];
    float *ww = NULL, *wb = NULL, *ow = NULL, *ob = NULL, *w = NULL, *b = NULL;
    int64_t s_ww[4] = {nw, cin, 1, 1}, s_wb[1] = {nw}, s_ow[4] = {no, cin, 1, 1}, s_ob[1] = {no};
    jf_status s;
    snprintf(name, sizeof name, "%s.conv_weight.weight", branch);
    if ((s = jf_tensor_f32(m->ctx, st, what, name, 4, s_ww, &ww)) != JF_OK) goto done;
    snprintf(name, sizeof name, "%s.conv_weight.bias", branch);
    if ((s = jf_tensor_f32(m->ctx, st, what, name, 1, s_wb, &wb)) != JF_OK) goto done;
    snprintf(name, sizeof name, "%s.conv_offset.weight", branch);
    if ((s = jf_tensor_f32(m->ctx, st, what, name, 4, s_ow, &ow)) != JF_OK) goto done;
    snprintf(name, sizeof name, "%s.conv_offset.bias", branch);
    if ((s = jf_tensor_f32(m->ctx, st, what, name, 1, s_ob, &ob)) != JF_OK) goto done;
    w = jf_malloc((size_t)(nw + no) * cin * sizeof(float));
    b = jf_malloc((size_t)(nw + no) * sizeof(float));
    if (!w || !b) {
        s = jf_fail(m->ctx, JF_ERR_OUT_OF_MEMORY, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < (size_t)nw * cin; i++) w[i] = ww[i];
    for (size_t i = 0; i < (size_t)no * cin; i++) w[(size_t)nw * cin + i] = ow[i];
    for (int i = 0; i < nw; i++) b[i] = wb[i];
    for (int i = 0; i < no; i++) b[nw + i] = ob[i];
    s = jf_conv_init(m->ctx, out, w, b, nw + no, cin, 1, 1, 1, 0, 1, JF_ACT_SIGMOID, 0.0f);
    out->act_channels = nw;
done:
    free(ww);
    free(wb);
    free(ow);
    free(ob);
    free(w);
    free(b);
    return s;
}

