import KilnIR

/// L1 regularization `λ·Σ|w|` over `parameters` (sub-gradient `λ·sign(w)`); drives weights to
/// exactly zero, acting as feature selection.
public func l1Regularization(_ parameters: [Tensor], lambda: Double, file: String = #fileID, line: Int = #line) -> Tensor {
    penalty(parameters, file: file, line: line) { $0.abs(file: file, line: line).sum(file: file, line: line) } * lambda
}

/// L2 regularization `½λ·Σw²` over `parameters` (gradient `λ·w`): with plain SGD this equals
/// weight decay λ; with Adam it does not (use AdamW's decoupled decay).
public func l2Regularization(_ parameters: [Tensor], lambda: Double, file: String = #fileID, line: Int = #line) -> Tensor {
    penalty(parameters, file: file, line: line) { $0.square(file: file, line: line).sum(file: file, line: line) } * (0.5 * lambda)
}

private func penalty(_ parameters: [Tensor], file: String, line: Int, _ term: (Tensor) -> Tensor) -> Tensor {
    guard let first = parameters.first else {
        preconditionFailure("a regularization term needs at least one parameter")
    }
    return parameters.dropFirst().reduce(term(first)) { $0 + term($1) }
}
