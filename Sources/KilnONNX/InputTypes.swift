import KilnIR

/// The static types of an ONNX graph's inputs. Kiln graphs have static shapes, so a symbolic
/// (or unknown) dimension takes its value from the shape the caller gives for that input
/// (`kiln run --shape x=1,3,224,224`, `ONNXImporter.load(_:shapes:)`).
enum InputTypes {
    /// The type of each graph input in `inputs`, in order. Throws one error naming every symbolic
    /// dimension left without a value, with its input and axis; and when `shapes` names an input
    /// the graph lacks or gives a shape that contradicts the model.
    static func resolve(_ inputs: [Onnx_ValueInfoProto], shapes: [String: Shape]) throws(KilnError) -> [TensorType] {
        let names = Set(inputs.map(\.name))
        if let unknown = shapes.keys.sorted().first(where: { !names.contains($0) }) {
            let known = inputs.map { "'\($0.name)'" }.joined(separator: ", ")
            throw .invalidArgument("a shape is given for '\(unknown)', which is not a graph input (the inputs: \(known))")
        }
        var types: [TensorType] = []
        var missing: [String] = []
        for input in inputs {
            let (type, symbols) = try self.type(of: input, fixed: shapes[input.name])
            if let type { types.append(type) }
            missing += symbols
        }
        if !missing.isEmpty {
            throw .invalidArgument(
                "the model has symbolic dimensions: " + missing.joined(separator: "; ")
                    + "; give each input's shape (kiln --shape NAME=D0,D1,...; ONNXImporter.load(_:shapes:))")
        }
        return types
    }

    /// The type of `input`, with the dimensions of `fixed` where given, or nil and the symbolic
    /// dimensions it lacks values for.
    static func type(of input: Onnx_ValueInfoProto, fixed: Shape?) throws(KilnError) -> (TensorType?, [String]) {
        guard input.type.tensorType.hasShape else {
            if let fixed { return (TensorType(try dtype(of: input), fixed), []) }
            throw .invalidArgument("graph input '\(input.name)' has no shape; give it one with --shape \(input.name)=D0,D1,...")
        }
        if let fixed, let bad = fixed.dimensions.first(where: { $0 < 0 }) {
            throw .invalidArgument("the shape \(fixed) given for graph input '\(input.name)' has the negative dimension \(bad)")
        }
        let declared = input.type.tensorType.shape.dim
        if let fixed, fixed.rank != declared.count {
            throw .invalidArgument(
                "the shape \(fixed) given for graph input '\(input.name)' has rank \(fixed.rank); the model declares rank \(declared.count)")
        }
        var dimensions: [Int] = []
        var symbols: [String] = []
        for (axis, dimension) in declared.enumerated() {
            switch dimension.value {
            case .dimValue(let value)? where value >= 0:
                if let fixed, fixed[axis] != value {
                    throw .invalidArgument(
                        "the shape \(fixed) given for graph input '\(input.name)' has \(fixed[axis]) at axis \(axis); the model fixes it to \(value)")
                }
                dimensions.append(Int(value))
            case .dimParam(let symbol)?:
                if let fixed { dimensions.append(fixed[axis]) } else { symbols.append("'\(symbol)' (input '\(input.name)', axis \(axis))") }
            default:
                if let fixed { dimensions.append(fixed[axis]) } else { symbols.append("unnamed (input '\(input.name)', axis \(axis))") }
            }
        }
        guard symbols.isEmpty else { return (nil, symbols) }
        let type = TensorType(try dtype(of: input), Shape(dimensions))
        if let refusal = TensorSizeLimit.violation(type) { throw .invalidArgument("graph input '\(input.name)': \(refusal)") }
        return (type, [])
    }

    /// The Kiln element type of `input`.
    static func dtype(of input: Onnx_ValueInfoProto) throws(KilnError) -> DType {
        switch ONNXTensor.ElementType(rawValue: input.type.tensorType.elemType) {
        case .float?, .double?, .float16?: .float32
        case .int64?: .int64
        case .int32?: .int32
        case .bool?: .bool
        default: throw .invalidArgument("graph input '\(input.name)' has unsupported element type \(input.type.tensorType.elemType)")
        }
    }
}
