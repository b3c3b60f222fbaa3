// OpenBLAS's CBLAS interface, for the JIT to bind `cblas_sgemm` into generated code.
#ifndef KILN_OPENBLAS_H
#define KILN_OPENBLAS_H
#include <cblas.h>

/// The address of `cblas_sgemm`, for `tcc_add_symbol`.
static inline const void *kiln_cblas_sgemm_address(void) { return (const void *)cblas_sgemm; }

/// Sets OpenBLAS's thread count.
static inline void kiln_openblas_set_threads(int count) { openblas_set_num_threads(count); }

/// The name of the kernels OpenBLAS runs (`Haswell`, `SkylakeX`; `OPENBLAS_CORETYPE` chooses them).
static inline const char *kiln_openblas_core(void) { return openblas_get_corename(); }

/// OpenBLAS's current thread count.
static inline int kiln_openblas_threads(void) { return openblas_get_num_threads(); }
#endif
