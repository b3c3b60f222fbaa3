import KilnIR

/// `x` converted to element type `dtype`: a boolean mask input to the float32 mask of 0 and 1
/// that `where` and the comparisons use (`cast(mask, to: .float32)`), floats to integer indices
/// (rounded toward zero and saturated), anything to `bool` (nonzero is true).
public func cast(_ x: Tensor, to dtype: DType, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("cast", attributes: ["to": .string(dtype.rawValue)], file: file, line: line)
}

extension Tensor {
    /// `cast` as a method.
    public func cast(to dtype: DType, file: String = #fileID, line: Int = #line) -> Tensor {
        Kiln.cast(self, to: dtype, file: file, line: line)
    }
}
