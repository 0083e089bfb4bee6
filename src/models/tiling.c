/* tiling.c - bounded device memory: an image that does not fit the budget is
 * processed in overlapping tiles. Each tile carries `halo` extra pixels on
 * every side that are inside the image (the model's receptive field), so the
 * inner part of every tile is computed from exactly the pixels an untiled run
 * would use, and stitching the inner parts reproduces the untiled result.
 *
 *   +---------------------------+   image
 *   |   +-------------------+   |
 *   |   | halo              |   |   tile read = inner grown by halo, clipped
 *   |   |   +-----------+   |   |               to the image
 *   |   |   |   inner   |   |   |   inner written back
 *   |   |   +-----------+   |   |
 *   |   +-------------------+   |
 *   +---------------------------+
 */
#include "models/model.h"

#include <math.h>
#include <stdio.h>

static size_t jf_budget(const jf_model *m, const jf_run_options *opt)
{
    return jf_memory_budget(m->ctx, opt ? opt->memory_budget : 0);
}

/* Device bytes a run holds per pixel at its peak: the model's maps and the convolution workspace. */
static double jf_bytes_per_pixel(const jf_model *m)
{
    return m->arch->bytes_per_pixel(m) + m->ws_bytes_per_pixel;
}

/* Bytes per pixel of the largest single buffer: the widest map or the workspace. */
static double jf_largest_buffer_per_pixel(const jf_model *m)
{
    double largest = 4.0 * m->max_planes;
    return m->ws_bytes_per_pixel > largest ? m->ws_bytes_per_pixel : largest;
}

int jf_tile_size(const jf_model *m, size_t budget)
{
    int halo = m->halo, align = m->align;
    double side = sqrt((double)budget / jf_bytes_per_pixel(m));
    /* one buffer must also fit the device's largest allocation */
    uint64_t max_alloc = m->ctx->info.max_alloc_bytes;
    if (max_alloc) {
        double s2 = sqrt((double)max_alloc / jf_largest_buffer_per_pixel(m));
        if (s2 < side) side = s2;
    }
    int inner = (int)side - 2 * halo;
    inner = inner / align * align;
    int floor_size = 4 * align > 32 ? 4 * align : 32;
    return inner < floor_size ? floor_size : inner;
}

jf_status jf_model_step(jf_model *m, int step)
{
    const jf_run_options *opt = m->opt;
    if (!opt || !opt->progress) return JF_OK;
    int steps = m->arch->steps > 0 ? m->arch->steps : 1;
    if (opt->progress(opt->progress_user, m->tile * steps + step, m->ntiles * steps))
        return jf_fail(m->ctx, JF_ERR_CANCELLED, "cancelled by the progress callback");
    return JF_OK;
}

static int jf_min(int a, int b) { return a < b ? a : b; }
static int jf_max(int a, int b) { return a > b ? a : b; }

/* Whether a model that does not tile (arch->whole_image) fits a W x H image into the budget,
 * and each of its buffers into the device's largest allocation; a clear error when not. */
static jf_status jf_whole_image_fits(const jf_model *m, int W, int H, size_t budget)
{
    const double pixels = (double)W * H, mib = 1048576.0;
    const double need = jf_bytes_per_pixel(m) * pixels, largest = jf_largest_buffer_per_pixel(m);
    const uint64_t max_alloc = m->ctx->info.max_alloc_bytes;
    if (need > (double)budget)
        return jf_fail(m->ctx, JF_ERR_OUT_OF_MEMORY,
                       "%s normalises over the whole image and does not run in tiles: %dx%d needs about "
                       "%.0f MiB of device memory, more than the memory budget of %.0f MiB (raise the "
                       "budget, or smooth a smaller image)", m->info.architecture, W, H, need / mib,
                       budget / mib);
    if (max_alloc && largest * pixels > (double)max_alloc)
        return jf_fail(m->ctx, JF_ERR_OUT_OF_MEMORY,
                       "%s normalises over the whole image and does not run in tiles: at %dx%d one of its "
                       "buffers takes about %.0f MiB, more than the %.0f MiB this device allocates at once "
                       "(smooth a smaller image)", m->info.architecture, W, H, largest * pixels / mib,
                       max_alloc / mib);
    return JF_OK;
}

jf_status jf_run_tiled(jf_model *m, const jf_tensor *guide, const jf_tensor *target, jf_tensor *out,
                       jf_tensor *extra, const jf_run_options *opt)
{
    jf_context *ctx = m->ctx;
    int W = guide->w, H = guide->h;
    int inner = jf_tile_size(m, jf_budget(m, opt));
    int halo = m->halo, align = m->align;
    m->opt = opt;
    m->tile = 0;
    int whole = W <= inner && H <= inner;
    if (m->arch->whole_image && !whole) {
        /* a model that cannot tile runs whole whenever the image fits the budget: the square
         * tile side above is for tiled models (it also pays for a halo this one never has) */
        jf_status s = jf_whole_image_fits(m, W, H, jf_budget(m, opt));
        if (s != JF_OK) {
            m->opt = NULL;
            return s;
        }
        whole = 1;
    }
    if (whole) {
        m->ntiles = 1;
        jf_status s = m->arch->run(m, guide, target, out, extra);
        if (s == JF_OK && m->arch->steps == 0) s = jf_model_step(m, 1);
        m->opt = NULL;
        return s;
    }
    int nx = (W + inner - 1) / inner, ny = (H + inner - 1) / inner;
    m->ntiles = nx * ny;
    jf_status s = JF_OK;
    for (int ty = 0; s == JF_OK && ty < ny; ty++) {
        for (int tx = 0; s == JF_OK && tx < nx; tx++) {
            int ix0 = tx * inner, iy0 = ty * inner;
            int ix1 = jf_min(ix0 + inner, W), iy1 = jf_min(iy0 + inner, H);
            /* the read window: grown by the halo, origin kept on the model's grid */
            int rx0 = jf_max(0, (ix0 - halo) / align * align), ry0 = jf_max(0, (iy0 - halo) / align * align);
            int rx1 = jf_min(W, ix1 + halo), ry1 = jf_min(H, iy1 + halo);
            int rw = rx1 - rx0, rh = ry1 - ry0;
            jf_tensor g = {0}, t = {0}, o = {0}, e = {0};
            if ((s = jf_tensor_alloc(ctx, &g, guide->c, rh, rw)) == JF_OK &&
                (s = jf_tensor_alloc(ctx, &t, target->c, rh, rw)) == JF_OK &&
                (s = jf_tensor_alloc(ctx, &o, out->c, rh, rw)) == JF_OK &&
                (!extra || (s = jf_tensor_alloc(ctx, &e, extra->c, rh, rw)) == JF_OK) &&
                (s = jf_tensor_copy_rect(ctx, guide, rx0, ry0, &g, 0, 0, rw, rh)) == JF_OK &&
                (s = jf_tensor_copy_rect(ctx, target, rx0, ry0, &t, 0, 0, rw, rh)) == JF_OK &&
                (s = m->arch->run(m, &g, &t, &o, extra ? &e : NULL)) == JF_OK &&
                (s = jf_tensor_copy_rect(ctx, &o, ix0 - rx0, iy0 - ry0, out, ix0, iy0, ix1 - ix0, iy1 - iy0)) == JF_OK &&
                extra)
                s = jf_tensor_copy_rect(ctx, &e, ix0 - rx0, iy0 - ry0, extra, ix0, iy0, ix1 - ix0, iy1 - iy0);
            if (s == JF_OK) s = jf_finish(ctx); /* bound the memory in flight to one tile */
            jf_tensor_free(&g);
            jf_tensor_free(&t);
            jf_tensor_free(&o);
            jf_tensor_free(&e);
            if (s == JF_OK && m->arch->steps == 0) s = jf_model_step(m, 1);
            m->tile++;
        }
    }
    m->opt = NULL;
    return s;
}
