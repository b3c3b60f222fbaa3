/* The clock and the sort order shared by the C benchmark drivers in Scripts/ (medians of runs). */
#ifndef KILN_BENCH_TIMING_H
#define KILN_BENCH_TIMING_H
#include <time.h>

/* Seconds on the monotonic clock. */
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* qsort's comparison for doubles in ascending order. */
static int ascending(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
#endif
