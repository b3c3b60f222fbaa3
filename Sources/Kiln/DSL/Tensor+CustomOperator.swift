import KilnIR
import KilnOps

extension Tensor {
    /// Applies an operator defined outside Kiln to `self` and `others`: it is registered with
    /// `OperatorRegistry.register` on first use, then built, differentiated, costed, emitted and
    /// interpreted like a built-in one. A mnemonic that clashes is recorded as the build error.
    ///
    /// ```swift
    /// struct Cube: UnaryElementwiseOperator { ... mnemonic "cube", apply, cExpression, derivative ... }
    /// let y = x.applying(Cube())
    /// ```
    public func applying(
        _ definition: any Operator, _ others: [Tensor] = [], attributes: Attributes = [:],
        file: String = #fileID, line: Int = #line
    ) -> Tensor {
        do {
            try OperatorRegistry.register(definition)
        } catch {
            context.record(error)
            return self
        }
        return apply(definition.mnemonic, others, attributes: attributes, file: file, line: line)
    }
}
