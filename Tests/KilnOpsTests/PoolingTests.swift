import Foundation
import KilnIR
import KilnOps
import Testing

/// Known values of the pooling and resampling operators and their error messages (gradients:
/// GradientConformanceTests).
@Suite struct PoolingTests {
    /// The reference output of `op` on one input of `shape` holding `values`.
    private func evaluate(
        _ op: any Operator, _ shape: Shape, _ values: [Double], _ attributes: Attributes
    ) throws -> ReferenceTensor {
        let input = ReferenceTensor(shape: shape, values)
        let output = try op.inferType([input.type], attributes)
        return op.evaluate([input], OperatorSignature(inputs: [input.type], attributes: attributes, output: output))
    }

    private let counting = (1...16).map(Double.init)  // a 4×4 plane holding 1...16

    @Test func maxPoolingAndItsIndices() throws {
        let kernel: Attributes = ["kernel_size": .ints([2])]
        #expect(try evaluate(MaxPool2D(), [1, 1, 4, 4], counting, kernel).values == [6, 8, 14, 16])
        #expect(try evaluate(MaxPool2DIndices(), [1, 1, 4, 4], counting, kernel).values == [5, 7, 13, 15])
        let indices = try evaluate(MaxPool2DIndices(), [1, 1, 4, 4], counting, kernel)
        #expect(indices.type == TensorType(.int64, [1, 1, 2, 2]))
    }

    @Test func maxUnpoolingPutsTheMaximaBack() throws {
        let values = ReferenceTensor(shape: [1, 1, 2, 2], [6, 8, 14, 16])
        let indices = ReferenceTensor(TensorType(.int64, [1, 1, 2, 2]), [5, 7, 13, 15])
        let attributes: Attributes = ["output_size": .ints([4, 4])]
        let output = try MaxUnpool2D().inferType([values.type, indices.type], attributes)
        let y = MaxUnpool2D().evaluate(
            [values, indices], OperatorSignature(inputs: [values.type, indices.type], attributes: attributes, output: output))
        #expect(y.values == counting.map { [6, 8, 14, 16].contains($0) ? $0 : 0 })
    }

    @Test func ceilModeKeepsThePartialWindow() throws {
        #expect(try MaxPool2D().inferType([.f32(1, 1, 5, 5)], ["kernel_size": .ints([2])]).shape == [1, 1, 2, 2])
        let ceil: Attributes = ["kernel_size": .ints([2]), "ceil_mode": .bool(true)]
        #expect(try MaxPool2D().inferType([.f32(1, 1, 5, 5)], ceil).shape == [1, 1, 3, 3])
        // A window that would start in the end padding is dropped (PyTorch): 6 padded by 1, k 2, s 2.
        let padded: Attributes = ["kernel_size": .ints([2]), "padding": .ints([1]), "ceil_mode": .bool(true)]
        #expect(try MaxPool2D().inferType([.f32(1, 1, 6, 6)], padded).shape == [1, 1, 4, 4])
    }

    @Test func averagePoolingCountsPaddingOnRequest() throws {
        let ones = [Double](repeating: 1, count: 9)
        var attributes: Attributes = ["kernel_size": .ints([3]), "stride": .ints([1]), "padding": .ints([1])]
        let included = try evaluate(AvgPool2D(), [1, 1, 3, 3], ones, attributes).values
        #expect(included[0] == 4.0 / 9 && included[1] == 6.0 / 9 && included[4] == 1)
        attributes["count_include_pad"] = .bool(false)
        #expect(try evaluate(AvgPool2D(), [1, 1, 3, 3], ones, attributes).values == ones)
        attributes["divisor_override"] = .int(1)
        #expect(try evaluate(AvgPool2D(), [1, 1, 3, 3], ones, attributes).values == [4, 6, 4, 6, 9, 6, 4, 6, 4])
    }

    @Test func globalPoolingKeepsTheDimensions() throws {
        #expect(try evaluate(GlobalAvgPool(), [1, 1, 4, 4], counting, [:]).values == [8.5])
        #expect(try evaluate(GlobalMaxPool(), [1, 1, 4, 4], counting, [:]).values == [16])
        #expect(try GlobalAvgPool().inferType([.f32(2, 3, 7, 7)], [:]).shape == [2, 3, 1, 1])
    }

    @Test func adaptiveWindowsFollowPyTorch() throws {
        // 5 → 3: windows [0, 2), [1, 4), [3, 5).
        let y = try evaluate(AdaptiveAvgPool2D(), [1, 1, 1, 5], [1, 2, 3, 4, 5], ["output_size": .ints([1, 3])])
        #expect(y.values == [1.5, 3, 4.5])
    }

    @Test func powerSoftMixedAndStochasticPoolingOfOneWindow() throws {
        let window: Attributes = ["kernel_size": .ints([1, 2])]
        #expect(try evaluate(LpPool2D(), [1, 1, 1, 2], [3, 4], window).values == [5])
        var cubic = window
        cubic["p"] = .float(3)
        #expect(abs(try evaluate(LpPool2D(), [1, 1, 1, 2], [1, 2], cubic).values[0] - pow(9, 1.0 / 3)) < 1e-12)
        // Weights e^x / Σe^x = 1/4 and 3/4 for x = 0, ln 3.
        #expect(abs(try evaluate(SoftPool2D(), [1, 1, 1, 2], [0, log(3)], window).values[0] - 0.75 * log(3)) < 1e-12)
        var mixed = window
        mixed["lambda"] = .float(0.25)
        #expect(try evaluate(MixedPool2D(), [1, 1, 1, 2], [1, 3], mixed).values == [0.25 * 3 + 0.75 * 2])
        // p = x/Σx = 1/4, 3/4: y = 1/4 + 9/4 = 2.5; an all-zero window gives 0.
        #expect(try evaluate(StochasticPool2D(), [1, 1, 1, 4], [1, 3, 0, 0], window).values == [2.5, 0])
    }

    @Test func upsampling() throws {
        #expect(try evaluate(UpsampleNearest2D(), [1, 1, 1, 2], [1, 2], ["scale": .floats([1, 2])]).values == [1, 1, 2, 2])
        let aligned: Attributes = ["size": .ints([1, 4]), "align_corners": .bool(true)]
        #expect(try evaluate(UpsampleBilinear2D(), [1, 1, 1, 2], [0, 3], aligned).values == [0, 1, 2, 3])
        // Half-pixel centres: sources 0 (clamped from −0.25), 0.25, 0.75, 1.25 (clamped to the last element).
        let centred = try evaluate(UpsampleBilinear2D(), [1, 1, 1, 2], [0, 4], ["size": .ints([1, 4])])
        #expect(centred.values == [0, 1, 3, 4])
        #expect(try UpsampleNearest2D().inferType([.f32(1, 3, 5, 4)], ["scale": .floats([1.5, 2])]).shape == [1, 3, 7, 8])
    }

    @Test func errorMessages() {
        let cases: [(any Operator, [TensorType], Attributes, String)] = [
            (MaxPool2D(), [.f32(1, 1, 4, 4)], ["kernel_size": .ints([2]), "padding": .ints([2])],
             "input 0 of shape [1,1,4,4]: the window of output row 0 lies in the padding [2,2,2,2]; padding must be at most half the window"),
            (MaxPool2D(), [.f32(1, 1, 2, 3)], ["kernel_size": .ints([3])],
             "input 0 of shape [1,1,2,3] padded to 2x3 is smaller than the dilated window 3x3"),
            (MaxPool2D(), [.f32(1, 1, 4, 4)], [:], "missing attribute 'kernel_size'"),
            (MaxPool2D(), [.f32(1, 1, 4, 4)], ["kernel_size": .ints([2]), "ceil_mode": .int(1)],
             "attribute 'ceil_mode' is 1; expected true or false"),
            (UpsampleNearest2D(), [.f32(1, 1, 2, 2)], ["scale": .string("2")],
             "attribute 'scale' is \"2\"; expected a number or a list of numbers"),
            (LpPool2D(), [.f32(1, 1, 4, 4)], ["kernel_size": .ints([2]), "padding": .ints([1])],
             "lp_pool2d does not take attribute 'padding'"),
            (LpPool2D(), [.f32(1, 1, 4, 4)], ["kernel_size": .ints([2]), "p": .float(0)],
             "attribute 'p' must be a positive number, got 0.0"),
            (MixedPool2D(), [.f32(1, 1, 4, 4)], ["kernel_size": .ints([2]), "lambda": .float(1.5)],
             "attribute 'lambda' must be in [0, 1], got 1.5"),
            (AvgPool2D(), [.f32(1, 1, 4, 4)], ["kernel_size": .ints([2]), "divisor_override": .int(0)],
             "attribute 'divisor_override' must be at least 1, got 0"),
            (AvgPool2DBackward(), [.f32(1, 1, 3, 3)], ["kernel_size": .ints([2]), "input_size": .ints([4, 4])],
             "input 0 has shape [1,1,3,3]; expected [1,1,2,2], the pooling output for attribute 'input_size' [4,4]"),
            (MaxPool2DBackward(), [.f32(1, 1, 4, 4), .f32(1, 1, 3, 3)], ["kernel_size": .ints([2])],
             "input 1 has shape [1,1,3,3]; expected [1,1,2,2], the pooling output of input 0 of shape [1,1,4,4]"),
            (MaxUnpool2D(), [.f32(1, 1, 2, 2), .f32(1, 1, 2, 2)], ["output_size": .ints([4])],
             "input 1 is f32[1,1,2,2]; expected i64[1,1,2,2], one index per value of input 0"),
            (UpsampleNearest2D(), [.f32(1, 1, 2, 2)], ["size": .ints([4]), "scale": .float(2)],
             "upsample_nearest2d needs exactly one of the attributes 'size' and 'scale'"),
            (UpsampleBilinear2D(), [.f32(1, 1, 2, 2)], ["scale": .float(0.25)],
             "input 0 of shape [1,1,2,2]: attribute 'scale' f[0.25] leaves an empty output (0x0)"),
            (GlobalAvgPool(), [.f32(2, 3)], [:], "input 0 has shape [2,3]; expected rank 4 (N, C, H, W)"),
        ]
        for (op, inputs, attributes, message) in cases {
            #expect(throws: ShapeError(message)) { try op.inferType(inputs, attributes) }
        }
    }
}
