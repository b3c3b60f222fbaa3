import Foundation
import KilnIR

/// The error function, (2/√π)∫₀ˣ e^(−t²) dt (GELU uses it).
public struct Erf: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "erf" }
    public func apply(_ x: Double) -> Double { Foundation.erf(x) }
    public func cExpression(_ x: String) -> String { "kiln_erf(\(x))" }
    public var flopsPerElement: Int { 8 }
    /// (2/√π)·e^(−x²).
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        let gaussian = try context.add("exp", [try context.add("neg", [try context.add("square", [x])])])
        return try context.add("mul", [context.scalar(2 / Double.pi.squareRoot()), gaussian])
    }
}
