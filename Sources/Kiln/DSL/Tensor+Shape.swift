import KilnIR

extension Tensor {
    /// The same elements under a new shape; one dimension may be -1 (inferred).
    public func reshaped(_ shape: [Int], file: String = #fileID, line: Int = #line) -> Tensor {
        apply("reshape", attributes: ["shape": .ints(shape)], file: file, line: line)
    }

    /// Permutes the axes (`perm[i]` is the input axis that becomes axis i); reverses them when nil.
    public func transposed(_ perm: [Int]? = nil, file: String = #fileID, line: Int = #line) -> Tensor {
        apply("transpose", attributes: perm.map { ["perm": .ints($0)] } ?? [:], file: file, line: line)
    }

    /// Broadcasts to `shape` (NumPy rules).
    public func expanded(to shape: [Int], file: String = #fileID, line: Int = #line) -> Tensor {
        apply("expand", attributes: ["shape": .ints(shape)], file: file, line: line)
    }

    /// Elements `starts[i] ..< ends[i]` (step `steps[i]`) along `axes[i]` (all axes in order when nil).
    public func sliced(
        starts: [Int], ends: [Int], axes: [Int]? = nil, steps: [Int]? = nil,
        file: String = #fileID, line: Int = #line
    ) -> Tensor {
        var attributes: Attributes = ["starts": .ints(starts), "ends": .ints(ends)]
        if let axes { attributes["axes"] = .ints(axes) }
        if let steps { attributes["steps"] = .ints(steps) }
        return apply("slice", attributes: attributes, file: file, line: line)
    }

    /// Pads with a constant: `pads` is `[before_0, ..., before_{r-1}, after_0, ..., after_{r-1}]`.
    public func padded(_ pads: [Int], value: Double = 0, file: String = #fileID, line: Int = #line) -> Tensor {
        apply("pad", attributes: ["pads": .ints(pads), "value": .float(value)], file: file, line: line)
    }

    /// Rows (or slices along `axis`) picked by integer `indices`: an embedding lookup on axis 0.
    public func gathered(_ indices: Tensor, axis: Int = 0, file: String = #fileID, line: Int = #line) -> Tensor {
        apply("gather", [indices], attributes: ["axis": .int(axis)], file: file, line: line)
    }

    /// Flattens every axis from `axis` on into one: `[N, C, H, W]` → `[N, C·H·W]` for axis 1.
    public func flattened(from axis: Int = 1, file: String = #fileID, line: Int = #line) -> Tensor {
        let dims = shape.dimensions
        let split = Swift.max(0, Swift.min(axis, dims.count))
        return reshaped(dims[..<split] + [dims[split...].reduce(1, *)], file: file, line: line)
    }
}

/// Concatenates tensors along `axis`.
public func concat(_ tensors: [Tensor], axis: Int, file: String = #fileID, line: Int = #line) -> Tensor {
    guard let first = tensors.first else {
        preconditionFailure("concat needs at least one tensor")
    }
    return first.apply("concat", Array(tensors.dropFirst()), attributes: ["axis": .int(axis)], file: file, line: line)
}

extension Tensor {
    /// Concatenates `self` and `others` along `axis`.
    public func concatenated(with others: [Tensor], axis: Int, file: String = #fileID, line: Int = #line) -> Tensor {
        concat([self] + others, axis: axis, file: file, line: line)
    }
}

/// `x` under a new shape; one dimension may be -1 (inferred).
public func reshape(_ x: Tensor, _ shape: [Int], file: String = #fileID, line: Int = #line) -> Tensor {
    x.reshaped(shape, file: file, line: line)
}

/// Permutes the axes of `x` (reverses them when `perm` is nil).
public func transpose(_ x: Tensor, _ perm: [Int]? = nil, file: String = #fileID, line: Int = #line) -> Tensor {
    x.transposed(perm, file: file, line: line)
}

/// Broadcasts `x` to `shape`.
public func expand(_ x: Tensor, to shape: [Int], file: String = #fileID, line: Int = #line) -> Tensor {
    x.expanded(to: shape, file: file, line: line)
}

/// Elements `starts[i] ..< ends[i]` (step `steps[i]`) along `axes[i]`.
public func slice(
    _ x: Tensor, starts: [Int], ends: [Int], axes: [Int]? = nil, steps: [Int]? = nil, file: String = #fileID, line: Int = #line
) -> Tensor {
    x.sliced(starts: starts, ends: ends, axes: axes, steps: steps, file: file, line: line)
}

/// Pads `x` with a constant (`pads` as in `Tensor.padded`).
public func pad(_ x: Tensor, _ pads: [Int], value: Double = 0, file: String = #fileID, line: Int = #line) -> Tensor {
    x.padded(pads, value: value, file: file, line: line)
}

/// Slices of `x` along `axis` picked by integer `indices`.
public func gather(_ x: Tensor, _ indices: Tensor, axis: Int = 0, file: String = #fileID, line: Int = #line) -> Tensor {
    x.gathered(indices, axis: axis, file: file, line: line)
}

/// Flattens every axis of `x` from `axis` on into one.
public func flatten(_ x: Tensor, from axis: Int = 1, file: String = #fileID, line: Int = #line) -> Tensor {
    x.flattened(from: axis, file: file, line: line)
}
