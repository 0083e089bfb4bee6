/* depth_range.h - depth in sensor units around a model run (the jf_run_options
 * fields normalize, invalid, invalid_value, keep_holes; jfilter.h says what
 * they mean): the target's holes found and filled under the guide, its valid
 * range normalised to 0..1 as in training, and the output mapped back. */
#ifndef JF_DEPTH_RANGE_H
#define JF_DEPTH_RANGE_H

#include "runtime/runtime.h"

/* What jf_depth_prepare learnt about the target, for jf_depth_restore. */
typedef struct jf_depth_job {
    float lo, span;        /* the valid range in normalized units: value = lo + span * y */
    int keep_holes;
    float *orig;           /* with keep_holes: the target as it came (holes put back from it) */
    unsigned char *valid;  /* target-sized mask (1 = valid), NULL when no pixel is a hole */
    int tw, th;            /* the target's size */
    size_t holes;          /* invalid target pixels */
} jf_depth_job;

/* 1 when opt asks for any depth handling (else the run takes the target as is). */
int jf_depth_active(const jf_run_options *opt);

/* Finds the holes of target (1 plane, normalized units: raw value * unit, so
 * unit is 1/255, 1/65535 or 1 for 8-bit, 16-bit and float inputs), fills them
 * under guide (1 plane of luma or 3 planes B, G, R, at full resolution) and
 * normalises: *prepared (allocated here, caller frees) is the target the
 * model sees; *job is filled for jf_depth_restore (free it with jf_depth_job_free). */
jf_status jf_depth_prepare(jf_context *ctx, const jf_run_options *opt, float unit, const jf_tensor *guide,
                           const jf_tensor *target, jf_tensor *prepared, jf_depth_job *job);

/* Maps the model's output (1 plane, full resolution) back to the target's
 * units and, with keep_holes, puts the holes back. */
jf_status jf_depth_restore(jf_context *ctx, const jf_depth_job *job, jf_tensor *out);

/* Maps SVLRM's coefficients likewise: alpha *= span, beta = lo + span * beta
 * (n values each; either may be NULL). */
void jf_depth_restore_coefficients(const jf_depth_job *job, float *alpha, float *beta, size_t n);

void jf_depth_job_free(jf_depth_job *job);

/* ---- the host steps, exposed for tests ---- */

/* The guided onion-peel fill: every pixel with state 0 (a hole) gets the
 * weighted average of its 8 neighbours known before its layer, layer by layer
 * from the rims inwards, weights exp(-(guide[p] - guide[q])^2 / (2 sigma^2))
 * (diagonal neighbours times 1/sqrt(2)). value and guide are w x h; valid[i]
 * is 1 for a valid pixel, 0 for a hole. At least one pixel must be valid.
 * Returns 0, or -1 when out of memory (value then unchanged). */
int jf_depth_fill(float *value, const unsigned char *valid, const float *guide, int w, int h, float sigma);

/* The guide's luma sigma of the fill (normalized units). */
#define JF_DEPTH_FILL_SIGMA 0.1f

#endif
