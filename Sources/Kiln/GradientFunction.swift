import KilnIR

/// A scalar function of DSL tensors together with its gradient, compiled once like any model:
/// one call gives the value and the gradient with respect to every input.
///
/// ```swift
/// let f = try GradientFunction(inputs: ["x": [3], "y": [3]]) { g, t in
///     (t["x"]!.tanh() * t["y"]!.square()).sum()
/// }
/// let (value, gradients) = try f(["x": x, "y": y])   // gradients["x"], gradients["y"]
/// ```
///
/// It is first order. For a second derivative, take the gradient inside the body with
/// `GraphContext.gradients(of:wrt:)` and return a scalar of it: the outer gradient differentiates
/// through the backward operators, which works wherever they have gradient rules (elementwise
/// operators, matrix products, reductions, convolutions) and is a build error naming the operator
/// where they do not.
public struct GradientFunction: Sendable {
    /// The compiled model: output `value`, and `gradient.NAME` for every input NAME.
    public let model: Model
    /// The input names, in order.
    public let inputNames: [String]
    private let executable: Executable

    /// Builds and compiles `body` over float32 inputs of the given shapes.
    ///
    /// - Throws: the first build error (a shape mismatch at your line, a non-scalar value), or a
    ///   compilation error.
    public init(
        name: String = "gradient_function", inputs: [String: Shape], backend: ExecutionBackend = .tcc,
        _ body: @escaping @Sendable (GraphContext, [String: Tensor]) -> Tensor
    ) throws(KilnError) {
        let names = inputs.keys.sorted()
        inputNames = names
        model = Model(name) { g in
            let tensors = Dictionary(uniqueKeysWithValues: names.map { ($0, g.input($0, inputs[$0]!)) })
            let value = body(g, tensors)
            guard value.shape.rank == 0 else {
                g.record(.invalidArgument("the function's value must be a scalar, got \(value.type); reduce it with sum() or mean()"))
                return
            }
            g.output("value", value)
            for (input, gradient) in zip(names, g.gradients(of: value, wrt: names.map { tensors[$0]! })) {
                g.output(Self.gradientOutput(input), gradient)
            }
        }
        executable = try model.compile(backend: backend)
    }

    /// The output holding the gradient with respect to input `name`.
    public static func gradientOutput(_ name: String) -> String { "gradient.\(name)" }

    /// The value at `inputs` and the gradient with respect to each input, by name.
    public func callAsFunction(_ inputs: [String: TensorValue]) throws(KilnError) -> (value: Float, gradients: [String: TensorValue]) {
        let outputs = try executable.run(inputs)
        guard let value = outputs["value"]?.floats.first else { throw .runtime("the function produced no value") }
        var gradients: [String: TensorValue] = [:]
        for name in inputNames { gradients[name] = outputs[Self.gradientOutput(name)] }
        return (value, gradients)
    }
}

/// The value of the scalar function `body` at `inputs` and its gradient with respect to each
/// input: `GradientFunction` built and called once (build one and call it repeatedly to compile
/// only once).
public func valueAndGradient(
    at inputs: [String: TensorValue], of body: @escaping @Sendable (GraphContext, [String: Tensor]) -> Tensor
) throws(KilnError) -> (value: Float, gradients: [String: TensorValue]) {
    let function = try GradientFunction(inputs: inputs.mapValues(\.shape), body)
    return try function(inputs)
}
