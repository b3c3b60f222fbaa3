import KilnIR

// Arithmetic with NumPy broadcasting. Operators cannot take the caller's line, so their nodes
// carry the location of the innermost layer call; the named methods (`x.adding(y)`) take it.

extension Tensor {
    /// Elementwise sum with broadcasting.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.apply("add", [rhs]) }
    /// Elementwise difference with broadcasting.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.apply("sub", [rhs]) }
    /// Elementwise product with broadcasting.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.apply("mul", [rhs]) }
    /// Elementwise quotient with broadcasting.
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.apply("div", [rhs]) }
    /// Negation.
    public static prefix func - (operand: Tensor) -> Tensor { operand.apply("neg") }

    /// Adds a scalar.
    public static func + (lhs: Tensor, rhs: Double) -> Tensor { lhs + lhs.scalar(rhs) }
    /// Adds to a scalar.
    public static func + (lhs: Double, rhs: Tensor) -> Tensor { rhs.scalar(lhs) + rhs }
    /// Subtracts a scalar.
    public static func - (lhs: Tensor, rhs: Double) -> Tensor { lhs - lhs.scalar(rhs) }
    /// Subtracts from a scalar.
    public static func - (lhs: Double, rhs: Tensor) -> Tensor { rhs.scalar(lhs) - rhs }
    /// Multiplies by a scalar.
    public static func * (lhs: Tensor, rhs: Double) -> Tensor { lhs * lhs.scalar(rhs) }
    /// Multiplies a scalar.
    public static func * (lhs: Double, rhs: Tensor) -> Tensor { rhs.scalar(lhs) * rhs }
    /// Divides by a scalar.
    public static func / (lhs: Tensor, rhs: Double) -> Tensor { lhs / lhs.scalar(rhs) }
    /// Divides a scalar.
    public static func / (lhs: Double, rhs: Tensor) -> Tensor { rhs.scalar(lhs) / rhs }

    /// Elementwise sum, recording the caller's line.
    public func adding(_ other: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
        apply("add", [other], file: file, line: line)
    }
    /// Elementwise difference, recording the caller's line.
    public func subtracting(_ other: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
        apply("sub", [other], file: file, line: line)
    }
    /// Elementwise product, recording the caller's line.
    public func multiplying(_ other: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
        apply("mul", [other], file: file, line: line)
    }
    /// Elementwise quotient, recording the caller's line.
    public func dividing(_ other: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
        apply("div", [other], file: file, line: line)
    }
    /// Elementwise power `self ** exponent` (base > 0).
    public func pow(_ exponent: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
        apply("pow", [exponent], file: file, line: line)
    }
    /// Elementwise power by a scalar exponent.
    public func pow(_ exponent: Double, file: String = #fileID, line: Int = #line) -> Tensor {
        apply("pow", [scalar(exponent)], file: file, line: line)
    }
}

/// Elementwise maximum with broadcasting.
public func maximum(_ a: Tensor, _ b: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    a.apply("maximum", [b], file: file, line: line)
}

/// Elementwise minimum with broadcasting.
public func minimum(_ a: Tensor, _ b: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    a.apply("minimum", [b], file: file, line: line)
}

/// Elementwise power with broadcasting.
public func pow(_ base: Tensor, _ exponent: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    base.pow(exponent, file: file, line: line)
}

/// `a` where `condition` is non-zero, `b` elsewhere, with broadcasting; `condition` is a float
/// mask or a `bool` tensor (a key-padding mask given as an input with `dtype: .bool`).
public func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    condition.apply("where", [a, b], file: file, line: line)
}

extension Tensor {
    /// 1 where `self == other`, else 0 (float32 mask).
    public func equal(_ other: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
        apply("equal", [other], file: file, line: line)
    }
    /// 1 where `self != other`, else 0.
    public func notEqual(_ other: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
        apply("not_equal", [other], file: file, line: line)
    }
    /// 1 where `self < other`, else 0.
    public func less(_ other: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
        apply("less", [other], file: file, line: line)
    }
    /// 1 where `self <= other`, else 0.
    public func lessEqual(_ other: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
        apply("less_equal", [other], file: file, line: line)
    }
    /// 1 where `self > other`, else 0.
    public func greater(_ other: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
        apply("greater", [other], file: file, line: line)
    }
    /// 1 where `self >= other`, else 0.
    public func greaterEqual(_ other: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
        apply("greater_equal", [other], file: file, line: line)
    }
}

extension Tensor {
    /// `maximum` as a method.
    public func maximum(_ other: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
        Kiln.maximum(self, other, file: file, line: line)
    }
    /// `minimum` as a method.
    public func minimum(_ other: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
        Kiln.minimum(self, other, file: file, line: line)
    }
    /// `where` as a method on the condition: `a` where `self` is non-zero, `b` elsewhere.
    public func selecting(_ a: Tensor, else b: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
        Kiln.where(self, a, b, file: file, line: line)
    }
}
