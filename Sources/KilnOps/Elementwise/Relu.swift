import Foundation
import KilnIR

/// Rectified linear unit, max(0, x). Kinked at 0 (sub-gradient 0 there); NaN stays NaN, as in PyTorch
/// and ONNX Runtime; -inf gives 0. The C is one select (branch-free once vectorized): x where
/// x > 0 or x is NaN, else +0 (a mask product would make -inf times 0 a NaN).
public struct Relu: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "relu" }
    public func apply(_ x: Double) -> Double { x > 0 || x.isNaN ? x : 0 }
    public func cExpression(_ x: String) -> String { "(\(x) > 0.0f || \(x) != \(x) ? \(x) : 0.0f)" }
    /// The mask x > 0 (0 at the kink).
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        try context.add("greater", [x, context.scalar(0)])
    }
}
