import KilnIR
import KilnRuntime
import Testing

@Suite struct TCCBackendTests {
    @Test func compilesAndCallsAFunction() throws {
        let module = try TCCBackend().compile(
            source: "float expf(float);\nfloat twice_exp(float x) { return 2.0f * expf(x); }\n", lineOwners: [])
        let address = try #require(module.symbol("twice_exp"))
        let function = unsafeBitCast(address, to: (@convention(c) (Float) -> Float).self)
        #expect(function(0) == 2)
        #expect(module.symbol("missing") == nil)
    }

    @Test func compileErrorShowsMessageLineContextAndNode() {
        let source = "void a(void) {}\nvoid b(float *y) {\n    y[0] = missing_value;\n}\nvoid c(void) {}\n"
        do {
            _ = try TCCBackend().compile(source: source, lineOwners: [nil, "relu_3", "relu_3", "relu_3", nil])
            Issue.record("expected a compile error")
        } catch {
            guard case .compile(let failure) = error else {
                Issue.record("expected .compile, got \(error)")
                return
            }
            #expect(failure.line == 3)
            #expect(failure.node == "relu_3")
            #expect(failure.compilerMessage.contains("3: error"))
            #expect(failure.context == [
                "      1 | void a(void) {}",
                "      2 | void b(float *y) {",
                ">     3 |     y[0] = missing_value;",
                "      4 | }",
                "      5 | void c(void) {}",
            ])
            #expect(error.description.hasPrefix("C compilation failed: <string>:3: error:"))
            #expect(error.description.contains("in the code of node 'relu_3'"))
        }
    }

    @Test func manyCompilesFromSeveralThreads() async throws {
        try await withThrowingTaskGroup(of: Float.self) { group in
            for index in 0..<8 {
                group.addTask {
                    let module = try TCCBackend().compile(source: "float f(void) { return \(index).0f; }", lineOwners: [])
                    let function = unsafeBitCast(module.symbol("f")!, to: (@convention(c) () -> Float).self)
                    return function()
                }
            }
            var total: Float = 0
            for try await value in group { total += value }
            #expect(total == 28)
        }
    }
}
