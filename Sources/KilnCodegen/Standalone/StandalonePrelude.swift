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
    static func text(blas: StandaloneBLAS, usesGEMM: Bool) -> String {
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
        return lines.joined(separator: "\n")
    }

    /// Row-major C = alpha·op(A)·op(B) + beta·C, blocked over rows and the inner dimension so that
    /// a block of B stays in cache; the innermost loop runs along a row of C.
    static let builtinGEMM = """
        /* Built-in GEMM (row-major, cblas_sgemm's arguments): C = alpha*op(A)*op(B) + beta*C. */
        static void kiln_builtin_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha,
                                       const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
            (void)order;
            for (long i = 0; i < m; i++) {
                float *row = c + i * ldc;
                for (long j = 0; j < n; j++) row[j] = beta == 0.0f ? 0.0f : row[j] * beta;
            }
            for (long i0 = 0; i0 < m; i0 += 32) {
                long i1 = i0 + 32 < m ? i0 + 32 : m;
                for (long p0 = 0; p0 < k; p0 += 256) {
                    long p1 = p0 + 256 < k ? p0 + 256 : k;
                    for (long i = i0; i < i1; i++) {
                        float *row = c + i * ldc;
                        for (long p = p0; p < p1; p++) {
                            float scale = alpha * (trans_a == KILN_TRANS ? a[p * lda + i] : a[i * lda + p]);
                            if (trans_b == KILN_TRANS) {
                                const float *column = b + p;
                                for (long j = 0; j < n; j++) row[j] += scale * column[j * ldb];
                            } else {
                                const float *source = b + p * ldb;
                                for (long j = 0; j < n; j++) row[j] += scale * source[j];
                            }
                        }
                    }
                }
            }
        }
        """
}
