import KilnCodegen
import KilnIR
import KilnOps
import KilnPasses
import KilnTestSupport
import Testing

/// Fusion and memory planning, text in and text out: each graph's fusion plan and memory plan as
/// printed, and the compiled program computing what the unoptimized one does.
@Suite struct PlanTests {
    /// Plans `graph` (no graph passes, so that the plans of exactly this graph show) and expects
    /// the printed fusion plan followed by the memory plan to be `expected`; also checks the
    /// memory plan and compares the compiled program with the unoptimized one.
    private func expectPlans(_ text: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let graph = try GraphParser.parse(text)
        try OperatorRegistry.verify(graph)
        let options = OptimizationOptions(pipeline: .none, fuse: true, planMemory: true, verifyAfterEachPass: true)
        let optimized = try GraphOptimizer.optimize(graph, options: options)
        let actual = optimized.fusion.text(for: optimized.graph) + optimized.memory.text(for: optimized.graph)
        expectSameLines(actual, expected, sourceLocation: sourceLocation)
        #expect(MemoryPlanChecker.violations(graph, fusion: optimized.fusion, memory: optimized.memory) == [],
                sourceLocation: sourceLocation)
        let parameters = Dictionary(uniqueKeysWithValues: graph.parameters.map {
            ($0.name, TensorValue.random($0.type, seed: UInt64($0.id.index)))
        })
        let feeds = (0..<2).map { run in
            Dictionary(uniqueKeysWithValues: graph.inputs.map { ($0.name, TensorValue.random($0.type, seed: UInt64(run * 10 + $0.id.index))) })
        }
        #expect(try OptimizationHarness.worstError(graph, parameters: parameters, feeds: feeds) <= 1e-5, sourceLocation: sourceLocation)
    }

    /// An elementwise chain becomes one loop that stores only its end.
    @Test func chain() throws {
        try expectPlans("""
            graph chain {
              %0 = input() : f32[4,6] name="x"
              %1 = exp(%0) : f32[4,6] name="e"
              %2 = neg(%1) : f32[4,6] name="n"
              %3 = sin(%2) : f32[4,6] name="y"
              output "y" = %3
            }
            """, """
            fusion plan 'chain': 3 computed nodes in 1 kernels, 0 views; bytes moved 576 unfused, 192 fused
              kernel 0 [exp+neg+sin] saves 384 bytes
                %1 exp 'e'
                %2 neg 'n'
                %3 sin 'y' stored
            memory plan 'chain': arena 256 bytes, lower bound (peak live) 256 bytes (arena/bound 1.0), naive sum 512 bytes
              2 buffers: 1 persistent, 0 written in place
              @0 128 bytes, persistent: %0 'x'
              @128 128 bytes, steps 0...1: %3 'y'

            """)
    }

    /// Bias and ReLU run in the GEMM kernel's epilogue, a residual add in the next GEMM's; a reduction and a broadcast consumer stay apart, and the last kernel writes over the residual in place.
    @Test func linear() throws {
        try expectPlans("""
            graph linear {
              %0 = input() : f32[4,8] name="x"
              %1 = param() : f32[8,6] name="w"
              %2 = param() : f32[6] name="b"
              %3 = matmul(%0, %1) : f32[4,6] name="mm"
              %4 = add(%3, %2) : f32[4,6] name="biased"
              %5 = relu(%4) : f32[4,6] name="h"
              %6 = param() : f32[6,6] name="w2"
              %7 = matmul(%5, %6) : f32[4,6] name="mm2"
              %8 = add(%7, %5) : f32[4,6] name="residual"
              %9 = sum(%8) {axes=[1], keepdims=true} : f32[4,1] name="total"
              %10 = mul(%8, %9) : f32[4,6] name="scaled"
              output "y" = %10
            }
            """, """
            fusion plan 'linear': 7 computed nodes in 4 kernels, 0 views; bytes moved 1768 unfused, 1576 fused
              kernel 0 [matmul+add+relu] saves 192 bytes
                %3 matmul 'mm' (primary)
                %4 add 'biased'
                %5 relu 'h' stored
                not fused with %7 matmul 'mm2': matmul reads its operands from memory (a GEMM or convolution takes no prologue)
              kernel 1 [matmul+add] saves 0 bytes
                %7 matmul 'mm2' (primary)
                %8 add 'residual' stored
                not fused with %5 relu 'h': matmul reads its operands from memory (a GEMM or convolution takes no prologue)
                not fused with %9 sum 'total': sum is a reduction; it reads its operand from memory
                not fused with %10 mul 'scaled': mul also reads %9 'total', which a later kernel computes
              kernel 2 [sum]
                %9 sum 'total' stored
                not fused with %8 add 'residual': sum is a reduction; it reads its operand from memory
                not fused with %10 mul 'scaled': mul has shape [4,6], the kernel loops over [4,1]
              kernel 3 [mul]
                %10 mul 'scaled' stored
                not fused with %9 sum 'total': mul has shape [4,6], the kernel loops over [4,1]
                not fused with %8 add 'residual': mul also reads %9 'total', which a later kernel computes
            memory plan 'linear': arena 832 bytes, lower bound (peak live) 832 bytes (arena/bound 1.0), naive sum 1408 bytes
              7 buffers: 4 persistent, 1 written in place
              @0 192 bytes, persistent: %1 'w'
              @192 192 bytes, persistent: %6 'w2'
              @384 128 bytes, persistent: %0 'x'
              @512 128 bytes, steps 0...1: %5 'h'
              @512 64 bytes, steps 2...3: %9 'total'
              @640 128 bytes, steps 1...4: %8 'residual', then %10 'scaled'
              @768 64 bytes, persistent: %2 'b'

            """)
    }

    /// A cheap value read by a later kernel is recomputed there rather than stored.
    @Test func recompute() throws {
        try expectPlans("""
            graph recompute {
              %0 = input() : f32[4,6] name="x"
              %1 = param() : f32[6,6] name="w"
              %2 = neg(%0) : f32[4,6] name="p"
              %3 = matmul(%0, %1) : f32[4,6] name="q"
              %4 = add(%3, %2) : f32[4,6] name="y"
              output "y" = %4
            }
            """, """
            fusion plan 'recompute': 3 computed nodes in 1 kernels, 0 views; bytes moved 816 unfused, 624 fused
              kernel 0 [matmul+neg+add] saves 192 bytes
                %3 matmul 'q' (primary)
                %2 neg 'p' recomputed
                %4 add 'y' stored
            memory plan 'recompute': arena 448 bytes, lower bound (peak live) 448 bytes (arena/bound 1.0), naive sum 704 bytes
              3 buffers: 2 persistent, 0 written in place
              @0 192 bytes, persistent: %1 'w'
              @192 128 bytes, persistent: %0 'x'
              @320 128 bytes, steps 0...1: %4 'y'

            """)
    }

    /// A reduction takes the elementwise kernel computing its input as its prologue (storing the value an output needs), and its elementwise consumer as its epilogue; a reshape is a view.
    @Test func prologue() throws {
        try expectPlans("""
            graph prologue {
              %0 = input() : f32[4,6] name="x"
              %1 = input() : f32[4,1] name="s"
              %2 = sub(%0, %1) : f32[4,6] name="d"
              %3 = square(%2) : f32[4,6] name="sq"
              %4 = mean(%3) {axes=[1], keepdims=true} : f32[4,1] name="var"
              %5 = rsqrt(%4) : f32[4,1] name="inv"
              %6 = reshape(%5) {shape=[4]} : f32[4] name="flat"
              output "inv" = %6
              output "d" = %2
            }
            """, """
            fusion plan 'prologue': 5 computed nodes in 1 kernels, 1 views; bytes moved 576 unfused, 256 fused
              kernel 0 [sub+square+mean+rsqrt] saves 288 bytes
                %2 sub 'd' stored
                %3 square 'sq'
                %4 mean 'var' (primary)
                %5 rsqrt 'inv' stored
              view %6 reshape 'flat' reads the buffer of %5 rsqrt 'inv'
            memory plan 'prologue': arena 384 bytes, lower bound (peak live) 384 bytes (arena/bound 1.0), naive sum 640 bytes
              4 buffers: 2 persistent, 0 written in place
              @0 128 bytes, persistent: %0 'x'
              @128 128 bytes, steps 0...1: %2 'd'
              @256 64 bytes, persistent: %1 's'
              @320 64 bytes, steps 0...1: %5 'inv'

            """)
    }

    /// A kernel reading a buffer for the last time, element by element, stores its result over it.
    @Test func barrier() throws {
        try expectPlans("""
            graph barrier {
              %0 = input() : f32[16,16] name="x"
              %1 = matmul(%0, %0) : f32[16,16] name="a"
              %2 = max(%1) {axes=[1], keepdims=true} : f32[16,1] name="m"
              %3 = sub(%1, %2) : f32[16,16] name="d"
              output "d" = %3
            }
            """, """
            fusion plan 'barrier': 3 computed nodes in 3 kernels, 0 views; bytes moved 6272 unfused, 6272 fused
              kernel 0 [matmul]
                %1 matmul 'a' stored
                not fused with %2 max 'm': max is a reduction; it reads its operand from memory
                not fused with %3 sub 'd': sub also reads %2 'm', which a later kernel computes
              kernel 1 [max]
                %2 max 'm' stored
                not fused with %1 matmul 'a': max is a reduction; it reads its operand from memory
                not fused with %3 sub 'd': sub has shape [16,16], the kernel loops over [16,1]
              kernel 2 [sub]
                %3 sub 'd' stored
                not fused with %2 max 'm': sub has shape [16,16], the kernel loops over [16,1]
                not fused with %1 matmul 'a': sub also reads %2 'm', which a later kernel computes
            memory plan 'barrier': arena 2112 bytes, lower bound (peak live) 2112 bytes (arena/bound 1.0), naive sum 3136 bytes
              3 buffers: 1 persistent, 1 written in place
              @0 1024 bytes, persistent: %0 'x'
              @1024 1024 bytes, steps 0...3: %1 'a', then %3 'd'
              @2048 64 bytes, steps 1...2: %2 'm'

            """)
    }

    /// Buffers whose lives do not overlap share the arena: three products need three buffers, not four.
    @Test func chain3() throws {
        try expectPlans("""
            graph chain3 {
              %0 = input() : f32[16,16] name="x"
              %1 = matmul(%0, %0) : f32[16,16] name="a"
              %2 = matmul(%1, %0) : f32[16,16] name="b"
              %3 = matmul(%2, %0) : f32[16,16] name="c"
              output "c" = %3
            }
            """, """
            fusion plan 'chain3': 3 computed nodes in 3 kernels, 0 views; bytes moved 9216 unfused, 9216 fused
              kernel 0 [matmul]
                %1 matmul 'a' stored
                not fused with %2 matmul 'b': matmul reads its operands from memory (a GEMM or convolution takes no prologue)
              kernel 1 [matmul]
                %2 matmul 'b' stored
                not fused with %1 matmul 'a': matmul reads its operands from memory (a GEMM or convolution takes no prologue)
                not fused with %3 matmul 'c': matmul reads its operands from memory (a GEMM or convolution takes no prologue)
              kernel 2 [matmul]
                %3 matmul 'c' stored
                not fused with %2 matmul 'b': matmul reads its operands from memory (a GEMM or convolution takes no prologue)
            memory plan 'chain3': arena 3072 bytes, lower bound (peak live) 3072 bytes (arena/bound 1.0), naive sum 4096 bytes
              4 buffers: 1 persistent, 0 written in place
              @0 1024 bytes, persistent: %0 'x'
              @1024 1024 bytes, steps 0...1: %1 'a'
              @1024 1024 bytes, steps 2...3: %3 'c'
              @2048 1024 bytes, steps 1...2: %2 'b'

            """)
    }

    /// A state update is computed directly into the parameter's buffer once nothing reads the old value.
    @Test func sgd() throws {
        try expectPlans("""
            graph sgd {
              %0 = input() : f32[4] name="g"
              %1 = param() : f32[4] name="w"
              %2 = const() {value=f[0.1]} : f32[] name="lr"
              %3 = mul(%1, %1) : f32[4] name="y"
              %4 = mul(%0, %2) : f32[4] name="step"
              %5 = sub(%1, %4) : f32[4] name="w_next"
              output "y" = %3
              update %1 = %5
            }
            """, """
            fusion plan 'sgd': 3 computed nodes in 2 kernels, 0 views; bytes moved 132 unfused, 84 fused
              kernel 0 [mul]
                %3 mul 'y' stored
              kernel 1 [mul+sub] saves 32 bytes
                %4 mul 'step'
                %5 sub 'w_next' stored
            memory plan 'sgd': arena 256 bytes, lower bound (peak live) 256 bytes (arena/bound 1.0), naive sum 384 bytes
              4 buffers: 3 persistent, 1 written in place
              @0 64 bytes, persistent: %0 'g'
              @64 64 bytes, persistent: %1 'w', then %5 'w_next'
              @128 64 bytes, persistent: %2 'lr'
              @192 64 bytes, steps 0...2: %3 'y'

            """)
    }

    /// The kernels store a concatenation's inputs straight into its buffer; it needs no kernel.
    @Test func concatenationAssembledInPlace() throws {
        try expectPlans("""
            graph concat {
              %0 = input() : f32[1,2,4] name="x"
              %1 = exp(%0) : f32[1,2,4] name="a"
              %2 = neg(%0) : f32[1,2,4] name="b"
              %3 = concat(%1, %2) {axis=1} : f32[1,4,4] name="c"
              %4 = sin(%3) : f32[1,4,4] name="y"
              %5 = reshape(%3) {shape=[16]} : f32[16] name="flat"
              output "y" = %4
              output "flat" = %5
            }
            """, """
            fusion plan 'concat': 5 computed nodes in 3 kernels, 1 views; bytes moved 512 unfused, 256 fused
              kernel 0 [exp]
                %1 exp 'a' stored
              kernel 1 [neg]
                %2 neg 'b' stored
              kernel 2 [sin]
                %4 sin 'y' stored
              view %5 reshape 'flat' reads the buffer of %3 concat 'c'
              %3 concat 'c' is assembled in place: its inputs are stored into it (%1 at byte 0, %2 at byte 32)
            memory plan 'concat': arena 192 bytes, lower bound (peak live) 192 bytes (arena/bound 1.0), naive sum 384 bytes
              3 buffers: 1 persistent, 0 written in place, 1 concatenations assembled in place
              @0 64 bytes, persistent: %0 'x'
              @64 64 bytes, steps 0...3: %1 'a' beside %2 'b'
              @128 64 bytes, steps 2...3: %4 'y'

            """)
    }

    @Test func checkerReportsOverlappingLiveBuffers() throws {
        let graph = try GraphParser.parse("""
            graph chain3 {
              %0 = input() : f32[16,16] name="x"
              %1 = matmul(%0, %0) : f32[16,16] name="a"
              %2 = matmul(%1, %0) : f32[16,16] name="b"
              %3 = matmul(%2, %0) : f32[16,16] name="c"
              output "c" = %3
            }
            """)
        let optimized = try GraphOptimizer.optimize(graph)
        var memory = optimized.memory
        memory.offsets[2] = memory.offsets[1]
        #expect(MemoryPlanChecker.violations(optimized.graph, fusion: optimized.fusion, memory: memory) == [
            "%1 'a' (steps 0...1, bytes 1024..<2048) and %2 'b' (steps 1...2, bytes 1024..<2048) overlap while both are live",
            "%2 'b' (steps 1...2, bytes 1024..<2048) and %3 'c' (steps 2...3, bytes 1024..<2048) overlap while both are live",
        ])
        memory.offsets[2] = 4096
        #expect(MemoryPlanChecker.violations(optimized.graph, fusion: optimized.fusion, memory: memory) == [
            "%2 'b' at 4096..<5120 lies outside the arena of 3072 bytes",
        ])
        #expect(throws: KilnError.invalidGraph(
            "memory plan of 'chain3' is unsafe: %2 'b' at 4096..<5120 lies outside the arena of 3072 bytes"
        )) {
            try MemoryPlanChecker.check(optimized.graph, fusion: optimized.fusion, memory: memory)
        }
    }

    @Test func epilogueRunsInPlaceAfterTheGemmCall() throws {
        let graph = try GraphParser.parse("""
            graph linear {
              %0 = input() : f32[4,8] name="x"
              %1 = param() : f32[8,6] name="w"
              %2 = param() : f32[6] name="b"
              %3 = matmul(%0, %1) : f32[4,6] name="mm"
              %4 = add(%3, %2) : f32[4,6] name="biased"
              %5 = relu(%4) : f32[4,6] name="h"
              output "h" = %5
            }
            """)
        let optimized = try GraphOptimizer.optimize(graph)
        let source = try CodeGenerator.generate(optimized.graph, fusion: optimized.fusion, memory: optimized.memory).source
        let kernel = try #require(source.range(of: "static void k000_matmul_add_relu(")).lowerBound
        let body = String(source[kernel...]).components(separatedBy: "\n\n")[0]
        #expect(body.components(separatedBy: "cblas_sgemm(").count == 2)
        #expect(body.contains("""
                    for (long i1 = 0; i1 < 6; i1++) {
                        float a0 = x2[i1];
                        float v3 = y0[i0*6 + i1];
                        float v4 = (v3 + a0);
                        float v5 = (v4 > 0.0f || v4 != v4 ? v4 : 0.0f);
                        y0[i0*6 + i1] = v5;
                    }
            """))
        #expect(!source.contains("k001"))
    }
}
