import Foundation
import KilnIR

/// Softmax along `axis` (default -1): `y = exp(x - max) / sum(exp(x - max))` over each row.
///
/// A primitive for numerics and speed: subtracting the row maximum keeps `exp` from
/// overflowing, and one kernel makes the three passes over each row (maximum, sum of
/// exponentials, scale) without materializing intermediates. Rank 0 is rejected (no axis).
///
/// Gradient: `y · (dy - sum(dy · y, axis, keepdims))`. Cost: 5 FLOPs per element (compare,
/// subtract, exp, add, scale; exp counted as one) and one division per row.
public struct Softmax: Operator {
    public init() {}
    public var mnemonic: String { "softmax" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .reduction }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try SoftmaxGeometry.inferType(self, inputs, attributes)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let geometry = try! SoftmaxGeometry(self, input: signature.inputs[0], attributes: signature.attributes)
        return ReferenceTensor(signature.output, geometry.mapRows(inputs[0].values) { row in
            let maximum = row.max() ?? 0
            let exponentials = row.map { Foundation.exp($0 - maximum) }
            let total = exponentials.reduce(0, +)
            return exponentials.map { $0 / total }
        })
    }

    public func emitC(_ kernel: inout KernelContext) {
        let geometry = try! SoftmaxGeometry(self, input: kernel.signature.inputs[0], attributes: kernel.attributes)
        geometry.emitC(&kernel, storesExponentials: true) { writer, position in
            writer.line("float scale = 1.0f / s0;")
            writer.loop("k", count: geometry.extent) { body in
                body.line("out[\(position("k"))] *= scale;")
            }
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let count = signature.output.shape.elementCount
        let rows = try! SoftmaxGeometry(self, input: signature.inputs[0], attributes: signature.attributes)
        return OperatorCost(
            flops: 5 * count + rows.outer * rows.inner,
            bytesRead: signature.inputs[0].byteCount, bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let axis = context.node.attributes.int("axis", default: -1)
        let y = context.node.id, dy = context.outputGradient
        let weighted = try context.add("mul", [dy, y])
        let projection = try context.add("sum", [weighted], attributes: ["axes": .ints([axis]), "keepdims": .bool(true)])
        let centered = try context.add("sub", [dy, projection])
        return [try context.add("mul", [y, centered])]
    }

    public var testCases: [OperatorTestCase] { SoftmaxGeometry.testCases }
}
