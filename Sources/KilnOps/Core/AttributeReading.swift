import KilnIR

/// Reading attributes and axes inside shape rules: every bad value becomes a `ShapeError`
/// naming the attribute, the input it applies to, that input's shape and what was expected.
extension Operator {
    /// An integer-list attribute (a single integer counts as a list of one), or nil when absent.
    func optionalInts(_ attributes: Attributes, _ name: String) throws(ShapeError) -> [Int]? {
        guard let value = attributes[name] else { return nil }
        guard let list = attributes.ints(name) else {
            throw ShapeError("attribute '\(name)' is \(value); expected a list of integers")
        }
        return list
    }

    /// An integer-list attribute that must be present.
    func requiredInts(_ attributes: Attributes, _ name: String) throws(ShapeError) -> [Int] {
        guard let list = try optionalInts(attributes, name) else { throw ShapeError("missing attribute '\(name)'") }
        return list
    }

    /// An integer attribute, or `fallback` when absent.
    func int(_ attributes: Attributes, _ name: String, default fallback: Int) throws(ShapeError) -> Int {
        guard let value = attributes[name] else { return fallback }
        guard let integer = attributes.int(name) else {
            throw ShapeError("attribute '\(name)' is \(value); expected an integer")
        }
        return integer
    }

    /// A boolean attribute, or `fallback` when absent.
    func bool(_ attributes: Attributes, _ name: String, default fallback: Bool) throws(ShapeError) -> Bool {
        guard let value = attributes[name] else { return fallback }
        guard case .bool(let flag) = value else {
            throw ShapeError("attribute '\(name)' is \(value); expected true or false")
        }
        return flag
    }

    /// A float attribute (an integer is accepted), or `fallback` when absent.
    func float(_ attributes: Attributes, _ name: String, default fallback: Double) throws(ShapeError) -> Double {
        switch attributes[name] {
        case nil: return fallback
        case .float(let value)?: return value
        case .int(let value)?: return Double(value)
        case let value?: throw ShapeError("attribute '\(name)' is \(value); expected a number")
        }
    }

    /// `axis` of input `index` made non-negative, or an error when it is outside `-rank..<rank`.
    func normalizedAxis(
        _ axis: Int, of input: TensorType, index: Int, attribute: String
    ) throws(ShapeError) -> Int {
        let rank = input.shape.rank
        guard axis >= -rank, axis < rank else {
            let expected = rank == 0 ? "none (a scalar has no axes)" : "an axis from \(-rank) to \(rank - 1)"
            throw ShapeError(
                "axis \(axis) in '\(attribute)' is out of range for input \(index) of shape \(input.shape); expected \(expected)")
        }
        return axis < 0 ? axis + rank : axis
    }

    /// A list of distinct axes of input `index`, made non-negative (in the given order).
    func normalizedAxes(
        _ axes: [Int], of input: TensorType, index: Int, attribute: String
    ) throws(ShapeError) -> [Int] {
        var result: [Int] = []
        for axis in axes {
            let normalized = try normalizedAxis(axis, of: input, index: index, attribute: attribute)
            guard !result.contains(normalized) else {
                throw ShapeError(
                    "'\(attribute)' \(AttributeValue.ints(axes)) names axis \(normalized) twice for input \(index) of shape \(input.shape); expected distinct axes")
            }
            result.append(normalized)
        }
        return result
    }

    /// Checks that input `index` is float32.
    func requireFloat(_ inputs: [TensorType], _ index: Int) throws(ShapeError) {
        guard inputs[index].dtype == .float32 else { throw ShapeError("input \(index) is \(inputs[index]); expected f32") }
    }
}
