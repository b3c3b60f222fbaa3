import Foundation

/// How a parameter's initial values are drawn, stored as attributes of its `param` node so that a
/// `.kiln` file alone determines the weights: `init` names the scheme, `fan_in`/`fan_out`,
/// `low`/`high`, `mean`/`std`, `value` and `gain` are its arguments.
///
/// Values come from a `SeededGenerator` keyed by the model seed and the parameter's name, so the
/// same seed gives the same weights whatever the order of the nodes.
public enum ParameterInitializer: Sendable, Hashable {
    /// All zeros.
    case zeros
    /// Every element `value`.
    case constant(Double)
    /// Uniform on [low, high).
    case uniform(low: Double, high: Double)
    /// Normal with the given mean and standard deviation.
    case normal(mean: Double, std: Double)
    /// Glorot/Xavier uniform: U(±gain·√(6/(fan_in+fan_out))).
    case xavierUniform(fanIn: Int, fanOut: Int, gain: Double)
    /// Glorot/Xavier normal: N(0, gain·√(2/(fan_in+fan_out))).
    case xavierNormal(fanIn: Int, fanOut: Int, gain: Double)
    /// He/Kaiming uniform (for ReLU): U(±√(6/fan_in)).
    case heUniform(fanIn: Int)
    /// He/Kaiming normal (for ReLU): N(0, √(2/fan_in)).
    case heNormal(fanIn: Int)

    /// The attributes that describe this initializer on a `param` node.
    public var attributes: Attributes {
        switch self {
        case .zeros: ["init": .string("zeros")]
        case .constant(let value): ["init": .string("constant"), "value": .float(value)]
        case .uniform(let low, let high): ["init": .string("uniform"), "low": .float(low), "high": .float(high)]
        case .normal(let mean, let std): ["init": .string("normal"), "mean": .float(mean), "std": .float(std)]
        case .xavierUniform(let fanIn, let fanOut, let gain):
            ["init": .string("xavier_uniform"), "fan_in": .int(fanIn), "fan_out": .int(fanOut), "gain": .float(gain)]
        case .xavierNormal(let fanIn, let fanOut, let gain):
            ["init": .string("xavier_normal"), "fan_in": .int(fanIn), "fan_out": .int(fanOut), "gain": .float(gain)]
        case .heUniform(let fanIn): ["init": .string("he_uniform"), "fan_in": .int(fanIn)]
        case .heNormal(let fanIn): ["init": .string("he_normal"), "fan_in": .int(fanIn)]
        }
    }

    /// Reads the initializer from a `param` node's attributes.
    public init(attributes: Attributes) throws(KilnError) {
        let fanIn = attributes.int("fan_in", default: 1), fanOut = attributes.int("fan_out", default: 1)
        let gain = attributes.float("gain", default: 1)
        if let (name, value) = [("fan_in", fanIn), ("fan_out", fanOut)].first(where: { $0.1 < 1 }) {
            throw .invalidArgument("initializer attribute '\(name)' is \(value); expected a positive integer")
        }
        for name in ["gain", "value", "low", "high", "mean", "std"] {
            let value = attributes.float(name, default: 0)
            guard value.isFinite else {
                throw .invalidArgument("initializer attribute '\(name)' is \(value); expected a finite number")
            }
        }
        switch attributes.string("init") ?? "zeros" {
        case "zeros": self = .zeros
        case "constant": self = .constant(attributes.float("value", default: 0))
        case "uniform": self = .uniform(low: attributes.float("low", default: 0), high: attributes.float("high", default: 1))
        case "normal": self = .normal(mean: attributes.float("mean", default: 0), std: attributes.float("std", default: 1))
        case "xavier_uniform": self = .xavierUniform(fanIn: fanIn, fanOut: fanOut, gain: gain)
        case "xavier_normal": self = .xavierNormal(fanIn: fanIn, fanOut: fanOut, gain: gain)
        case "he_uniform": self = .heUniform(fanIn: fanIn)
        case "he_normal": self = .heNormal(fanIn: fanIn)
        case let other:
            throw .invalidArgument(
                "unknown initializer '\(other)' (expected zeros, constant, uniform, normal, xavier_uniform, xavier_normal, he_uniform or he_normal)")
        }
    }

    /// `count` initial values for the parameter named `name` under model seed `seed`.
    public func values(count: Int, seed: UInt64, name: String) -> [Float] {
        var generator = SeededGenerator(seed: seed, stream: name)
        func draw(_ sample: (inout SeededGenerator) -> Double) -> [Float] {
            (0..<count).map { _ in Float(sample(&generator)) }
        }
        switch self {
        case .zeros: return Array(repeating: 0, count: count)
        case .constant(let value): return Array(repeating: Float(value), count: count)
        case .uniform(let low, let high): return draw { $0.uniform(low, high) }
        case .normal(let mean, let std): return draw { $0.normal(mean: mean, standardDeviation: std) }
        case .xavierUniform(let fanIn, let fanOut, let gain):
            let bound = gain * (6.0 / (Double(fanIn) + Double(fanOut))).squareRoot()
            return draw { $0.uniform(-bound, bound) }
        case .xavierNormal(let fanIn, let fanOut, let gain):
            let std = gain * (2.0 / (Double(fanIn) + Double(fanOut))).squareRoot()
            return draw { $0.normal(standardDeviation: std) }
        case .heUniform(let fanIn):
            let bound = (6.0 / Double(fanIn)).squareRoot()
            return draw { $0.uniform(-bound, bound) }
        case .heNormal(let fanIn):
            let std = (2.0 / Double(fanIn)).squareRoot()
            return draw { $0.normal(standardDeviation: std) }
        }
    }
}

extension Graph {
    /// The initial values of every parameter under `seed`, keyed by parameter name.
    public func initialParameters(seed: UInt64) throws(KilnError) -> [String: TensorValue] {
        var result: [String: TensorValue] = [:]
        for node in parameters {
            let initializer: ParameterInitializer
            do {
                initializer = try ParameterInitializer(attributes: node.attributes)
            } catch {
                throw .invalidArgument("parameter '\(node.name)': \(error.description)")
            }
            let values = initializer.values(count: node.type.shape.elementCount, seed: seed, name: node.name)
            result[node.name] = TensorValue(shape: node.type.shape, floats: values)
        }
        return result
    }

    /// The values of constant node `node` (its `value` list; a single value fills the tensor).
    public func constantValues(_ node: Node) -> [Double] {
        let values = node.attributes.floats("value") ?? [0]
        return values.count == 1 ? Array(repeating: values[0], count: node.type.shape.elementCount) : values
    }
}
