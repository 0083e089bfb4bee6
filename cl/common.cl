/* common.cl - prepended to every program (src/runtime/program.c), never a
 * program of its own: the codes and helpers more than one kernel file needs,
 * written once. Each cl/<file> compiles with this alone in front of it. */

/* Activation codes: the values of jf_act (src/ops/ops.h); tests/test_runtime.c
 * checks that the two agree. */
#define JF_ACT_NONE 0
#define JF_ACT_RELU 1
#define JF_ACT_LEAKY 2
#define JF_ACT_SIGMOID 3

/* Border rules as OpenCV names them: the values of jf_border (src/ops/box.h).
 *   REFLECT      fedcba|abcdef|fedcba   (cv BORDER_REFLECT)
 *   REFLECT_101   fedcb|abcdef|edcba    (cv BORDER_REFLECT_101, BORDER_DEFAULT)
 *   REPLICATE     aaaaa|abcdef|fffff */
#define JF_BORDER_REFLECT 0
#define JF_BORDER_REFLECT_101 1
#define JF_BORDER_REPLICATE 2

/* Pastes a vector width given as a -D value onto a name: JF_CAT(float, 8) is float8. */
#define JF_CAT_(a, b) a##b
#define JF_CAT(a, b) JF_CAT_(a, b)

/* v through the activation `act` (slope: LeakyReLU's negative slope). */
static inline float jf_activate(float v, int act, float slope)
{
    if (act == JF_ACT_RELU) return fmax(v, 0.0f);
    if (act == JF_ACT_LEAKY) return v >= 0.0f ? v : v * slope;
    if (act == JF_ACT_SIGMOID) return 1.0f / (1.0f + exp(-v));
    return v;
}

/* jf_activate on 8 values at once */
static inline float8 jf_activate8(float8 v, int act, float slope)
{
    if (act == JF_ACT_RELU) return fmax(v, 0.0f);
    if (act == JF_ACT_LEAKY) return select(v * slope, v, v >= 0.0f);
    if (act == JF_ACT_SIGMOID) return 1.0f / (1.0f + exp(-v));
    return v;
}

/* Maps any integer coordinate into [0, n) by the border rule `mode`.
 * Reflection is periodic, so windows wider than the image keep folding back
 * in, as OpenCV's padding does. */
static inline int jf_border_index(int p, int n, int mode)
{
    if (p >= 0 && p < n) return p;
    if (mode == JF_BORDER_REPLICATE || n == 1) return clamp(p, 0, n - 1);
    if (mode == JF_BORDER_REFLECT_101) {
        int period = 2 * n - 2;
        p %= period;
        if (p < 0) p += period;
        return p < n ? p : period - p;
    }
    int period = 2 * n;
    p %= period;
    if (p < 0) p += period;
    return p < n ? p : period - 1 - p;
}
