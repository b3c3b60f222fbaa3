/// The GEMM of native code built with OpenMP: `cblas_sgemm` split across OpenMP's threads, each
/// part a serial `cblas_sgemm`, so that one pool of threads runs the whole program.
///
/// Native code with OpenMP runs OpenBLAS on one thread (`kiln_set_threads` returns 1): OpenBLAS's
/// own workers spin for about 0.1 s after each threaded product, on the core the next OpenMP loop
/// needs, and a product called from inside a parallel loop (a Winograd kernel's products, a batch
/// of images) must not start threads of its own. Outside a parallel region a product of at least
/// `KILN_GEMM_SPLIT_WORK` multiply-adds is split along the longer of its output's two sides into
/// one part per thread, at multiples of 16 so that no part ends inside OpenBLAS's register
/// blocks; inside a region, or when small, it is one call. A part is a smaller OpenBLAS call,
/// which may round some elements differently (as OpenBLAS's own threads do), so results at
/// another thread count agree within rounding (`NativeThreadPoolTests`: 1e-6 of the norm).
/// tcc has no OpenMP: its code calls OpenBLAS as is, on the executable's thread count.
extension CPrelude {
    static let parallelGEMM = """
        #ifdef _OPENMP
        int omp_get_max_threads(void); int omp_in_parallel(void);
        #define KILN_GEMM_SPLIT_WORK 262144.0
        static __attribute__((unused)) void kiln_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha,
                                                       const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
            int parts = omp_in_parallel() ? 1 : omp_get_max_threads();
            int columns = n >= m;
            long extent = columns ? n : m, blocks = extent / 16;
            if ((double)m * n * k < KILN_GEMM_SPLIT_WORK) parts = 1;
            if (parts > blocks) parts = (int)blocks;
            if (parts <= 1) { cblas_sgemm(order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); return; }
            _Pragma("omp parallel for num_threads(parts)")
            for (int p = 0; p < parts; p++) {
                long first = blocks * p / parts * 16, last = p == parts - 1 ? extent : blocks * (p + 1) / parts * 16;
                if (columns) {
                    cblas_sgemm(order, transA, transB, m, (int)(last - first), k, alpha, a, lda,
                                b + (transB == KILN_TRANS ? first * ldb : first), ldb, beta, c + first, ldc);
                } else {
                    cblas_sgemm(order, transA, transB, (int)(last - first), n, k, alpha,
                                a + (transA == KILN_TRANS ? first : first * lda), lda, b, ldb, beta, c + first * ldc, ldc);
                }
            }
        }
        #define cblas_sgemm kiln_sgemm
        #endif
        """

    /// `int kiln_copy(void *to, const void *from, long bytes, int threads)`: copies between the
    /// caller's tensors and the arena on OpenMP's threads (slices of whole cache lines), the pool
    /// the kernels run on, whose workers are awake, and returns 1; built without OpenMP it returns
    /// 0 and the runtime copies itself (`ParallelCopy`).
    static let parallelCopy = """
        int kiln_copy(void *to, const void *from, long bytes, int threads) {
        #ifdef _OPENMP
            long slice = (bytes / (threads > 1 ? threads : 1) + 63) & ~63L;
            _Pragma("omp parallel for num_threads(threads)")
            for (int p = 0; p < threads; p++) {
                long start = p * slice, count = bytes - start < slice ? bytes - start : slice;
                if (count > 0) memcpy((unsigned char *)to + start, (const unsigned char *)from + start, (size_t)count);
            }
            return 1;
        #else
            (void)to; (void)from; (void)bytes; (void)threads;
            return 0;
        #endif
        }
        """
}
