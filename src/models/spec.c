/* spec.c - what a model's table of rows tells without a device: structure
 * checks, the tiling halo and alignment grid, planes per pixel and
 * multiply-adds. The rules are written out in model.h. */
#include "models/model.h"

static int at_least_1(int v) { return v > 0 ? v : 1; }
static int row_scale(const jf_layer *r) { return at_least_1(r->scale); }
static int row_stride(const jf_layer *r) { return at_least_1(r->stride); }
static int row_dil(const jf_layer *r) { return at_least_1(r->dil); }

/* The resolution a row's output is at (1/x of full); 0 when it does not divide. */
static int row_out_scale(const jf_layer *r)
{
    int s = row_scale(r), f = row_stride(r);
    switch (r->kind) {
    case JF_STEP_CONV:
    case JF_STEP_FOLD: return s * f;
    case JF_STEP_HEADS:
    case JF_STEP_PAD:
    case JF_STEP_LOCAL: return s;
    case JF_STEP_UP:
    case JF_STEP_CONV_T: return s % f ? 0 : s / f;
    }
    return 0;
}

/* The source of input slot `slot` of row i: a row index >= 0, JF_GUIDE or
 * JF_TARGET, or JF_NO_INPUT when the slot is empty. */
#define JF_NO_INPUT (-99)
static int row_input(const jf_layer *rows, int i, int slot)
{
    int v = rows[i].in[slot];
    if (v == JF_GUIDE || v == JF_TARGET) return v;
    if (v == JF_PREV || (v == 0 && slot == 0)) return i > 0 ? i - 1 : JF_NO_INPUT;
    return v > 0 ? v - 1 : JF_NO_INPUT; /* JF_ROW(j); other negatives are caught by the check */
}

static const char *kind_name(jf_step k)
{
    static const char *names[] = {"CONV", "HEADS", "CONV_T", "FOLD", "UP", "PAD", "LOCAL"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

jf_status jf_spec_check(jf_context *ctx, const jf_layer *rows, int n)
{
    if (n < 1 || n > JF_SPEC_MAX_ROWS)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "model spec: %d rows (1..%d)", n, JF_SPEC_MAX_ROWS);
    for (int i = 0; i < n; i++) {
        const jf_layer *r = &rows[i];
        const char *why = NULL;
        if ((unsigned)r->kind > JF_STEP_LOCAL) why = "an unknown kind";
        else if (!row_out_scale(r)) why = "a factor that does not divide its scale";
        else if ((r->kind == JF_STEP_CONV || r->kind == JF_STEP_CONV_T) && (r->k < 1 || r->pad < 0))
            why = "a kernel below 1 or a negative padding";
        else if ((r->kind == JF_STEP_CONV || r->kind == JF_STEP_CONV_T || r->kind == JF_STEP_HEADS) &&
                 (r->cin < 1 || r->cout < 1))
            why = "no channels";
        else if (r->kind == JF_STEP_HEADS && r->cout % 3) why = "heads whose outputs are not 3 x the weights";
        else if (r->reach < 0 || r->pad_end < 0) why = "a negative reach";
        else if (r->prelu[0] && r->act != JF_ACT_LEAKY) why = "a PReLU slope on a non-leaky activation";
        if (why)
            return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "model spec row %d (%s '%s'): %s", i,
                           kind_name(r->kind), r->name, why);
        for (int slot = 0; slot < JF_LAYER_INPUTS; slot++) {
            int v = r->in[slot], src = row_input(rows, i, slot);
            if (v < JF_PREV || (v == JF_PREV && i == 0) || (slot == 0 && src == JF_NO_INPUT))
                return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "model spec row %d ('%s'): input %d is %d", i,
                               r->name, slot, v);
            if (src == JF_NO_INPUT) continue;
            if (src != JF_GUIDE && src != JF_TARGET && (src < 0 || src >= i))
                return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT,
                               "model spec row %d ('%s'): input %d reads row %d, which does not come before it",
                               i, r->name, slot, src);
            int at = src < 0 ? 1 : row_out_scale(&rows[src]);
            if (at != row_scale(r))
                return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT,
                               "model spec row %d ('%s'): runs at 1/%d but input %d is at 1/%d", i, r->name,
                               row_scale(r), slot, at);
        }
    }
    if (row_out_scale(&rows[n - 1]) != 1)
        return jf_fail(ctx, JF_ERR_INVALID_ARGUMENT, "model spec: the last row ('%s') is not at full resolution",
                       rows[n - 1].name);
    return JF_OK;
}

static int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
static int ceil_div(int a, int b) { return -floor_div(-a, b); }
static int imin(int a, int b) { return a < b ? a : b; }
static int imax(int a, int b) { return a > b ? a : b; }

/* The input range row r reads for its output range [lo, hi] (the table in model.h). */
static void row_back(const jf_layer *r, int lo, int hi, int *a, int *b)
{
    int s = row_stride(r), span = (r->k - 1) * row_dil(r);
    switch (r->kind) {
    case JF_STEP_CONV: *a = lo * s - r->pad, *b = hi * s - r->pad + span; return;
    case JF_STEP_CONV_T: *a = ceil_div(lo + r->pad - span, s), *b = floor_div(hi + r->pad, s); return;
    case JF_STEP_FOLD: *a = lo * s, *b = hi * s + s - 1; return;
    case JF_STEP_UP: *a = floor_div(lo, s) - r->reach, *b = floor_div(hi, s) + r->reach; return;
    case JF_STEP_PAD: *a = lo - r->pad, *b = hi - r->pad; return;
    case JF_STEP_LOCAL: *a = lo - r->reach, *b = hi + r->reach; return;
    case JF_STEP_HEADS: break;
    }
    *a = lo, *b = hi;
}

void jf_spec_reach(const jf_layer *rows, int n, int input, int at, int *lo, int *hi)
{
    /* need[i]: the range of row i's output that the rows after it read */
    int need_lo[JF_SPEC_MAX_ROWS], need_hi[JF_SPEC_MAX_ROWS];
    *lo = 1, *hi = 0;
    if (n < 1 || n > JF_SPEC_MAX_ROWS) return;
    for (int i = 0; i < n; i++) need_lo[i] = 1, need_hi[i] = 0;
    need_lo[n - 1] = need_hi[n - 1] = at;
    for (int i = n - 1; i >= 0; i--) {
        if (need_lo[i] > need_hi[i]) continue; /* nothing after it reads this row */
        int a, b;
        row_back(&rows[i], need_lo[i], need_hi[i], &a, &b);
        for (int slot = 0; slot < JF_LAYER_INPUTS; slot++) {
            int src = row_input(rows, i, slot);
            if (src == JF_NO_INPUT || (src < 0 && src != input)) continue;
            int *l = src < 0 ? lo : &need_lo[src], *h = src < 0 ? hi : &need_hi[src];
            if (*l > *h) *l = a, *h = b; /* hull over every reader: parallel paths take the maximum */
            else *l = imin(*l, a), *h = imax(*h, b);
        }
    }
}

static int gcd(int a, int b) { return b ? gcd(b, a % b) : a; }

int jf_spec_align(const jf_layer *rows, int n)
{
    int a = 1;
    for (int i = 0; i < n; i++) {
        int s[2] = {row_scale(&rows[i]), row_out_scale(&rows[i])};
        for (int j = 0; j < 2; j++)
            if (s[j] > 0) a = a / gcd(a, s[j]) * s[j];
    }
    return a;
}

int jf_spec_halo(const jf_layer *rows, int n)
{
    int align = jf_spec_align(rows, n), halo = 0;
    const int inputs[2] = {JF_GUIDE, JF_TARGET};
    /* every phase of an output pixel on the coarsest grid, far from the origin */
    for (int phase = 0; phase < align; phase++) {
        int at = 64 * align + phase;
        for (int j = 0; j < 2; j++) {
            int lo, hi;
            jf_spec_reach(rows, n, inputs[j], at, &lo, &hi);
            if (lo <= hi) halo = imax(halo, imax(at - lo, hi - at));
        }
    }
    return halo;
}

int jf_spec_planes(const jf_layer *rows, int n)
{
    int most = 1;
    for (int i = 0; i < n; i++) {
        int s = row_out_scale(&rows[i]), s2 = s * s;
        if (s > 0) most = imax(most, (rows[i].cout + s2 - 1) / s2);
    }
    return most;
}

/* Output size of row r along one axis for an input of `in` pixels. */
static int row_out_size(const jf_layer *r, int in)
{
    int s = row_stride(r), d = row_dil(r);
    switch (r->kind) {
    case JF_STEP_CONV: return jf_conv_out_size(in, r->k, s, r->pad, d);
    case JF_STEP_CONV_T: return (in - 1) * s - 2 * r->pad + d * (r->k - 1) + 1;
    case JF_STEP_FOLD: return (in + s - 1) / s;
    case JF_STEP_UP: return in * s;
    case JF_STEP_PAD: return in + r->pad + r->pad_end;
    case JF_STEP_HEADS:
    case JF_STEP_LOCAL: break;
    }
    return in;
}

double jf_spec_macs(const jf_layer *rows, int n, int width, int height)
{
    int w[JF_SPEC_MAX_ROWS], h[JF_SPEC_MAX_ROWS];
    double macs = 0;
    if (n > JF_SPEC_MAX_ROWS) return 0;
    for (int i = 0; i < n; i++) {
        const jf_layer *r = &rows[i];
        int src = row_input(rows, i, 0);
        int wi = src < 0 ? width : w[src], hi = src < 0 ? height : h[src];
        w[i] = row_out_size(r, wi);
        h[i] = row_out_size(r, hi);
        double px = (double)w[i] * h[i];
        if (r->kind == JF_STEP_CONV) macs += (double)r->cout * r->cin * r->k * r->k * px;
        else if (r->kind == JF_STEP_HEADS) macs += (double)r->cout * r->cin * px;
        else if (r->kind == JF_STEP_CONV_T) macs += (double)r->cout * r->cin * r->k * r->k * wi * hi;
        macs += r->macs * px;
    }
    return macs;
}
