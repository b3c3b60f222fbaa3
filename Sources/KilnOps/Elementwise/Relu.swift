import Foundation
import KilnIR

/// Rectified linear unit, max(0, x). Kinked at 0 (sub-gradient 0 there); NaN stays NaN, as in PyTorch
/// and ONNX Runtime. The C is branch-free: the mask product gives -0 for a negative x, and adding
/// +0 turns it into +0 (IEEE: -0 + +0 = +0) while leaving every other value, NaN included, unchanged.
public struct Relu: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "relu" }
    public func apply(_ x: Double) -> Double { x > 0 || x.isNaN ? x : 0 }
    public func cExpression(_ x: String) -> String { "((\(x) * (\(x) > 0.0f)) + 0.0f)" }
    /// The mask x > 0 (0 at the kink).
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        try context.add("greater", [x, context.scalar(0)])
    }
}
