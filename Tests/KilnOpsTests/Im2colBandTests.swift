import KilnCodegen
import KilnIR
@testable import KilnOps
import KilnTestSupport
import Testing

/// A convolution whose patch matrix is large runs im2col + GEMM a band of output rows at a time
/// through a bounded scratch, and computes the same output.
@Suite struct Im2colBandTests {
    /// 5×5 stride 2 with asymmetric padding and two groups over two images: 61 output rows in
    /// bands of 5 (the last one row), every band reading padding. The patch matrix (5.9 MB) is
    /// over the image lanes' budget, so the images run in one lane, banded.
    static let banded = OperatorTestCase(
        "banded", inputs: [.f32(2, 32, 121, 121), .f32(4, 16, 5, 5), .f32(4)],
        attributes: ["stride": .ints([2]), "padding": .ints([2, 1, 2, 3]), "groups": .int(2)])

    static func geometry(_ inputs: [TensorType], _ attributes: Attributes) throws -> ConvolutionGeometry {
        try Conv2D().geometry(inputs, attributes)
    }

    @Test func bandsMatchTheReferenceInterpreter() throws {
        let g = try Self.geometry(Self.banded.inputs, Self.banded.attributes)
        #expect(g.height.output == 61 && g.bandRows == 5 && g.imageLanes == 1)
        let graph = try OperatorHarness.graph(Conv2D(), Self.banded)
        let source = try CodeGenerator.generate(graph).source
        #expect(source.contains("for (long oh0 = 0; oh0 < 61; oh0 += 5) {"))
        // Sums of 400 products of values in [-2, 2]: float rounding reaches about 1e-4.
        let mismatch = try OperatorHarness.compare(Conv2D(), Self.banded, relative: 1e-4, absolute: 2e-4)
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test func theScratchIsOneBandOfThePatchMatrix() throws {
        // ResNet-18's first convolution: a 147 x 12544 matrix (7.4 MB) in bands of 7 rows of 112.
        let inputs: [TensorType] = [.f32(1, 3, 224, 224), .f32(64, 3, 7, 7)]
        let attributes: Attributes = ["stride": .ints([2]), "padding": .ints([3])]
        let g = try Self.geometry(inputs, attributes)
        #expect(g.columnBytes == 7_375_872)
        #expect(g.bandRows == 7 && g.bandColumnBytes == 460_992)
        let output = try Conv2D().inferType(inputs, attributes)
        #expect(Conv2D().scratchBytes(OperatorSignature(inputs: inputs, attributes: attributes, output: output)) == 460_992)
        // A band keeps at least 256 GEMM columns: 7x7 outputs of a 4608-row matrix stay one GEMM.
        let deep = try Self.geometry([.f32(1, 512, 7, 7), .f32(512, 512, 3, 3)], ["padding": .ints([1])])
        #expect(deep.bandRows == 7 && deep.bandColumnBytes == deep.columnBytes)
    }

    @Test func aSmallMatrixKeepsTheSingleGEMM() throws {
        let inputs: [TensorType] = [.f32(1, 8, 16, 16), .f32(16, 8, 3, 3)]
        let g = try Self.geometry(inputs, ["padding": .ints([1])])
        #expect(g.bandRows == 16 && g.bandColumnBytes == g.columnBytes)
        let graph = try OperatorHarness.graph(Conv2D(), OperatorTestCase("small", inputs: inputs, attributes: ["padding": .ints([1])]))
        let source = try CodeGenerator.generate(graph).source
        #expect(!source.contains("oh0") && source.contains("memset(column, 0, \(g.columnBytes));"))
    }
}
