/* The built-in GEMM of standalone C against OpenBLAS's single-thread sgemm on the matrix shapes of
 * the MLP and ResNet-18 (`make gemm-bench`). The GEMM comes from an emitted program: `make` emits
 * the MLP with the built-in GEMM and this file includes its C. Prints one line per shape (median
 * of 15 runs each) and the ratio of the total times, OpenBLAS / built-in (1.0 = as fast). */
#define _POSIX_C_SOURCE 199309L
#include "mlp.c"
#undef cblas_sgemm
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void openblas_set_num_threads(int);

#include "bench_timing.h"

int main(void) {
    /* m, n, k, whether B is transposed (PyTorch's Linear exported as Gemm with transB=1) */
    static const int shapes[][4] = {
        {64, 512, 784, 0}, {64, 512, 784, 1}, {64, 512, 512, 0}, {64, 10, 512, 0},          /* MLP */
        {64, 12544, 147, 0}, {128, 784, 576, 0}, {256, 196, 1152, 0}, {512, 49, 4608, 0}, /* ResNet-18 */
        {64, 196, 64, 0}, {512, 49, 256, 0}, {1, 1000, 512, 0},
    };
    enum { RUNS = 15 };
    double builtin_total = 0, openblas_total = 0;
    openblas_set_num_threads(1);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2], transposed = shapes[s][3];
        float *a = malloc(sizeof(float) * (size_t)m * (size_t)k), *b = malloc(sizeof(float) * (size_t)k * (size_t)n);
        float *c1 = malloc(sizeof(float) * (size_t)m * (size_t)n), *c2 = malloc(sizeof(float) * (size_t)m * (size_t)n);
        if (!a || !b || !c1 || !c2) return 1;
        for (long i = 0; i < (long)m * k; i++) a[i] = (float)((i * 37) % 101) / 101.0f - 0.5f;
        for (long i = 0; i < (long)k * n; i++) b[i] = (float)((i * 53) % 97) / 97.0f - 0.5f;
        int ldb = transposed ? k : n;
        double builtin[RUNS], openblas[RUNS];
        for (int r = 0; r < RUNS; r++) {
            double t0 = now();
            kiln_builtin_sgemm(KILN_ROW_MAJOR, KILN_NO_TRANS, transposed ? KILN_TRANS : KILN_NO_TRANS, m, n, k, 1.0f, a, k, b, ldb, 0.0f, c1, n);
            double t1 = now();
            cblas_sgemm(CblasRowMajor, CblasNoTrans, transposed ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, k, b, ldb, 0.0f, c2, n);
            double t2 = now();
            builtin[r] = t1 - t0;
            openblas[r] = t2 - t1;
        }
        qsort(builtin, RUNS, sizeof builtin[0], ascending);
        qsort(openblas, RUNS, sizeof openblas[0], ascending);
        double error = 0, magnitude = 0;
        for (long i = 0; i < (long)m * n; i++) {
            error = fmax(error, fabs((double)c1[i] - c2[i]));
            magnitude = fmax(magnitude, fabs((double)c2[i]));
        }
        double flops = 2.0 * m * n * k, tb = builtin[RUNS / 2], to = openblas[RUNS / 2];
        printf("%4d x %5d x %4d%s built-in %8.3f ms (%5.1f GFLOP/s), OpenBLAS %8.3f ms (%5.1f GFLOP/s), ratio %.2f, error %.1e\n",
               m, n, k, transposed ? " (B transposed)" : "               ", tb * 1e3, flops / tb * 1e-9, to * 1e3, flops / to * 1e-9,
               to / tb, error / (magnitude > 0 ? magnitude : 1));
        builtin_total += tb;
        openblas_total += to;
        free(a);
        free(b);
        free(c1);
        free(c2);
    }
    printf("built-in GEMM at %.0f%% of OpenBLAS single-thread sgemm over these shapes (time ratio %.2f)\n",
           100 * openblas_total / builtin_total, openblas_total / builtin_total);
    return 0;
}
