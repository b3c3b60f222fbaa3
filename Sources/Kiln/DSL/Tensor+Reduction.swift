import KilnIR

extension Tensor {
    private func reduce(_ op: String, _ axes: [Int]?, _ keepDims: Bool, _ file: String, _ line: Int) -> Tensor {
        var attributes: Attributes = ["keepdims": .bool(keepDims)]
        if let axes { attributes["axes"] = .ints(axes) }
        return apply(op, attributes: attributes, file: file, line: line)
    }

    /// Sum over `axes` (all when nil).
    public func sum(axes: [Int]? = nil, keepDims: Bool = false, file: String = #fileID, line: Int = #line) -> Tensor {
        reduce("sum", axes, keepDims, file, line)
    }
    /// Mean over `axes` (all when nil).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false, file: String = #fileID, line: Int = #line) -> Tensor {
        reduce("mean", axes, keepDims, file, line)
    }
    /// Maximum over `axes` (all when nil).
    public func max(axes: [Int]? = nil, keepDims: Bool = false, file: String = #fileID, line: Int = #line) -> Tensor {
        reduce("max", axes, keepDims, file, line)
    }
    /// Minimum over `axes` (all when nil).
    public func min(axes: [Int]? = nil, keepDims: Bool = false, file: String = #fileID, line: Int = #line) -> Tensor {
        reduce("min", axes, keepDims, file, line)
    }
    /// Index of the maximum along `axis` (int64; the first on ties).
    public func argmax(axis: Int, keepDims: Bool = false, file: String = #fileID, line: Int = #line) -> Tensor {
        reduce("argmax", [axis], keepDims, file, line)
    }
    /// Softmax along `axis`, computed stably (the maximum is subtracted first).
    public func softmax(axis: Int = -1, file: String = #fileID, line: Int = #line) -> Tensor {
        apply("softmax", attributes: ["axis": .int(axis)], file: file, line: line)
    }
    /// Log-softmax along `axis`, computed stably.
    public func logSoftmax(axis: Int = -1, file: String = #fileID, line: Int = #line) -> Tensor {
        apply("log_softmax", attributes: ["axis": .int(axis)], file: file, line: line)
    }
}

/// Softmax along `axis`.
public func softmax(_ x: Tensor, axis: Int = -1, file: String = #fileID, line: Int = #line) -> Tensor {
    x.softmax(axis: axis, file: file, line: line)
}

/// Log-softmax along `axis`.
public func logSoftmax(_ x: Tensor, axis: Int = -1, file: String = #fileID, line: Int = #line) -> Tensor {
    x.logSoftmax(axis: axis, file: file, line: line)
}

/// Sum over `axes` (all when nil).
public func sum(_ x: Tensor, axes: [Int]? = nil, keepDims: Bool = false, file: String = #fileID, line: Int = #line) -> Tensor {
    x.sum(axes: axes, keepDims: keepDims, file: file, line: line)
}

/// Mean over `axes` (all when nil).
public func mean(_ x: Tensor, axes: [Int]? = nil, keepDims: Bool = false, file: String = #fileID, line: Int = #line) -> Tensor {
    x.mean(axes: axes, keepDims: keepDims, file: file, line: line)
}

/// Maximum over `axes` (all when nil); `maximum(a, b)` is the elementwise one.
public func max(_ x: Tensor, axes: [Int]? = nil, keepDims: Bool = false, file: String = #fileID, line: Int = #line) -> Tensor {
    x.max(axes: axes, keepDims: keepDims, file: file, line: line)
}

/// Minimum over `axes` (all when nil); `minimum(a, b)` is the elementwise one.
public func min(_ x: Tensor, axes: [Int]? = nil, keepDims: Bool = false, file: String = #fileID, line: Int = #line) -> Tensor {
    x.min(axes: axes, keepDims: keepDims, file: file, line: line)
}

/// Index of the maximum along `axis` (int64; the first on ties).
public func argmax(_ x: Tensor, axis: Int, keepDims: Bool = false, file: String = #fileID, line: Int = #line) -> Tensor {
    x.argmax(axis: axis, keepDims: keepDims, file: file, line: line)
}
