import KilnIR

// Elementwise functions: a free function and a method for each operator.

/// Negation, −x.
public func negated(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("neg", file: file, line: line)
}

/// Absolute value.
public func abs(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("abs", file: file, line: line)
}

/// Exponential.
public func exp(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("exp", file: file, line: line)
}

/// Natural logarithm.
public func log(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("log", file: file, line: line)
}

/// Square root.
public func sqrt(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("sqrt", file: file, line: line)
}

/// Reciprocal square root.
public func rsqrt(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("rsqrt", file: file, line: line)
}

/// Square.
public func square(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("square", file: file, line: line)
}

/// Reciprocal.
public func reciprocal(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("reciprocal", file: file, line: line)
}

/// Sine.
public func sin(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("sin", file: file, line: line)
}

/// Cosine.
public func cos(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("cos", file: file, line: line)
}

/// Rectified linear unit, max(0, x).
public func relu(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("relu", file: file, line: line)
}

/// Logistic sigmoid.
public func sigmoid(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("sigmoid", file: file, line: line)
}

/// Hyperbolic tangent.
public func tanh(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("tanh", file: file, line: line)
}

/// Error function.
public func erf(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("erf", file: file, line: line)
}

extension Tensor {
    /// Negation, −x.
    public func negated(file: String = #fileID, line: Int = #line) -> Tensor { apply("neg", file: file, line: line) }
    /// Absolute value.
    public func abs(file: String = #fileID, line: Int = #line) -> Tensor { apply("abs", file: file, line: line) }
    /// Exponential.
    public func exp(file: String = #fileID, line: Int = #line) -> Tensor { apply("exp", file: file, line: line) }
    /// Natural logarithm.
    public func log(file: String = #fileID, line: Int = #line) -> Tensor { apply("log", file: file, line: line) }
    /// Square root.
    public func sqrt(file: String = #fileID, line: Int = #line) -> Tensor { apply("sqrt", file: file, line: line) }
    /// Reciprocal square root.
    public func rsqrt(file: String = #fileID, line: Int = #line) -> Tensor { apply("rsqrt", file: file, line: line) }
    /// Square.
    public func square(file: String = #fileID, line: Int = #line) -> Tensor { apply("square", file: file, line: line) }
    /// Reciprocal.
    public func reciprocal(file: String = #fileID, line: Int = #line) -> Tensor { apply("reciprocal", file: file, line: line) }
    /// Sine.
    public func sin(file: String = #fileID, line: Int = #line) -> Tensor { apply("sin", file: file, line: line) }
    /// Cosine.
    public func cos(file: String = #fileID, line: Int = #line) -> Tensor { apply("cos", file: file, line: line) }
    /// Rectified linear unit, max(0, x).
    public func relu(file: String = #fileID, line: Int = #line) -> Tensor { apply("relu", file: file, line: line) }
    /// Logistic sigmoid.
    public func sigmoid(file: String = #fileID, line: Int = #line) -> Tensor { apply("sigmoid", file: file, line: line) }
    /// Hyperbolic tangent.
    public func tanh(file: String = #fileID, line: Int = #line) -> Tensor { apply("tanh", file: file, line: line) }
    /// Error function.
    public func erf(file: String = #fileID, line: Int = #line) -> Tensor { apply("erf", file: file, line: line) }
}

/// The largest integer not above x (its gradient is zero).
public func floor(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor { x.apply("floor", file: file, line: line) }

/// The smallest integer not below x (its gradient is zero).
public func ceil(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor { x.apply("ceil", file: file, line: line) }

/// x rounded to the nearest integer, halves to even (its gradient is zero).
public func round(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor { x.apply("round", file: file, line: line) }

extension Tensor {
    /// `floor` as a method.
    public func floor(file: String = #fileID, line: Int = #line) -> Tensor { apply("floor", file: file, line: line) }
    /// `ceil` as a method.
    public func ceil(file: String = #fileID, line: Int = #line) -> Tensor { apply("ceil", file: file, line: line) }
    /// `round` as a method.
    public func round(file: String = #fileID, line: Int = #line) -> Tensor { apply("round", file: file, line: line) }
}
