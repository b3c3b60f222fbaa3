// Bridges libtcc to Swift: the parts Swift cannot import directly.
#ifndef KILN_TCC_H
#define KILN_TCC_H
#include <libtcc.h>
#include <math.h>
#include <string.h>

/// Relocates compiled code into memory that tcc allocates and owns.
/// `TCC_RELOCATE_AUTO` is a macro Swift cannot import, and newer tcc versions change
/// `tcc_relocate`'s signature, so the call lives here.
static inline int kiln_tcc_relocate(TCCState *state) {
#ifdef TCC_RELOCATE_AUTO
    return tcc_relocate(state, TCC_RELOCATE_AUTO);
#else
    return tcc_relocate(state);
#endif
}

/// Binds the libm and libc functions generated code may call.
/// Generated code declares their prototypes itself, so no header is parsed per compile.
static inline int kiln_tcc_add_libc_symbols(TCCState *s) {
    int failures = 0;
    failures += tcc_add_symbol(s, "expf", (const void *)expf) != 0;
    failures += tcc_add_symbol(s, "logf", (const void *)logf) != 0;
    failures += tcc_add_symbol(s, "sqrtf", (const void *)sqrtf) != 0;
    failures += tcc_add_symbol(s, "sinf", (const void *)sinf) != 0;
    failures += tcc_add_symbol(s, "cosf", (const void *)cosf) != 0;
    failures += tcc_add_symbol(s, "tanhf", (const void *)tanhf) != 0;
    failures += tcc_add_symbol(s, "erff", (const void *)erff) != 0;
    failures += tcc_add_symbol(s, "erfcf", (const void *)erfcf) != 0;
    failures += tcc_add_symbol(s, "powf", (const void *)powf) != 0;
    failures += tcc_add_symbol(s, "fabsf", (const void *)fabsf) != 0;
    failures += tcc_add_symbol(s, "floorf", (const void *)floorf) != 0;
    failures += tcc_add_symbol(s, "ceilf", (const void *)ceilf) != 0;
    failures += tcc_add_symbol(s, "log1pf", (const void *)log1pf) != 0;
    failures += tcc_add_symbol(s, "expm1f", (const void *)expm1f) != 0;
    failures += tcc_add_symbol(s, "fmaxf", (const void *)fmaxf) != 0;
    failures += tcc_add_symbol(s, "fminf", (const void *)fminf) != 0;
    failures += tcc_add_symbol(s, "memcpy", (const void *)memcpy) != 0;
    failures += tcc_add_symbol(s, "memset", (const void *)memset) != 0;
    return failures;
}
#endif
