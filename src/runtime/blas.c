/* blas.c - the CLBlast SGEMM wrapper: row-major C = A * B (+ beta C) on the
 * context's queue, with CLBlast's status turned into a jf_status message. */
#include "runtime/faults.h"
#include "runtime/runtime.h"

#include <clblast_c.h>

jf_status jf_sgemm(jf_context *ctx, size_t m, size_t n, size_t k, cl_mem a, size_t a_off,
                   size_t lda, cl_mem b, size_t b_off, size_t ldb, float beta, cl_mem c,
                   size_t c_off, size_t ldc)
{
    double mark = jf_prof_begin(ctx);
    CLBlastStatusCode s = jf_fault_hit(JF_FAULT_ENQUEUE) ? CLBlastOpenCLOutOfResources : CLBlastSgemm(CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo,
                                       m, n, k, 1.0f, a, a_off, lda, b, b_off, ldb, beta, c, c_off,
                                       ldc, &ctx->queue, NULL);
    jf_prof_end(ctx, "sgemm", mark);
    if (s == CLBlastSuccess) return JF_OK;
    if (s == CLBlastOpenCLOutOfResources || s == CLBlastTempBufferAllocFailure)
        return jf_fail(ctx, JF_ERR_DEVICE_MEMORY, "CLBlast SGEMM %zux%zux%zu: out of device memory (%d)",
                       m, n, k, (int)s);
    if (s == CLBlastOpenCLBuildProgramFailure || s == CLBlastOpenCLCompilerNotAvailable)
        return jf_fail(ctx, JF_ERR_BUILD, "CLBlast could not build its SGEMM kernel on %s (%d)",
                       ctx->info.name, (int)s);
    return jf_fail(ctx, JF_ERR_BLAS, "CLBlast SGEMM %zux%zux%zu failed with status %d", m, n, k, (int)s);
}
