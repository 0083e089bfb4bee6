/* box.h - the normalized box filter (window means) the guided filter is built
 * on: separable running sums on the device, O(1) work per pixel for any radius. */
#ifndef JF_BOX_H
#define JF_BOX_H

#include "runtime/runtime.h"

/* Border extrapolation, named as OpenCV names it (values match cl/common.cl). */
typedef enum jf_border {
    JF_BORDER_REFLECT = 0,     /* fedcba|abcdef|fedcba: what cv::ximgproc::guidedFilter uses */
    JF_BORDER_REFLECT_101 = 1, /* fedcb|abcdef|edcba: OpenCV's BORDER_DEFAULT */
    JF_BORDER_REPLICATE = 2
} jf_border;

/* out[c][y][x] = mean of in[c] over the (2*rx+1) x (2*ry+1) window centred at
 * (x, y), the image extended by `border`. in, out and tmp are C x H x W
 * tensors of one size; out may equal in (tmp must differ from both). */
jf_status jf_box_mean(jf_context *ctx, const jf_tensor *in, jf_tensor *out, jf_tensor *tmp, int rx,
                      int ry, jf_border border);

/* Window means of products of planes, without product images: output plane c
 * is the mean of a[pairs[2c]] * b[pairs[2c+1]] (of a[pairs[2c]] alone when
 * pairs[2c+1] < 0) over the (2r+1)^2 window. tmp is out's size. */
jf_status jf_box_mean_products(jf_context *ctx, const jf_tensor *a, const jf_tensor *b,
                               const int *pairs, jf_tensor *out, jf_tensor *tmp, int r,
                               jf_border border);

#endif
