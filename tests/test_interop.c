/* test_interop.c - the non-blocking calls (jf_model_enqueue,
 * jf_guided_filter_enqueue): the caller's own kernel, FDKN and the guided
 * filter chained on one queue by events, buffers at offsets, no host wait in
 * between (the chain hangs on a user event until the end, so a call that
 * waited would never return), and the result equal to the blocking calls'. */
#include "jf_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W 64
#define H 48
#define S 8
#define LW (W / S)
#define LH (H / S)

static const char *caller_src =
    "__kernel void scale_shift(__global float *x, float a, float b) {\n"
    "    size_t i = get_global_id(0); x[i] = a * x[i] + b; }\n";

static cl_mem buffer(cl_context c, size_t bytes, const void *init)
{
    cl_int err;
    cl_mem m = clCreateBuffer(c, CL_MEM_READ_WRITE | (init ? CL_MEM_COPY_HOST_PTR : 0), bytes, (void *)init, &err);
    ck_assert_int_eq(err, CL_SUCCESS);
    return m;
}

START_TEST(chained_on_one_queue_without_host_waits)
{
    jf_context *ctx = jft_context();
    cl_command_queue q = jf_context_queue(ctx);
    cl_context clc;
    cl_device_id dev;
    ck_assert_int_eq(clGetCommandQueueInfo(q, CL_QUEUE_CONTEXT, sizeof clc, &clc, NULL), CL_SUCCESS);
    ck_assert_int_eq(clGetCommandQueueInfo(q, CL_QUEUE_DEVICE, sizeof dev, &dev, NULL), CL_SUCCESS);
    cl_uint align_bits = 0;
    clGetDeviceInfo(dev, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof align_bits, &align_bits, NULL);
    size_t align = align_bits >= 8 ? align_bits / 8 : 128;

    /* the inputs: a B, G, R guide and a low-resolution target */
    static float guide[3 * W * H], low[LW * LH], low_scaled[LW * LH];
    jft_seed(11);
    jft_fill(guide, 3 * W * H, 0.0f, 1.0f);
    jft_fill(low, LW * LH, 0.0f, 1.0f);
    for (int i = 0; i < LW * LH; i++) low_scaled[i] = 0.5f * low[i] + 0.25f;

    jf_model *m = NULL;
    ck_assert_int_eq(jf_model_load(ctx, jft_source_path("weights/fdkn_x8.safetensors"), &m), JF_OK);

    /* the caller's program, on the context's own queue */
    cl_int err;
    cl_program prog = clCreateProgramWithSource(clc, 1, &caller_src, NULL, &err);
    ck_assert_int_eq(err, CL_SUCCESS);
    ck_assert_int_eq(clBuildProgram(prog, 1, &dev, "", NULL, NULL), CL_SUCCESS);
    cl_kernel k = clCreateKernel(prog, "scale_shift", &err);
    ck_assert_int_eq(err, CL_SUCCESS);

    /* buffers: the intermediate and the final result at offsets inside larger pools */
    size_t plane = (size_t)W * H * sizeof(float);
    cl_mem g = buffer(clc, sizeof guide, guide), t = buffer(clc, sizeof low, low);
    cl_mem pool = buffer(clc, 3 * align + 2 * plane, NULL);
    jf_buffer gb = {g, 0}, tb = {t, 0}, mid = {pool, align}, fin = {pool, 2 * align + plane};

    cl_event gate = clCreateUserEvent(clc, &err), scaled, d1, d2;
    ck_assert_int_eq(err, CL_SUCCESS);
    float a = 0.5f, b = 0.25f;
    clSetKernelArg(k, 0, sizeof t, &t);
    clSetKernelArg(k, 1, sizeof a, &a);
    clSetKernelArg(k, 2, sizeof b, &b);
    size_t n = LW * LH;
    ck_assert_int_eq(clEnqueueNDRangeKernel(q, k, 1, NULL, &n, NULL, 1, &gate, &scaled), CL_SUCCESS);
    ck_assert_msg(jf_model_enqueue(m, gb, 3, W, H, tb, 1, LW, LH, mid, NULL, 1, &scaled, &d1) == JF_OK, "%s",
                  jf_last_error(ctx));
    ck_assert_msg(jf_guided_filter_enqueue(ctx, gb, 3, mid, 1, W, H, fin, 4, 1e-3f, 1, 1, &d1, &d2) == JF_OK,
                  "%s", jf_last_error(ctx));
    /* both calls returned while the chain still waits on the gate */
    cl_int state;
    ck_assert_int_eq(clGetEventInfo(d2, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof state, &state, NULL), CL_SUCCESS);
    ck_assert_int_ne(state, CL_COMPLETE);
    ck_assert_int_eq(clSetUserEventStatus(gate, CL_COMPLETE), CL_SUCCESS);
    ck_assert_int_eq(clWaitForEvents(1, &d2), CL_SUCCESS);
    static float got[W * H], want_mid[W * H], want[W * H];
    ck_assert_int_eq(clEnqueueReadBuffer(q, pool, CL_TRUE, fin.offset, plane, got, 0, NULL, NULL), CL_SUCCESS);

    /* the same through the blocking calls */
    cl_mem t2 = buffer(clc, sizeof low_scaled, low_scaled), o2 = buffer(clc, plane, NULL);
    ck_assert_int_eq(jf_model_run_buffers(m, g, 3, W, H, t2, 1, LW, LH, o2, NULL), JF_OK);
    ck_assert_int_eq(clEnqueueReadBuffer(q, o2, CL_TRUE, 0, plane, want_mid, 0, NULL, NULL), CL_SUCCESS);
    static float guide_bgr[W * H * 3];
    for (int i = 0; i < W * H; i++)
        for (int c = 0; c < 3; c++) guide_bgr[i * 3 + c] = guide[c * W * H + i];
    jf_image gi = {sizeof(jf_image), W, H, 3, JF_PIXEL_F32, JF_ORDER_BGR, 0, guide_bgr};
    jf_image ti = {sizeof(jf_image), W, H, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, want_mid};
    jf_image oi = {sizeof(jf_image), W, H, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, want};
    ck_assert_int_eq(jf_guided_filter(ctx, &gi, &ti, &oi, 4, 1e-3f, 1), JF_OK);
    jft_assert_close(got, want, (size_t)W * H, 0.0);

    /* what the non-blocking calls refuse */
    jf_buffer odd = {pool, 4};
    ck_assert_int_eq(jf_model_enqueue(m, gb, 3, W, H, tb, 1, LW, LH, odd, NULL, 0, NULL, NULL),
                     align > 4 ? JF_ERR_INVALID_ARGUMENT : JF_OK);
    jf_buffer small = {t, 0};
    ck_assert_int_eq(jf_model_enqueue(m, gb, 3, W, H, tb, 1, LW, LH, small, NULL, 0, NULL, NULL),
                     JF_ERR_SIZE_MISMATCH);
    ck_assert_ptr_nonnull(strstr(jf_last_error(ctx), "output"));
    ck_assert_int_eq(jf_model_enqueue(m, gb, 3, W, H, tb, 1, LW, LH, mid, NULL, 1, NULL, NULL),
                     JF_ERR_INVALID_ARGUMENT);
    float alpha[W * H];
    jf_run_options opt = {.size = sizeof(jf_run_options), .alpha = alpha};
    ck_assert_int_eq(jf_model_enqueue(m, gb, 3, W, H, tb, 1, LW, LH, mid, &opt, 0, NULL, NULL),
                     JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_guided_filter_enqueue(ctx, gb, 2, mid, 1, W, H, fin, 4, 1e-3f, 1, 0, NULL, NULL),
                     JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_model_enqueue(NULL, gb, 3, W, H, tb, 1, LW, LH, mid, NULL, 0, NULL, NULL),
                     JF_ERR_INVALID_ARGUMENT);

    clReleaseEvent(gate);
    clReleaseEvent(scaled);
    clReleaseEvent(d1);
    clReleaseEvent(d2);
    clReleaseKernel(k);
    clReleaseProgram(prog);
    clReleaseMemObject(g);
    clReleaseMemObject(t);
    clReleaseMemObject(t2);
    clReleaseMemObject(o2);
    clReleaseMemObject(pool);
    jf_model_destroy(m);
    jf_context_destroy(ctx);
}
END_TEST

/* The other classical filters' non-blocking forms: bicubic upsampling, the
 * joint bilateral filter on its result and JBU of the same low-resolution
 * image, behind one user event, against their blocking calls. */
START_TEST(classical_filters_enqueued)
{
    jf_context *ctx = jft_context();
    cl_command_queue q = jf_context_queue(ctx);
    cl_context clc;
    ck_assert_int_eq(clGetCommandQueueInfo(q, CL_QUEUE_CONTEXT, sizeof clc, &clc, NULL), CL_SUCCESS);
    static float guide[3 * W * H], low[LW * LH], guide_bgr[3 * W * H];
    jft_seed(12);
    jft_fill(guide, 3 * W * H, 0.0f, 1.0f);
    jft_fill(low, LW * LH, 0.0f, 1.0f);
    for (int i = 0; i < W * H; i++)
        for (int c = 0; c < 3; c++) guide_bgr[i * 3 + c] = guide[c * W * H + i];
    size_t plane = (size_t)W * H * sizeof(float);
    cl_mem g = buffer(clc, sizeof guide, guide), t = buffer(clc, sizeof low, low);
    cl_mem up = buffer(clc, plane, NULL), jbf = buffer(clc, plane, NULL), jbu = buffer(clc, plane, NULL);
    cl_int err;
    cl_event gate = clCreateUserEvent(clc, &err), e1, e2, e3;
    jf_buffer gb = {g, 0}, tb = {t, 0}, ub = {up, 0}, fb = {jbf, 0}, jb = {jbu, 0};
    ck_assert_int_eq(jf_bicubic_enqueue(ctx, tb, 1, LW, LH, ub, W, H, JF_BICUBIC_PIL, 1, &gate, &e1), JF_OK);
    ck_assert_int_eq(jf_joint_bilateral_enqueue(ctx, gb, 3, ub, 1, W, H, fb, 7, 0.1f, 3.0f, 1, &e1, &e2), JF_OK);
    ck_assert_int_eq(jf_jbu_enqueue(ctx, gb, 3, W, H, tb, 1, LW, LH, jb, 2, 0.1f, 1.0f, 1, &gate, &e3), JF_OK);
    cl_int state;
    ck_assert_int_eq(clGetEventInfo(e2, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof state, &state, NULL), CL_SUCCESS);
    ck_assert_int_ne(state, CL_COMPLETE);
    ck_assert_int_eq(clSetUserEventStatus(gate, CL_COMPLETE), CL_SUCCESS);
    cl_event all[2] = {e2, e3};
    ck_assert_int_eq(clWaitForEvents(2, all), CL_SUCCESS);
    static float got_up[W * H], got_jbf[W * H], got_jbu[W * H], want_up[W * H], want_jbf[W * H], want_jbu[W * H];
    clEnqueueReadBuffer(q, up, CL_TRUE, 0, plane, got_up, 0, NULL, NULL);
    clEnqueueReadBuffer(q, jbf, CL_TRUE, 0, plane, got_jbf, 0, NULL, NULL);
    clEnqueueReadBuffer(q, jbu, CL_TRUE, 0, plane, got_jbu, 0, NULL, NULL);
    jf_image gi = {sizeof gi, W, H, 3, JF_PIXEL_F32, JF_ORDER_BGR, 0, guide_bgr};
    jf_image li = {sizeof li, LW, LH, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, low};
    jf_image ui = {sizeof ui, W, H, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, want_up};
    jf_image fi = {sizeof fi, W, H, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, want_jbf};
    jf_image ji = {sizeof ji, W, H, 1, JF_PIXEL_F32, JF_ORDER_RGB, 0, want_jbu};
    ck_assert_int_eq(jf_bicubic(ctx, &li, &ui, JF_BICUBIC_PIL), JF_OK);
    ck_assert_int_eq(jf_joint_bilateral(ctx, &gi, &ui, &fi, 7, 0.1f, 3.0f), JF_OK);
    ck_assert_int_eq(jf_jbu(ctx, &gi, &li, &ji, 2, 0.1f, 1.0f), JF_OK);
    jft_assert_close(got_up, want_up, (size_t)W * H, 0.0);
    jft_assert_close(got_jbf, want_jbf, (size_t)W * H, 0.0);
    jft_assert_close(got_jbu, want_jbu, (size_t)W * H, 0.0);
    /* bad arguments come back before anything is enqueued */
    ck_assert_int_eq(jf_bicubic_enqueue(ctx, tb, 1, LW, LH, ub, W, H, (jf_bicubic_mode)7, 0, NULL, NULL),
                     JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_joint_bilateral_enqueue(ctx, gb, 3, ub, 1, W, H, fb, 7, -1.0f, 3.0f, 0, NULL, NULL),
                     JF_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(jf_jbu_enqueue(ctx, gb, 3, W, H, tb, 0, LW, LH, jb, 2, 0.1f, 1.0f, 0, NULL, NULL),
                     JF_ERR_INVALID_ARGUMENT);
    cl_event ev[4] = {gate, e1, e2, e3};
    for (int i = 0; i < 4; i++) clReleaseEvent(ev[i]);
    cl_mem mems[5] = {g, t, up, jbf, jbu};
    for (int i = 0; i < 5; i++) clReleaseMemObject(mems[i]);
    jf_context_destroy(ctx);
}
END_TEST

int main(void)
{
    return jft_run_tests("interop", "interop", 900,
                         JFT_TESTS(chained_on_one_queue_without_host_waits, classical_filters_enqueued));
}
