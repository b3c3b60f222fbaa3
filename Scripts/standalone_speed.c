/* Times NAME_run of one emitted standalone program with external weights (`make standalone-bench`):
 * prints the median of RUNS runs after one warm-up. Built from the program's folder with
 * -DNAME=net -DUPPER=NET -DINPUT=NET_X_ELEMENTS -DOUTPUT=NET_Y_ELEMENTS (one float input and one
 * float output, as the benchmark's models have) and run there, next to NAME.weights.bin. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define TEXT_(x) #x
#define TEXT(x) TEXT_(x)
#define JOIN_(a, b) a##b
#define JOIN(a, b) JOIN_(a, b)
#include TEXT(NAME.h)

enum { RUNS = 11 };

#include "bench_timing.h"

int main(void) {
    size_t weights_bytes = JOIN(UPPER, _WEIGHTS_BYTES);
    void *weights = malloc(weights_bytes + 1), *prepared = malloc(JOIN(UPPER, _PREPARED_BYTES) + 1);
    void *workspace = malloc(JOIN(UPPER, _WORKSPACE_BYTES) + 1);
    float *x = malloc(sizeof(float) * INPUT), *y = malloc(sizeof(float) * OUTPUT);
    FILE *f = fopen(TEXT(NAME) ".weights.bin", "rb");
    if (!weights || !prepared || !workspace || !x || !y || !f || fread(weights, 1, weights_bytes, f) != weights_bytes) return 1;
    fclose(f);
    for (long i = 0; i < (long)INPUT; i++) x[i] = (float)((i * 37) % 101) / 101.0f;
    if (JOIN(NAME, _init)(prepared, workspace, weights, weights_bytes) != 0) return 2;
    double times[RUNS];
    JOIN(NAME, _run)(weights, prepared, workspace, x, y);
    for (int r = 0; r < RUNS; r++) {
        double start = now();
        JOIN(NAME, _run)(weights, prepared, workspace, x, y);
        times[r] = now() - start;
    }
    qsort(times, RUNS, sizeof times[0], ascending);
    printf("%-18s %9.3f ms (median of %d; fastest %.3f), y[0] = %g\n", TEXT(NAME), times[RUNS / 2] * 1e3, RUNS, times[0] * 1e3, y[0]);
    return 0;
}
