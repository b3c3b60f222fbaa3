import KilnIR

/// Arithmetic on attribute values inside shape rules. Input dimensions are bounded by
/// `TensorSizeLimit`, but an attribute can hold any `Int`, so a sum or product with one can
/// overflow: these turn that into a `ShapeError` instead of a trap.

/// The sum of `terms`, or a `ShapeError` with `message` when it overflows.
func checkedSum(_ terms: Int..., otherwise message: @autoclosure () -> String) throws(ShapeError) -> Int {
    var total = 0
    for term in terms {
        let (next, overflow) = total.addingReportingOverflow(term)
        guard !overflow else { throw ShapeError(message()) }
        total = next
    }
    return total
}

/// The product of `factors`, or a `ShapeError` with `message` when it overflows.
func checkedProduct(_ factors: Int..., otherwise message: @autoclosure () -> String) throws(ShapeError) -> Int {
    var total = 1
    for factor in factors {
        let (next, overflow) = total.multipliedReportingOverflow(by: factor)
        guard !overflow else { throw ShapeError(message()) }
        total = next
    }
    return total
}
