/* ref_filters.h - plain C references of the classical filters (box mean,
 * guided filter, joint bilateral filter, joint bilateral upsampling), written
 * from their definitions in double precision so the tests can check the
 * device code element by element. Layout: planar C x H x W. */
#ifndef JF_REF_FILTERS_H
#define JF_REF_FILTERS_H

#include "ops/box.h"

/* Window mean of c planes by direct summation over the (2r+1)^2 window,
 * border by ref_border_index. */
void ref_box(const double *in, double *out, int c, int h, int w, int r, jf_border b);
/* The guided filter's window mean of one plane (BORDER_REFLECT), summed
 * separably: the same sums as ref_box, O(r) per pixel. Caller frees. */
double *ref_box_reflect(const double *in, int h, int w, int r);
/* The guided filter by its definition (He et al. 2010, eq. 5-8 and 19-21):
 * guide gc x h x w (gc 1 or 3), target and out n x h x w. */
void ref_guided(const float *guide, int gc, const float *target, int n, int h, int w, int r,
                double eps, float *out);
/* Joint bilateral filter as OpenCV defines it (disk of radius r, L1 colour
 * distance, reflect-101); sc, ss: the colour and space sigmas. */
void ref_jbf(const float *guide, int gc, const float *target, int n, int h, int w, int r,
             double sc, double ss, float *out);
/* Joint bilateral upsampling (Kopf et al.) with jf_jbu's conventions: low
 * n x lh x lw, guide gc x h x w, out n x h x w. */
void ref_jbu(const float *guide, int gc, const float *low, int n, int lh, int lw, int h,
             int w, int r, double sc, double ss, float *out);

#endif
