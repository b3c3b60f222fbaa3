import KilnC
import KilnIR

/// Uniform random numbers in [0, 1) from a counter-based generator: element i of stream `stream`
/// under seed s is `mix(s, stream, i) >> 40` scaled by 2⁻²⁴, where `mix` is the SplitMix64
/// finalizer of `s ⊕ (stream·φ) + i·φ'`. No state: the same seed gives the same tensor in the C
/// and in the reference interpreter, bit for bit, so dropout masks are reproducible and a
/// resumed training run draws the masks the uninterrupted run drew.
///
/// Inputs: the seed, an i64 scalar, and optionally the example offset, an i64 scalar: the index in
/// the global batch of this batch's first row, when the output's first axis is a share of a batch
/// split across data-parallel ranks. Row r then draws the numbers row `offset + r` of the whole
/// batch draws (element i is element `i + offset·rowSize` of the stream), so the masks do not
/// depend on the rank count. Attributes: `shape` (the output shape), `stream` (an integer
/// separating the streams of different dropout sites). Not differentiable.
public struct RandomUniform: Operator {
    public init() {}
    public var mnemonic: String { "random_uniform" }
    public var arity: ClosedRange<Int> { 1...2 }
    public var fusionKind: FusionKind { .elementwise }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        guard inputs[0].dtype == .int64, inputs[0].shape.rank == 0 else {
            throw ShapeError("input 0 (the seed) is \(inputs[0]); expected an i64 scalar")
        }
        if inputs.count == 2, inputs[1].dtype != .int64 || inputs[1].shape.rank != 0 {
            throw ShapeError("input 1 (the example offset) is \(inputs[1]); expected an i64 scalar")
        }
        guard let shape = attributes.ints("shape"), shape.allSatisfy({ $0 >= 0 }) else {
            throw ShapeError("attribute 'shape' must list non-negative dimensions")
        }
        return TensorType(.float32, Shape(shape))
    }

    /// The generator in Swift; `emitC` writes the same arithmetic.
    static func value(seed: UInt64, stream: UInt64, index: UInt64) -> Double {
        var z = (seed ^ (stream &* 0x9E37_79B9_7F4A_7C15)) &+ (index &+ 1) &* 0xD1B5_4A32_D192_ED03
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 40) * 0x1.0p-24
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let seed = UInt64(bitPattern: TensorValue.saturatingInt64(inputs[0].values[0]))
        let stream = UInt64(bitPattern: Int64(signature.attributes.int("stream", default: 0)))
        let count = signature.output.shape.elementCount
        let first = inputs.count == 2
            ? UInt64(bitPattern: TensorValue.saturatingInt64(inputs[1].values[0])) &* UInt64(RandomUniform.rowSize(signature.output.shape))
            : 0
        return ReferenceTensor(signature.output, (0..<count).map { RandomUniform.value(seed: seed, stream: stream, index: first &+ UInt64($0)) })
    }

    public func emitC(_ kernel: inout KernelContext) {
        let stream = UInt64(bitPattern: Int64(kernel.attributes.int("stream", default: 0)))
        let output = kernel.output
        kernel.writer.line("unsigned long long base = (unsigned long long)\(kernel.inputs[0])[0] ^ (\(stream)ULL * 0x9E3779B97F4A7C15ULL);")
        let first = kernel.inputs.count == 2
            ? "(unsigned long long)\(kernel.inputs[1])[0] * \(RandomUniform.rowSize(kernel.signature.output.shape))ULL + " : ""
        kernel.writer.loop("i", count: kernel.signature.output.shape.elementCount) { body in
            body.line("unsigned long long z = base + (\(first)(unsigned long long)i + 1ULL) * 0xD1B54A32D192ED03ULL;")
            body.line("z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;")
            body.line("z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;")
            body.line("z ^= z >> 31;")
            body.line("\(output)[i] = (float)(z >> 40) * (1.0f / 16777216.0f);")
        }
    }

    /// The elements per row of the first axis (1 for a scalar).
    static func rowSize(_ shape: Shape) -> Int {
        shape.rank == 0 || shape[0] == 0 ? 1 : shape.elementCount / shape[0]
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        OperatorCost(flops: signature.output.shape.elementCount, bytesRead: 8, bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] { [nil] }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("vector", inputs: [.i64()], attributes: ["shape": .ints([7]), "stream": .int(3)], domain: -1000...1000, differentiable: false),
            OperatorTestCase("matrix", inputs: [.i64()], attributes: ["shape": .ints([4, 5])], domain: 0...5, differentiable: false),
            OperatorTestCase("scalar", inputs: [.i64()], attributes: ["shape": .ints([])], domain: 0...1, differentiable: false),
            OperatorTestCase("offset", inputs: [.i64(), .i64()], attributes: ["shape": .ints([3, 4]), "stream": .int(1)], domain: 0...64, differentiable: false),
        ]
    }
}
