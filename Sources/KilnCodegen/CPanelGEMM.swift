/// `kiln_panel_gemm`, the product the recurrent kernels (`lstm_sequence`) compute with: the right
/// operand comes pre-packed in column panels of `KILN_PANEL` = 32 columns (`[⌈n/32⌉, k, 32]`,
/// zero-padded; `GraphBuilder.packPanels` builds them, and for weights they are prepared once per
/// change of the parameters), so a call packs nothing: a recurrent step is a 16-row product,
/// where OpenBLAS spends most of its time packing the 1 MB weight again at every step.
///
/// `c[i][j] = init[i·ldi + j] + Σ_p a[i·lda + p] · B[p][j]`; `init` may be `c` itself (each tile
/// reads its initial values before it stores), and `ldi` 0 broadcasts one row (a bias). With
/// AVX-512 (the native tier on such a machine) the micro-kernel keeps 8 rows × 32 columns in 16
/// registers and measured about 245 GFLOP/s on one core for 16×256 by 256×1024; elsewhere (tcc, other
/// processors, standalone C) a plain loop of one row × 32 columns that compilers vectorize.
/// Panels split across threads under OpenMP when the product is large enough.
///
/// `KILN_IVDEP` before a loop tells gcc and clang that its iterations are independent: the gate
/// loops of the recurrent kernels read the previous step's states from the buffer they write,
/// and gcc's run-time overlap check sent them to the scalar version (a 256-unit LSTM 5.3 ms
/// instead of 1.9 ms).
extension CPrelude {
    static let panelGEMM = """
        #define KILN_PANEL 32
        #if defined(__clang__)
        #define KILN_IVDEP _Pragma("clang loop vectorize(assume_safety)")
        #elif defined(__GNUC__) && !defined(__TINYC__)
        #define KILN_IVDEP _Pragma("GCC ivdep")
        #else
        #define KILN_IVDEP
        #endif
        #if defined(__AVX512F__) && !defined(__TINYC__)
        #define _MM_MALLOC_H_INCLUDED
        #define __MM_MALLOC_H
        #include <immintrin.h>
        #endif
        static void kiln_panel_gemm(long m, long n, long k, const float *a, long lda, const float *panels,
                                    const float *init, long ldi, float *c, long ldc) {
            long count = (n + KILN_PANEL - 1) / KILN_PANEL;
        #ifdef _OPENMP
        #pragma omp parallel for if (m * n * k >= 1048576)
        #endif
            for (long jb = 0; jb < count; jb++) {
                const float *w = panels + jb * k * KILN_PANEL;
                long j0 = jb * KILN_PANEL, width = n - j0 < KILN_PANEL ? n - j0 : KILN_PANEL;
        #if defined(__AVX512F__) && !defined(__TINYC__)
                __mmask16 m0 = width >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << width) - 1u);
                __mmask16 m1 = width >= 32 ? (__mmask16)0xFFFF : width <= 16 ? (__mmask16)0 : (__mmask16)((1u << (width - 16)) - 1u);
                for (long i0 = 0; i0 < m; i0 += 8) {
                    __m512 s0[8], s1[8];
                    const float *rows[8];
                    for (int r = 0; r < 8; r++) {
                        long i = i0 + r < m ? i0 + r : m - 1;
                        rows[r] = a + i * lda;
                        s0[r] = _mm512_maskz_loadu_ps(m0, init + i * ldi + j0);
                        s1[r] = _mm512_maskz_loadu_ps(m1, init + i * ldi + j0 + 16);
                    }
                    for (long p = 0; p < k; p++) {
                        __m512 w0 = _mm512_loadu_ps(w + p * KILN_PANEL), w1 = _mm512_loadu_ps(w + p * KILN_PANEL + 16);
                        for (int r = 0; r < 8; r++) {
                            __m512 x = _mm512_set1_ps(rows[r][p]);
                            s0[r] = _mm512_fmadd_ps(x, w0, s0[r]);
                            s1[r] = _mm512_fmadd_ps(x, w1, s1[r]);
                        }
                    }
                    for (int r = 0; r < 8 && i0 + r < m; r++) {
                        _mm512_mask_storeu_ps(c + (i0 + r) * ldc + j0, m0, s0[r]);
                        _mm512_mask_storeu_ps(c + (i0 + r) * ldc + j0 + 16, m1, s1[r]);
                    }
                }
        #else
                for (long i = 0; i < m; i++) {
                    float s[KILN_PANEL];
                    const float *row = a + i * lda;
                    for (long j = 0; j < KILN_PANEL; j++) s[j] = j < width ? init[i * ldi + j0 + j] : 0.0f;
                    for (long p = 0; p < k; p++) {
                        const float x = row[p];
                        const float *wp = w + p * KILN_PANEL;
                        for (long j = 0; j < KILN_PANEL; j++) s[j] += x * wp[j];
                    }
                    for (long j = 0; j < width; j++) c[i * ldc + j0 + j] = s[j];
                }
        #endif
            }
        }
        """
}

extension GeneratedProgram {
    /// Whether a kernel calls `kiln_panel_gemm`, so that the prelude must define it.
    var usesPanelGEMM: Bool { kernelCode.lines.contains { $0.contains("kiln_panel_gemm(") } }
}
