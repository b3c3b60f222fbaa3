import Foundation
import Kiln
import KilnModels
import Testing

/// The standalone C's built-in GEMM against a naive triple loop: every transpose combination, edge
/// sizes that are not multiples of the micro-panels, several blocks along k, alpha and beta.
@Suite struct StandaloneGEMMTests {
    static let check = #"""
        #include <stdio.h>
        #include "mlp.c"
        int main(void) {
            static const int sizes[][3] = {{1, 1, 1}, {7, 19, 300}, {13, 33, 129}, {6, 16, 128}, {50, 5, 3}};
            static float a[50 * 300], b[300 * 50], c[50 * 50], expected[50 * 50];
            double worst = 0;
            for (int s = 0; s < 5; s++) {
                int m = sizes[s][0], n = sizes[s][1], k = sizes[s][2];
                for (int ta = 0; ta < 2; ta++) for (int tb = 0; tb < 2; tb++) {
                    int lda = ta ? m + 1 : k + 2, ldb = tb ? k + 3 : n + 1, ldc = n + 2;
                    for (int i = 0; i < 50 * 300; i++) { a[i] = (float)(i % 17) / 17.0f - 0.4f; b[i] = (float)(i % 23) / 23.0f - 0.6f; }
                    for (int i = 0; i < 50 * 50; i++) c[i] = expected[i] = (float)(i % 7);
                    for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) {
                        double sum = 0;
                        for (int p = 0; p < k; p++) sum += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                        expected[i * ldc + j] = (float)(1.5 * sum + 0.5 * expected[i * ldc + j]);
                    }
                    cblas_sgemm(KILN_ROW_MAJOR, ta ? KILN_TRANS : KILN_NO_TRANS, tb ? KILN_TRANS : KILN_NO_TRANS, m, n, k, 1.5f,
                                a, lda, b, ldb, 0.5f, c, ldc);
                    for (int i = 0; i < 50 * 50; i++) {
                        double d = c[i] - expected[i];
                        if (d < 0) d = -d;
                        if (d > worst) worst = d;
                    }
                }
            }
            printf("%g\n", worst);
            return 0;
        }
        """#

    @Test(arguments: ["gcc -O3", "clang -O2", "tcc"])
    func matchesANaiveProductForEveryTransposeAndEdge(compiler: String) throws {
        let directory = try StandaloneTests.temporaryDirectory("gemm")
        defer { try? FileManager.default.removeItem(at: directory) }
        try MLP.mnist(batch: 2).standaloneProgram(name: "mlp").write(to: directory.path)
        try Data(Self.check.utf8).write(to: directory.appendingPathComponent("check.c"))
        let build = try StandaloneTests.shell("\(compiler) -std=c99 -o check check.c -lm", in: directory)
        #expect(build.status == 0, "\(build.output)")
        let run = try StandaloneTests.shell("./check", in: directory)
        let worst = try #require(Double(run.output.trimmingCharacters(in: .whitespacesAndNewlines)), "\(run.output)")
        #expect(worst < 1e-4, "largest difference \(worst)")
    }
}
