import Kiln
import Testing

/// `GradientFunction` and `valueAndGradient`: compiled gradients of DSL functions against central
/// finite differences of the float64 interpreter, and a second derivative through the gradient.
@Suite struct GradientFunctionTests {
    static let shapes: [String: Shape] = ["x": [2, 3], "y": [3]]

    static func body(_ g: GraphContext, _ t: [String: Tensor]) -> Tensor {
        let x = t["x"]!, y = t["y"]!
        return (x.tanh() * y.square()).sum() + x.exp().mean() + matmul(x, y.reshaped([3, 1])).sigmoid().sum()
    }

    @Test func gradientsMatchFiniteDifferencesOfTheInterpreter() throws {
        let function = try GradientFunction(inputs: Self.shapes, Self.body)
        let inputs = [
            "x": TensorValue.random(TensorType(.float32, [2, 3]), seed: 1), "y": TensorValue.random(TensorType(.float32, [3]), seed: 2),
        ]
        let (value, gradients) = try function(inputs)
        let reference = try function.model.interpret(inputs)["value"]!.floats[0]
        #expect(abs(value - reference) <= 1e-5 * max(1, abs(reference)))
        let step: Float = 1e-2
        for name in ["x", "y"] {
            let analytic = try #require(gradients[name])
            #expect(analytic.shape == Self.shapes[name])
            for index in analytic.floats.indices {
                var plus = inputs, minus = inputs
                plus[name]!.floats[index] += step
                minus[name]!.floats[index] -= step
                let difference = (try function.model.interpret(plus)["value"]!.floats[0]
                    - function.model.interpret(minus)["value"]!.floats[0]) / (2 * step)
                #expect(abs(analytic.floats[index] - difference) <= 2e-3 * max(1, abs(difference)), "\(name)[\(index)]")
            }
        }
    }

    @Test func secondDerivativeThroughTheGradient() throws {
        // h(x) = Σ ∂/∂x Σ x³ = Σ 3x², so ∂h/∂x = 6x.
        let x = TensorValue(shape: [4], floats: [-1.5, 0, 0.5, 2])
        let (value, gradients) = try valueAndGradient(at: ["x": x]) { g, t in
            let inner = g.gradients(of: t["x"]!.pow(3).sum(), wrt: [t["x"]!])[0]
            return inner.sum()
        }
        #expect(abs(value - x.floats.reduce(0) { $0 + 3 * $1 * $1 }) <= 1e-5)
        #expect(gradients["x"]!.floats.enumerated().allSatisfy { abs($0.element - 6 * x.floats[$0.offset]) <= 1e-4 })
    }

    @Test func aValueThatIsNotAScalarIsABuildError() {
        #expect(throws: KilnError.invalidArgument("the function's value must be a scalar, got f32[2,3]; reduce it with sum() or mean()")) {
            try GradientFunction(inputs: ["x": [2, 3]]) { _, t in t["x"]!.relu() }
        }
    }
}
