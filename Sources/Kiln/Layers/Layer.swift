import KilnIR

/// A building block of a model: a function from a tensor to a tensor, possibly with parameters.
///
/// Implement `forward(_:)`; call the layer as a function (`layer(x)`), which records the layer's
/// name and the caller's line on every node it creates.
public protocol Layer: AnyObject {
    /// The name nodes of this layer are grouped under (`fc1`), or a default derived from the type.
    var name: String? { get }
    /// The computation, appended to `x`'s graph.
    func forward(_ x: Tensor) -> Tensor
}

extension Layer {
    public var name: String? { nil }

    /// Applies the layer to `x`, recording the layer name and the caller's file and line.
    public func callAsFunction(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
        let base = name ?? String(describing: type(of: self)).lowercased()
        let layerName = x.context.name(of: self, base: base)
        return x.context.within(layer: layerName, file: file, line: line) { forward(x) }
    }

    /// The node of `parameter` in `x`'s graph (created on first use).
    public func node(of parameter: Parameter, for x: Tensor) -> Tensor {
        let base = name ?? String(describing: type(of: self)).lowercased()
        return x.context.node(for: parameter, in: x.context.name(of: self, base: base))
    }
}

/// Layers applied one after the other.
///
/// ```swift
/// let mlp = Sequential {
///     Linear(784, 512); ReLU()
///     Linear(512, 10)
/// }
/// ```
public final class Sequential: Layer {
    /// The layers in order.
    public let layers: [any Layer]
    public let name: String?

    /// Creates a sequence from a result builder; `if` and `for` work inside it.
    public init(name: String? = nil, @LayerBuilder _ layers: () -> [any Layer]) {
        self.name = name
        self.layers = layers()
    }

    /// Creates a sequence from an array of layers.
    public init(name: String? = nil, layers: [any Layer]) {
        self.name = name
        self.layers = layers
    }

    public func forward(_ x: Tensor) -> Tensor {
        layers.reduce(x) { value, layer in layer(value) }
    }
}

/// Builds `[any Layer]` from statements, with `if`, `if`/`else` and `for` support.
@resultBuilder
public enum LayerBuilder {
    public static func buildExpression(_ layer: any Layer) -> [any Layer] { [layer] }
    public static func buildExpression(_ layers: [any Layer]) -> [any Layer] { layers }
    public static func buildBlock(_ parts: [any Layer]...) -> [any Layer] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [any Layer]?) -> [any Layer] { part ?? [] }
    public static func buildEither(first part: [any Layer]) -> [any Layer] { part }
    public static func buildEither(second part: [any Layer]) -> [any Layer] { part }
    public static func buildArray(_ parts: [[any Layer]]) -> [any Layer] { parts.flatMap { $0 } }
}
