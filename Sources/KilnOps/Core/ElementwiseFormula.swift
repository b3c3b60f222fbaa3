import KilnIR

/// An operator whose every output element is a formula of one element of each input, each input
/// read at strides against the output's multi-index. Fusion composes such formulas into one loop:
/// chains of elementwise and broadcast operators, and epilogues after a GEMM or a convolution.
///
/// Elementwise unary and binary operators conform through their helper protocols; an operator
/// with per-channel operands (batch norm) gives its own strides.
public protocol ElementwiseFormula: Operator {
    /// For each input, the element strides (one per output axis) at which it is read against the
    /// output's multi-index: NumPy broadcasting by default (stride 0 along broadcast axes).
    func operandStrides(_ signature: OperatorSignature) -> [[Int]]
    /// The output element as a C `float` expression of the operand elements. Each operand is a
    /// plain C variable (the fused loop loads every value once), so the formula may repeat it.
    func cFormula(_ operands: [String], _ attributes: Attributes) -> String
}

extension ElementwiseFormula {
    public func operandStrides(_ signature: OperatorSignature) -> [[Int]] {
        signature.inputs.map { $0.shape.broadcastStrides(to: signature.output.shape) }
    }
}
