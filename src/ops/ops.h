/* ops.h - the OpenCL operations models are built from, one source file (and
 * one cl/ file) each: convolution (conv.c: im2col + CLBlast SGEMM, 1x1
 * straight to SGEMM, or the direct kernel) with bias and fused activation,
 * zero and edge-replicating padding (pad.c), space-to-depth, pixel shuffle
 * and bicubic resizing (resample.c), guide-to-gray (color.c), the fused
 * deformable weighted average (deform.c), the affine composition
 * a * guide + b (compose.c), the per-pixel-kernel filter (pixel_filter.c),
 * the attention fusion of two kernel maps (kernel_fusion.c), sums with a
 * fused activation (add.c) or with an upsampled coarser map (add_upsampled.c)
 * and average pooling (pool.c). Tensors are planar float32 (runtime.h). */
#ifndef JF_OPS_H
#define JF_OPS_H

#include "runtime/runtime.h"

/* The values are cl/common.cl's JF_ACT_* (tests/test_runtime.c checks). */
typedef enum jf_act { JF_ACT_NONE = 0, JF_ACT_RELU = 1, JF_ACT_LEAKY = 2, JF_ACT_SIGMOID = 3 } jf_act;

/* Scratch memory that grows to the largest request and is reused (im2col). */
typedef struct jf_workspace {
    cl_mem buf;
    size_t bytes;
} jf_workspace;
jf_status jf_workspace_reserve(jf_context *ctx, jf_workspace *ws, size_t bytes);
void jf_workspace_free(jf_workspace *ws);

/* How a convolution is computed: im2col + CLBlast SGEMM (1x1: SGEMM alone),
 * the direct kernel of cl/conv_direct.cl, the pointwise kernel for 1x1
 * layers (cl/conv_pointwise.cl) or Winograd (cl/winograd.cl, stride-1 square
 * layers of 2x2 to 9x9, larger than 3x3 as blocks of 3x3: F(4x4, 3x3), or
 * F(2x2, 3x3) or F(6x6, 3x3) asked for by name; other layers asked for Winograd take the
 * tuning table's path). The default is the tuning table's
 * (runtime/device.c): on CPUs Winograd F(4x4) for the layers it takes,
 * pointwise for 1x1, direct for the rest; SGEMM elsewhere.
 * JF_CONV=gemm|direct puts every layer on that path, JF_CONV=winograd every
 * layer Winograd takes, JF_CONV=auto measures (below). */
typedef enum jf_conv_path {
    JF_CONV_DEFAULT = 0,
    JF_CONV_GEMM = 1,
    JF_CONV_DIRECT = 2,
    JF_CONV_WINOGRAD = 3,    /* F(4x4, 3x3); conv->wino_m says which tile a layer has */
    JF_CONV_WINOGRAD_F2 = 4, /* F(2x2, 3x3): init only, the layer's path reads JF_CONV_WINOGRAD */
    JF_CONV_POINTWISE = 5,   /* 1x1 stride-1 unpadded layers on CPUs (cl/conv_pointwise.cl); the
                              * default there, and the path JF_CONV=winograd gives them */
    JF_CONV_WINOGRAD_F6 = 6, /* F(6x6, 3x3): init only, like JF_CONV_WINOGRAD_F2 */
} jf_conv_path;
/* 1x1, stride 1, no padding: a per-pixel matrix product (dilation is irrelevant) */
int jf_conv_is_pointwise(int kh, int kw, int stride, int pad);
jf_conv_path jf_conv_default_path(const jf_context *ctx);
/* conv_choose.c: JF_CONV=auto asks jf_conv_init to choose each new layer
 * shape's path by timing the candidates on a probe image (the winner kept per
 * context and in the compiled-program cache folder, per device, driver and
 * kernel source). jf_conv_choose returns the path (never JF_CONV_DEFAULT). */
int jf_conv_auto(void);
jf_conv_path jf_conv_choose(jf_context *ctx, const float *weight, int cout, int cin, int kh, int kw, int stride,
                            int pad, int dil);
/* The path measured earlier for this shape (this context, or the file that JF_CONV=auto or
 * `jfilter tune` wrote), JF_CONV_DEFAULT when none was: no measuring. */
jf_conv_path jf_conv_measured(jf_context *ctx, int cout, int cin, int kh, int kw, int stride, int pad, int dil);

typedef struct jf_conv {
    int cin, cout, kh, kw, stride, pad, dil;
    jf_conv_path path;
    int cout_pad;         /* direct, pointwise and Winograd: cout rounded up to the channel block (16) */
    int wino_m;           /* Winograd: output tile m of F(m x m, 3 x 3), 2, 4 or 6; else 0 */
    int wino_nb;          /* Winograd: 3x3 kernel blocks a side (1 for k <= 3, 2 for 4..6, 3 for 7..9) */
    jf_act act;
    float slope;          /* LeakyReLU negative slope */
    int act_channels;     /* activation on output channels [0, act_channels) only */
    cl_mem weight;        /* GEMM: cout x (cin*kh*kw) row-major; direct and pointwise: (cin*kh*kw) x cout_pad;
                           * Winograd: U = G g G^T as (m+2)^2 x (nb^2 cin) x cout_pad.
                           * BatchNorm is already folded in. */
    cl_mem bias;          /* cout */
} jf_conv;

/* Uploads weights (cout x cin x kh x kw) and bias (cout, may be NULL = 0). The
 * activation applies to every output channel; change act_channels to limit it. */
jf_status jf_conv_init(jf_context *ctx, jf_conv *conv, const float *weight, const float *bias,
                       int cout, int cin, int kh, int kw, int stride, int pad, int dil, jf_act act,
                       float slope);
/* The same with an explicit path (tests compare both against a C reference). */
jf_status jf_conv_init_path(jf_context *ctx, jf_conv *conv, const float *weight, const float *bias,
                            int cout, int cin, int kh, int kw, int stride, int pad, int dil, jf_act act,
                            float slope, jf_conv_path path);
void jf_conv_free(jf_conv *conv);
int jf_conv_out_size(int in, int k, int stride, int pad, int dil);
/* out must be allocated as cout x ho x wo (see jf_conv_out_size). */
jf_status jf_conv_forward(jf_context *ctx, const jf_conv *conv, const jf_tensor *in, jf_tensor *out,
                          jf_workspace *ws);
/* Workspace floats the convolution needs per output pixel: the im2col matrix
 * on the SGEMM path (k > 1); none on the direct path, which pads implicitly;
 * the transformed input on the Winograd path ((m+2)^2/m^2 x cin: larger or
 * odd-sized images take several chunks of tiles rather than more). */
double jf_conv_workspace_per_pixel(const jf_conv *conv);
/* Multiply-adds of one forward pass (FLOPs = 2 x this), for the bench. */
double jf_conv_macs(const jf_conv *conv, int ho, int wo);

/* BatchNorm folding: w[o] *= g[o]/sqrt(v[o]+eps), b[o] = (b[o]-m[o])*g[o]/sqrt(v[o]+eps) + beta[o]. */
void jf_fold_batchnorm(float *weight, float *bias, int cout, int per_out, const float *gamma,
                       const float *beta, const float *mean, const float *var, float eps);

/* pad.c: out (c x H x W) = in placed at (left, top), zero elsewhere; H, W from out. */
jf_status jf_pad_zero(jf_context *ctx, const jf_tensor *in, int top_left, jf_tensor *out);
/* pad.c: out (c x H x W, H >= h, W >= w) = in at the top-left, its last row and
 * column replicated below and to the right: out(y, x) = in(min(y, h-1), min(x, w-1))
 * (PyTorch's F.pad(..., mode="replicate") on the bottom/right only). */
jf_status jf_pad_replicate(jf_context *ctx, const jf_tensor *in, jf_tensor *out);

/* out (c*f*f x ceil(h/f) x ceil(w/f)) from in (c x h x w), edge-replicated. */
jf_status jf_space_to_depth(jf_context *ctx, const jf_tensor *in, int f, jf_tensor *out);
/* out (c x h*f x w*f) from in (c*f*f x h x w); out may be up to f - 1 rows and
 * columns smaller, the shuffled image's top-left part. */
jf_status jf_pixel_shuffle(jf_context *ctx, const jf_tensor *in, int f, jf_tensor *out);

/* scale_shift.c: out = a * in + b element-wise (one shape; out may be in). */
jf_status jf_scale_shift(jf_context *ctx, const jf_tensor *in, float a, float b, jf_tensor *out);

/* conv_transpose.c: a transposed convolution 4x4, stride 2, padding 1 (PyTorch's
 * ConvTranspose2d(cin, cout, 4, 2, 1)) as a 3x3 convolution to 4*cout channels
 * at the input's resolution followed by a pixel shuffle (exact: each output
 * phase reads a 2x2 subset of a 3x3 input window). jf_conv_t_relayout turns
 * weight (cin x cout x 4 x 4) and bias (cout) into w3 (4*cout x cin x 3 x 3,
 * output channel o*4 + ry*2 + rx for output pixel (2y + ry, 2x + rx)) and b4
 * (4*cout); the caller uploads them with jf_conv_init. jf_conv_t_forward runs
 * such a convolution and shuffles into out (cout x H x W, H in {2h - 1, 2h}:
 * the transposed convolution's 2h rows, the last one cropped for odd sizes). */
void jf_conv_t_relayout(const float *weight, const float *bias, int cin, int cout, float *w3, float *b4);
jf_status jf_conv_t_forward(jf_context *ctx, const jf_conv *conv3, const jf_tensor *in, jf_tensor *out,
                            jf_workspace *ws);

typedef enum jf_resize_mode { JF_RESIZE_PIL = 0, JF_RESIZE_OPENCV = 1 } jf_resize_mode;
/* Resizes every plane of in to out's size. */
jf_status jf_resize_cubic(jf_context *ctx, const jf_tensor *in, jf_tensor *out, jf_resize_mode mode);

typedef enum jf_gray_mode { JF_GRAY_FLOAT = 0, JF_GRAY_U8 = 1 } jf_gray_mode;
/* color.c: out (1 x h x w) from 3 planes; r, g, b give the plane index of each colour. */
jf_status jf_rgb_to_gray(jf_context *ctx, const jf_tensor *in, int r, int g, int b,
                         jf_gray_mode mode, jf_tensor *out);

typedef struct jf_deform_params {
    int factor;     /* pixel-shuffle factor of the heads (4 for FDKN, 1 for DKN) */
    int kernel;     /* r: r*r taps (<= 7) */
    int window;     /* K: the K x K window */
    int residual;   /* 1: mean-subtracted weights + target; 0: L1-normalised weights */
} jf_deform_params;
/* out (1 x H x W) = deformable average of target (1 x H x W) under the product
 * of two branches' heads (3*r*r*f*f x ceil(H/f) x ceil(W/f) each, see deform.cl).
 * weights_out (r*r x H x W) and offsets_out (2*r*r x H x W) may be NULL. */
jf_status jf_deform_average(jf_context *ctx, const jf_tensor *heads_a, const jf_tensor *heads_b,
                            const jf_tensor *target, const jf_deform_params *p, jf_tensor *out,
                            jf_tensor *weights_out, jf_tensor *offsets_out);

/* affinity_average.c: Fang et al.'s deformable average, out (T x H x W, T 1..4 planes) from
 * target (T x H x W) and heads (H x W planes holding the nfeat feature maps F at feat0.. and
 * 18 offsets at off0..): per pixel p and tap t = 3 (dy + 1) + (dx + 1), q_t = p + (dx, dy) +
 * (heads[off0 + 2t], heads[off0 + 2t + 1]) clamped to the image, w = softmax_t(-||F(p) - F(q_t)||^2),
 *   out[c](p) = sum_t w_t target[c](q_t),   F(q) and target(q) bilinear. out must not alias. */
jf_status jf_affinity_average(jf_context *ctx, const jf_tensor *heads, int feat0, int nfeat, int off0,
                              const jf_tensor *target, jf_tensor *out);

/* instance_norm.c: out = act((in - mean_c) / sqrt(var_c + eps) * gamma[c] + beta[c] [+ residual])
 * with the statistics of each whole plane (biased variance), computed in a first pass;
 * gamma, beta: C floats on the device; residual may be NULL; out may be in. */
jf_status jf_instance_norm(jf_context *ctx, const jf_tensor *in, cl_mem gamma, cl_mem beta, float eps,
                           const jf_tensor *residual, jf_act act, jf_tensor *out);

/* upsample_nearest.c: out[c](y, x) = in[c](y/f, x/f), in C x ceil(H/f) x ceil(W/f). */
jf_status jf_upsample_nearest(jf_context *ctx, const jf_tensor *in, int f, jf_tensor *out);

/* coords.c: out (C+2 x H x W) = in's planes, then (2x + 1)/W - 1 and (2y + 1)/H - 1. */
jf_status jf_append_coords(jf_context *ctx, const jf_tensor *in, jf_tensor *out);

/* compose.c: out (1 x H x W) = alpha * guide + beta per pixel, alpha and beta
 * the two planes of coeffs (2 x H x W), guide 1 x H x W: SVLRM's last step. */
jf_status jf_affine_compose(jf_context *ctx, const jf_tensor *coeffs, const jf_tensor *guide, jf_tensor *out);

/* pixel_filter.c: the per-pixel-kernel filter over every channel of an input
 * at 1/f of the output's size. in: C x h x w; kernels: k*k x f*h x f*w (tap
 * t = ty*k + tx); out: C x f*h x f*w;
 *   out[c](y, x) = sum_t kernels[t](y, x) * in[c](y/f + ty - k/2, x/f + tx - k/2),
 * reading 0 outside in. f = 2 is a nearest x2 upsampling followed by a k x k
 * gather of dilation 2 (DAGF), f = 1 a plain per-pixel filter. k odd, 1..7. */
jf_status jf_pixel_kernel_filter(jf_context *ctx, const jf_tensor *in, const jf_tensor *kernels, int k, int f,
                                 jf_tensor *out);

/* kernel_fusion.c: out (taps x H x W) from two kernel maps a, b of logits
 * (taps x H x W each, 1..49 taps) and an attention plane att (1 x H x W), per pixel:
 *   v_t = tanh(att * softmax(a)_t + (1 - att) * softmax(b)_t) / scale,
 *   out_t = v_t / max(1, sum_t |v_t| + 1e-4)      (softmax over the taps). */
jf_status jf_fuse_kernels(jf_context *ctx, const jf_tensor *a, const jf_tensor *b, const jf_tensor *att,
                          float scale, jf_tensor *out);

/* add.c: out = act(a + b) element-wise (one shape; out may be a or b). A
 * one-parameter PReLU is JF_ACT_LEAKY with its slope. */
jf_status jf_add_act(jf_context *ctx, const jf_tensor *a, const jf_tensor *b, jf_act act, float slope,
                     jf_tensor *out);

/* add_upsampled.c: out[c](y, x) = a[c](y, x) + scale * b[c](y/f, x/f), a and out
 * C x H x W, b C x ceil(H/f) x ceil(W/f) (out may be a). */
jf_status jf_add_upsampled(jf_context *ctx, const jf_tensor *a, const jf_tensor *b, int f, float scale,
                           jf_tensor *out);

/* pool.c: out[c](y, x) = mean of in[c] over the f x f block at (f*y, f*x), no
 * padding. out is C x floor(H/f) x floor(W/f) (PyTorch's avg_pool2d) or
 * C x ceil(H/f) x ceil(W/f) (a partial last block averages what it holds). */
jf_status jf_avg_pool(jf_context *ctx, const jf_tensor *in, int f, jf_tensor *out);

#endif
