import KilnIR
import KilnOps
import KilnPasses
import Testing

/// Each rewriting pass, text in and text out (followed by dead-code elimination where the pass
/// leaves bypassed nodes behind).
@Suite struct RewritePassTests {
    @Test func constantFoldingEvaluatesConstantSubexpressions() throws {
        try expectRewrite([.constantFolding, .deadCodeElimination], """
            graph t {
              %0 = input() : f32[2] name="x"
              %1 = const() {value=f[2.0]} : f32[] name="two"
              %2 = const() {value=f[3.0]} : f32[] name="three"
              %3 = mul(%1, %2) : f32[] name="six"
              %4 = const() {value=f[0.0,1.0]} : f32[2] name="v"
              %5 = exp(%4) : f32[2] name="e"
              %6 = add(%0, %3) : f32[2] name="a"
              %7 = mul(%6, %5) : f32[2] name="y"
              output "y" = %7
            }
            """, """
            graph t {
              %0 = input() : f32[2] name="x"
              %1 = const() {value=f[6.0]} : f32[] name="six"
              %2 = const() {value=f[1.0,2.718281828459045]} : f32[2] name="e"
              %3 = add(%0, %1) : f32[2] name="a"
              %4 = mul(%3, %2) : f32[2] name="y"
              output "y" = %4
            }

            """)
    }

    @Test func constantFoldingStoresEqualElementsOnceAndLeavesLargeTensorsAndParameters() throws {
        try expectRewrite([.constantFolding, .deadCodeElimination], """
            graph t {
              %0 = const() {value=f[1.0]} : f32[100] name="ones"
              %1 = const() {value=f[2.0]} : f32[] name="two"
              %2 = add(%0, %1) : f32[100] name="threes"
              %3 = const() {value=f[0.0,1.0,2.0,3.0,4.0,5.0]} : f32[6] name="ramp"
              %4 = reshape(%3) {shape=[6,1]} : f32[6,1] name="column"
              %5 = add(%4, %3) : f32[6,6] name="table"
              %6 = param() : f32[100] name="w"
              %7 = mul(%6, %1) : f32[100] name="w2"
              %8 = add(%2, %7) : f32[100] name="y"
              output "y" = %8
              output "table" = %5
            }
            """, """
            graph t {
              %0 = const() {value=f[2.0]} : f32[] name="two"
              %1 = const() {value=f[3.0]} : f32[100] name="threes"
              %2 = const() {value=f[0.0,1.0,2.0,3.0,4.0,5.0]} : f32[6] name="ramp"
              %3 = const() {value=f[0.0,1.0,2.0,3.0,4.0,5.0]} : f32[6,1] name="column"
              %4 = add(%3, %2) : f32[6,6] name="table"
              %5 = param() : f32[100] name="w"
              %6 = mul(%5, %0) : f32[100] name="w2"
              %7 = add(%1, %6) : f32[100] name="y"
              output "y" = %7
              output "table" = %4
            }

            """, context: PassContext(maxFoldedElements: 8))
    }

    @Test func simplificationRemovesNeutralOperations() throws {
        try expectRewrite([.algebraicSimplification, .deadCodeElimination], """
            graph t {
              %0 = input() : f32[2,3] name="x"
              %1 = const() {value=f[1.0]} : f32[] name="one"
              %2 = const() {value=f[0.0]} : f32[3] name="zeros"
              %3 = mul(%0, %1) : f32[2,3] name="a"
              %4 = mul(%1, %3) : f32[2,3] name="b"
              %5 = add(%4, %2) : f32[2,3] name="c"
              %6 = sub(%5, %2) : f32[2,3] name="d"
              %7 = div(%6, %1) : f32[2,3] name="e"
              %8 = neg(%7) : f32[2,3] name="f"
              %9 = neg(%8) : f32[2,3] name="g"
              %10 = exp(%9) : f32[2,3] name="y"
              output "y" = %10
            }
            """, """
            graph t {
              %0 = input() : f32[2,3] name="x"
              %1 = exp(%0) : f32[2,3] name="y"
              output "y" = %1
            }

            """)
    }

    @Test func simplificationKeepsANeutralOperandThatBroadcasts() throws {
        let text = """
            graph t {
              %0 = input() : f32[3] name="x"
              %1 = const() {value=f[1.0]} : f32[2,3] name="ones"
              %2 = mul(%0, %1) : f32[2,3] name="y"
              output "y" = %2
            }

            """
        try expectRewrite([.algebraicSimplification, .deadCodeElimination], text, text)
    }

    @Test func simplificationCollapsesReshapeChains() throws {
        try expectRewrite([.algebraicSimplification, .deadCodeElimination], """
            graph t {
              %0 = input() : f32[2,6] name="x"
              %1 = reshape(%0) {shape=[3,4]} : f32[3,4] name="r1"
              %2 = reshape(%1) {shape=[-1]} : f32[12] name="r2"
              %3 = reshape(%2) {shape=[2,6]} : f32[2,6] name="r3"
              %4 = reshape(%3) {shape=[2,6]} : f32[2,6] name="r4"
              %5 = reshape(%1) {shape=[12,1]} : f32[12,1] name="r5"
              %6 = reshape(%5) {shape=[4,3]} : f32[4,3] name="r6"
              output "same" = %4
              output "other" = %6
            }
            """, """
            graph t {
              %0 = input() : f32[2,6] name="x"
              %1 = reshape(%0) {shape=[4,3]} : f32[4,3] name="r6"
              output "same" = %0
              output "other" = %1
            }

            """)
    }

    @Test func simplificationCollapsesTransposesAndRemovesNeutralExpands() throws {
        try expectRewrite([.algebraicSimplification, .deadCodeElimination], """
            graph t {
              %0 = input() : f32[2,3,4] name="x"
              %1 = transpose(%0) {perm=[1,2,0]} : f32[3,4,2] name="t1"
              %2 = transpose(%1) {perm=[2,0,1]} : f32[2,3,4] name="back"
              %3 = transpose(%1) {perm=[1,0,2]} : f32[4,3,2] name="t2"
              %4 = transpose(%0) {perm=[0,1,2]} : f32[2,3,4] name="identity"
              %5 = transpose(%0) : f32[4,3,2] name="reversed"
              %6 = transpose(%5) : f32[2,3,4] name="reversed_back"
              %7 = expand(%4) {shape=[2,3,4]} : f32[2,3,4] name="same"
              %8 = expand(%4) {shape=[5,2,3,4]} : f32[5,2,3,4] name="wider"
              %9 = add(%2, %6) : f32[2,3,4] name="sum"
              %10 = add(%9, %7) : f32[2,3,4] name="y"
              output "y" = %10
              output "t2" = %3
              output "wider" = %8
            }
            """, """
            graph t {
              %0 = input() : f32[2,3,4] name="x"
              %1 = transpose(%0) {perm=[2,1,0]} : f32[4,3,2] name="t2"
              %2 = expand(%0) {shape=[5,2,3,4]} : f32[5,2,3,4] name="wider"
              %3 = add(%0, %0) : f32[2,3,4] name="sum"
              %4 = add(%3, %0) : f32[2,3,4] name="y"
              output "y" = %4
              output "t2" = %1
              output "wider" = %2
            }

            """)
    }

    @Test func commonSubexpressionsMerge() throws {
        try expectRewrite([.commonSubexpressionElimination], """
            graph t {
              %0 = input() : f32[2] name="x"
              %1 = input() : f32[2] name="z"
              %2 = const() {value=f[2.0]} : f32[] name="two"
              %3 = const() {value=f[2.0]} : f32[] name="two_again"
              %4 = mul(%0, %2) : f32[2] name="a"
              %5 = mul(%3, %0) : f32[2] name="b"
              %6 = sub(%4, %5) : f32[2] name="c"
              %7 = sub(%5, %4) : f32[2] name="d"
              %8 = exp(%1) : f32[2] name="e"
              %9 = add(%6, %7) : f32[2] name="f"
              %10 = add(%9, %8) : f32[2] name="y"
              output "y" = %10
            }
            """, """
            graph t {
              %0 = input() : f32[2] name="x"
              %1 = input() : f32[2] name="z"
              %2 = const() {value=f[2.0]} : f32[] name="two"
              %3 = mul(%0, %2) : f32[2] name="a"
              %4 = sub(%3, %3) : f32[2] name="c"
              %5 = exp(%1) : f32[2] name="e"
              %6 = add(%4, %4) : f32[2] name="f"
              %7 = add(%6, %5) : f32[2] name="y"
              output "y" = %7
            }

            """)
    }

    @Test func commonSubexpressionsDifferingInAttributesOrInputsStay() throws {
        let text = """
            graph t {
              %0 = input() : f32[2,3] name="x"
              %1 = input() : f32[2,3] name="x2"
              %2 = reshape(%0) {shape=[3,2]} : f32[3,2] name="a"
              %3 = reshape(%0) {shape=[6]} : f32[6] name="b"
              %4 = exp(%0) : f32[2,3] name="c"
              %5 = exp(%1) : f32[2,3] name="d"
              output "a" = %2
              output "b" = %3
              output "c" = %4
              output "d" = %5
            }

            """
        try expectRewrite([.commonSubexpressionElimination], text, text)
    }

    @Test func deadCodeGoesButInputsParametersAndUpdatesStay() throws {
        try expectRewrite([.deadCodeElimination], """
            graph t {
              %0 = input() : f32[2] name="x"
              %1 = input() : f32[2] name="unused_input"
              %2 = param() : f32[2] name="w"
              %3 = param() : f32[2] name="unused_param"
              %4 = const() {value=f[1.0]} : f32[] name="one"
              %5 = exp(%0) : f32[2] name="dead"
              %6 = mul(%0, %2) : f32[2] name="y"
              %7 = add(%2, %4) : f32[2] name="w_next"
              %8 = sin(%5) : f32[2] name="dead_too"
              output "y" = %6
              update %2 = %7
            }
            """, """
            graph t {
              %0 = input() : f32[2] name="x"
              %1 = input() : f32[2] name="unused_input"
              %2 = param() : f32[2] name="w"
              %3 = param() : f32[2] name="unused_param"
              %4 = const() {value=f[1.0]} : f32[] name="one"
              %5 = mul(%0, %2) : f32[2] name="y"
              %6 = add(%2, %4) : f32[2] name="w_next"
              output "y" = %5
              update %2 = %6
            }

            """)
    }

    @Test func standardPipelineIsTheDocumentedList() {
        #expect(PassPipeline.standard.passes.map(\.id) == [
            "constant-folding", "algebraic-simplification", "common-subexpression-elimination", "pad-sum-concatenation",
            "batch-norm-folding",
            "dead-code-elimination", "winograd-selection",
        ])
    }
}

/// `pad-sum-concatenation`: the gradient of slices of one tensor becomes one concat.
@Suite struct PadSumConcatenationTests {
    @Test func disjointPadsWithAGapBecomeOneConcatWithZeros() throws {
        try expectRewrite([.padSumConcatenation, .deadCodeElimination], """
            graph t {
              %0 = input() : f32[2,1,3] name="a"
              %1 = input() : f32[2,2,3] name="b"
              %2 = input() : f32[2,1,3] name="c"
              %3 = pad(%0) {pads=[0,0,0,0,5,0]} : f32[2,6,3] name="pa"
              %4 = pad(%1) {pads=[0,4,0,0,0,0]} : f32[2,6,3] name="pb"
              %5 = pad(%2) {pads=[0,2,0,0,3,0]} : f32[2,6,3] name="pc"
              %6 = add(%3, %4) : f32[2,6,3] name="s1"
              %7 = add(%6, %5) : f32[2,6,3] name="y"
              output "y" = %7
            }
            """, """
            graph t {
              %0 = input() : f32[2,1,3] name="a"
              %1 = input() : f32[2,2,3] name="b"
              %2 = input() : f32[2,1,3] name="c"
              %3 = const() {value=f[0.0]} : f32[2,1,3] name="y.zeros"
              %4 = const() {value=f[0.0]} : f32[2,1,3] name="y.zeros_1"
              %5 = concat(%0, %3, %2, %4, %1) {axis=1} : f32[2,6,3] name="y"
              output "y" = %5
            }

            """)
    }

    @Test func overlappingNonZeroAndSharedPadsStay() throws {
        let overlapping = """
            graph t {
              %0 = input() : f32[2,2] name="a"
              %1 = input() : f32[2,2] name="b"
              %2 = pad(%0) {pads=[0,0,0,1]} : f32[2,3] name="pa"
              %3 = pad(%1) {pads=[0,1,0,0]} : f32[2,3] name="pb"
              %4 = add(%2, %3) : f32[2,3] name="y"
              output "y" = %4
            }
            """
        try expectRewrite([.padSumConcatenation], overlapping, overlapping + "\n")
        let filled = """
            graph t {
              %0 = input() : f32[2,1] name="a"
              %1 = input() : f32[2,1] name="b"
              %2 = pad(%0) {pads=[0,0,0,1], value=1.0} : f32[2,2] name="pa"
              %3 = pad(%1) {pads=[0,1,0,0]} : f32[2,2] name="pb"
              %4 = add(%2, %3) : f32[2,2] name="y"
              output "y" = %4
            }
            """
        try expectRewrite([.padSumConcatenation], filled, filled + "\n")
        let twoAxes = """
            graph t {
              %0 = input() : f32[1,1] name="a"
              %1 = input() : f32[1,1] name="b"
              %2 = pad(%0) {pads=[0,0,1,1]} : f32[2,2] name="pa"
              %3 = pad(%1) {pads=[1,1,0,0]} : f32[2,2] name="pb"
              %4 = add(%2, %3) : f32[2,2] name="y"
              output "y" = %4
            }
            """
        try expectRewrite([.padSumConcatenation], twoAxes, twoAxes + "\n")
    }

    @Test func anInnerSumReadElsewhereIsALeafThatIsNotAPad() throws {
        let shared = """
            graph t {
              %0 = input() : f32[1] name="a"
              %1 = input() : f32[1] name="b"
              %2 = input() : f32[1] name="c"
              %3 = pad(%0) {pads=[0,2]} : f32[3] name="pa"
              %4 = pad(%1) {pads=[1,1]} : f32[3] name="pb"
              %5 = pad(%2) {pads=[2,0]} : f32[3] name="pc"
              %6 = add(%3, %4) : f32[3] name="s"
              %7 = add(%6, %5) : f32[3] name="y"
              output "y" = %7
              output "s" = %6
            }
            """
        try expectRewrite([.padSumConcatenation, .deadCodeElimination], shared, """
            graph t {
              %0 = input() : f32[1] name="a"
              %1 = input() : f32[1] name="b"
              %2 = input() : f32[1] name="c"
              %3 = pad(%2) {pads=[2,0]} : f32[3] name="pc"
              %4 = const() {value=f[0.0]} : f32[1] name="s.zeros"
              %5 = concat(%0, %1, %4) {axis=0} : f32[3] name="s"
              %6 = add(%5, %3) : f32[3] name="y"
              output "y" = %6
              output "s" = %5
            }

            """)
    }
}
