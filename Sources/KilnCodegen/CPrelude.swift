/// The declarations every generated translation unit starts with.
///
/// The JIT flavour declares the few libm/libc functions and `cblas_sgemm` itself instead of
/// including headers: tcc cannot parse `<cblas.h>` without help, and `<math.h>` costs about 3 ms
/// per compile. The runtime binds each declared symbol with `tcc_add_symbol`. It also defines
/// `kiln_collective_hook`, the function pointer the collective kernels (`allreduce_mean`,
/// `allreduce_start`, `allreduce_wait`) and, while an exchange is in flight, the driver between
/// kernels call (null unless the runtime binds it for distributed training).
enum CPrelude {
    static let jit = """
        typedef int int32_t;
        typedef long long int64_t;
        typedef unsigned char uint8_t;
        typedef unsigned long size_t;
        float expf(float); float logf(float); float sqrtf(float); float sinf(float); float cosf(float);
        float tanhf(float); float erff(float); float erfcf(float); float powf(float, float); float fabsf(float);
        float floorf(float); float ceilf(float); float log1pf(float); float expm1f(float);
        float fmaxf(float, float); float fminf(float, float);
        void *memcpy(void *, const void *, size_t); void *memset(void *, int, size_t);
        void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha,
                         const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
        enum { KILN_ALLREDUCE = 0, KILN_ALLREDUCE_START = 1, KILN_ALLREDUCE_WAIT = 2, KILN_COLLECTIVE_PROGRESS = 3 };
        void (*kiln_collective_hook)(int operation, float *buffer, float *result, long long count) = 0;
        """

    static let common = """
        #define KILN_RESTRICT restrict
        #define KILN_INFINITY (1e30f * 1e30f)
        #define KILN_NAN (KILN_INFINITY * 0.0f)
        enum { KILN_ROW_MAJOR = 101, KILN_NO_TRANS = 111, KILN_TRANS = 112 };
        """
}
