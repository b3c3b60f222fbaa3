import Foundation
import KilnIR

/// Log-softmax along `axis` (default -1): `y = (x - max) - log(sum(exp(x - max)))` over each row.
///
/// A primitive for numerics: composing `log(softmax(x))` loses every probability that
/// underflows to 0 (giving -∞), while the shifted form stays finite; it is what cross-entropy
/// losses build on. Rank 0 is rejected (no axis).
///
/// Gradient: `dy - exp(y) · sum(dy, axis, keepdims)`. Cost: 6 FLOPs per element (compare,
/// subtract, exp, add, two subtractions; exp counted as one) and one log per row.
public struct LogSoftmax: Operator {
    public init() {}
    public var mnemonic: String { "log_softmax" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .reduction }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try SoftmaxGeometry.inferType(self, inputs, attributes)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let geometry = try! SoftmaxGeometry(self, input: signature.inputs[0], attributes: signature.attributes)
        return ReferenceTensor(signature.output, geometry.mapRows(inputs[0].values) { row in
            let maximum = row.max() ?? 0
            let logTotal = Foundation.log(row.map { Foundation.exp($0 - maximum) }.reduce(0, +))
            return row.map { ($0 - maximum) - logTotal }
        })
    }

    public func emitC(_ kernel: inout KernelContext) {
        let geometry = try! SoftmaxGeometry(self, input: kernel.signature.inputs[0], attributes: kernel.attributes)
        geometry.emitC(&kernel, storesExponentials: false) { writer, position in
            writer.line("float shift = kiln_log(s0);")
            writer.loop("k", count: geometry.extent) { body in
                body.line("out[\(position("k"))] = (row[\(position("k"))] - m0) - shift;")
            }
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let count = signature.output.shape.elementCount
        let rows = try! SoftmaxGeometry(self, input: signature.inputs[0], attributes: signature.attributes)
        return OperatorCost(
            flops: 6 * count + rows.outer * rows.inner,
            bytesRead: signature.inputs[0].byteCount, bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let axis = context.node.attributes.int("axis", default: -1)
        let y = context.node.id, dy = context.outputGradient
        let total = try context.add("sum", [dy], attributes: ["axes": .ints([axis]), "keepdims": .bool(true)])
        let probabilities = try context.add("exp", [y])
        let spread = try context.add("mul", [probabilities, total])
        return [try context.add("sub", [dy, spread])]
    }

    public var testCases: [OperatorTestCase] { SoftmaxGeometry.testCases }
}
