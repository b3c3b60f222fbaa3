/// How standalone C multiplies matrices.
public enum StandaloneBLAS: String, Sendable, CaseIterable {
    /// A built-in blocked GEMM: the output needs only libc and libm.
    case builtin
    /// OpenBLAS (or any CBLAS) through `<cblas.h>`; link with `-lopenblas`.
    case cblas
}

/// The declarations a standalone translation unit starts with, replacing the JIT's prelude:
/// real headers instead of hand-written prototypes, and a GEMM when no CBLAS is wanted.
enum StandalonePrelude {
    static func text(blas: StandaloneBLAS, usesGEMM: Bool, usesPanelGEMM: Bool = false) -> String {
        var lines = ["#include <math.h>", "#include <stdint.h>", "#include <string.h>", "#include <stddef.h>"]
        switch blas {
        case .cblas:
            lines += [
                "#include <cblas.h>",
                "#define KILN_RESTRICT restrict",
                "#define KILN_INFINITY (1e30f * 1e30f)",
                "#define KILN_NAN (KILN_INFINITY * 0.0f)",
                "#define KILN_ROW_MAJOR CblasRowMajor",
                "#define KILN_NO_TRANS CblasNoTrans",
                "#define KILN_TRANS CblasTrans",
            ]
        case .builtin:
            lines += [CPrelude.common]
            if usesGEMM { lines += [builtinGEMM, "#define cblas_sgemm kiln_builtin_sgemm"] }
        }
        lines += [CPrelude.math]
        if usesPanelGEMM { lines += [CPrelude.panelGEMM] }
        return lines.joined(separator: "\n")
    }

    /// Row-major C = alpha·op(A)·op(B) + beta·C: blocks of op(A) and op(B) packed into
    /// contiguous, zero-padded micro-panels (transposes resolved while packing) and a 6x16
    /// micro-kernel of independent accumulators whose inner loop gcc and clang vectorize.
    static let builtinGEMM = """
        /* Built-in GEMM (row-major, cblas_sgemm's arguments): C = alpha*op(A)*op(B) + beta*C. Blocks of
           KILN_GEMM_KC along k and KILN_GEMM_MC rows of op(A) are packed into micro-panels of
           KILN_GEMM_MR rows, KILN_GEMM_NR columns of op(B) into micro-panels (zero-padded, transposes
           resolved while packing), so that the micro-kernel's loops run over contiguous memory with
           MR x NR independent accumulators, which gcc and clang vectorize. The panels live on the stack
           (about 33 KB). */
        #define KILN_GEMM_MR 6
        #define KILN_GEMM_NR 16
        #define KILN_GEMM_KC 128
        #define KILN_GEMM_MC 48
        #if defined(__GNUC__) && !defined(__clang__) && !defined(__TINYC__)
        __attribute__((optimize("vect-cost-model=dynamic")))
        #endif
        static void kiln_gemm_micro(long kc, const float *KILN_RESTRICT a, const float *KILN_RESTRICT b, float *KILN_RESTRICT out) {
            float c0[KILN_GEMM_NR] = {0}, c1[KILN_GEMM_NR] = {0}, c2[KILN_GEMM_NR] = {0};
            float c3[KILN_GEMM_NR] = {0}, c4[KILN_GEMM_NR] = {0}, c5[KILN_GEMM_NR] = {0};
            for (long p = 0; p < kc; p++, a += KILN_GEMM_MR, b += KILN_GEMM_NR) {
                const float a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4], a5 = a[5];
                for (int j = 0; j < KILN_GEMM_NR; j++) {
                    const float bj = b[j];
                    c0[j] += a0 * bj; c1[j] += a1 * bj; c2[j] += a2 * bj;
                    c3[j] += a3 * bj; c4[j] += a4 * bj; c5[j] += a5 * bj;
                }
            }
            for (int j = 0; j < KILN_GEMM_NR; j++) {
                out[j] = c0[j]; out[KILN_GEMM_NR + j] = c1[j]; out[2 * KILN_GEMM_NR + j] = c2[j];
                out[3 * KILN_GEMM_NR + j] = c3[j]; out[4 * KILN_GEMM_NR + j] = c4[j]; out[5 * KILN_GEMM_NR + j] = c5[j];
            }
        }
        static void kiln_builtin_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha,
                                       const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
            float pa[KILN_GEMM_MC * KILN_GEMM_KC], pb[KILN_GEMM_KC * KILN_GEMM_NR], tile[KILN_GEMM_MR * KILN_GEMM_NR];
            (void)order;
            if (k == 0) {
                for (long i = 0; i < m; i++)
                    for (long j = 0; j < n; j++) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
                return;
            }
            for (long p0 = 0; p0 < k; p0 += KILN_GEMM_KC) {
                long kc = k - p0 < KILN_GEMM_KC ? k - p0 : KILN_GEMM_KC;
                for (long i0 = 0; i0 < m; i0 += KILN_GEMM_MC) {
                    long mc = m - i0 < KILN_GEMM_MC ? m - i0 : KILN_GEMM_MC;
                    for (long ir = 0; ir < mc; ir += KILN_GEMM_MR) {
                        float *panel = pa + ir * kc;
                        for (long p = 0; p < kc; p++)
                            for (long i = 0; i < KILN_GEMM_MR; i++) {
                                long row = i0 + ir + i, col = p0 + p;
                                panel[p * KILN_GEMM_MR + i] = ir + i >= mc ? 0.0f
                                    : trans_a == KILN_TRANS ? a[col * lda + row] : a[row * lda + col];
                            }
                    }
                    for (long j0 = 0; j0 < n; j0 += KILN_GEMM_NR) {
                        long nr = n - j0 < KILN_GEMM_NR ? n - j0 : KILN_GEMM_NR;
                        for (long p = 0; p < kc; p++)
                            for (long j = 0; j < KILN_GEMM_NR; j++) {
                                long col = j0 + j, row = p0 + p;
                                pb[p * KILN_GEMM_NR + j] = j >= nr ? 0.0f
                                    : trans_b == KILN_TRANS ? b[col * ldb + row] : b[row * ldb + col];
                            }
                        for (long ir = 0; ir < mc; ir += KILN_GEMM_MR) {
                            long mr = mc - ir < KILN_GEMM_MR ? mc - ir : KILN_GEMM_MR;
                            kiln_gemm_micro(kc, pa + ir * kc, pb, tile);
                            for (long i = 0; i < mr; i++) {
                                float *row = c + (i0 + ir + i) * ldc + j0;
                                const float *sum = tile + i * KILN_GEMM_NR;
                                if (p0 > 0) for (long j = 0; j < nr; j++) row[j] += alpha * sum[j];
                                else if (beta == 0.0f) for (long j = 0; j < nr; j++) row[j] = alpha * sum[j];
                                else for (long j = 0; j < nr; j++) row[j] = beta * row[j] + alpha * sum[j];
                            }
                        }
                    }
                }
            }
        }
        """
}
