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
        x.context.within(self, file: file, line: line) { forward(x) }
    }

    /// The node of `parameter` in `x`'s graph (created on first use).
    public func node(of parameter: Parameter, for x: Tensor) -> Tensor {
        x.context.node(for: parameter, in: x.context.name(of: self))
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
///
/// A layer written in the builder carries its own line: an error in it, and its nodes in a
/// profile, point there rather than at the line that calls the sequence. Unnamed layers are
/// named by their index (`sequential.0.weight`), as in PyTorch.
public final class Sequential: Layer {
    /// The layers in order.
    public let layers: [any Layer]
    public let name: String?
    /// Where each layer was written; nil for layers passed as an array, which take the call site
    /// of the sequence.
    private let sites: [LayerBuilder.Site?]

    /// Creates a sequence from a result builder; `if` and `for` work inside it.
    public init(name: String? = nil, @LayerBuilder _ layers: () -> [LayerBuilder.Entry]) {
        let entries = layers()
        self.name = name
        self.layers = entries.map(\.layer)
        sites = entries.map(\.site)
    }

    /// Creates a sequence from an array of layers.
    public init(name: String? = nil, layers: [any Layer]) {
        self.name = name
        self.layers = layers
        sites = Array(repeating: nil, count: layers.count)
    }

    public func forward(_ x: Tensor) -> Tensor {
        zip(layers, sites).reduce(x) { value, written in
            let (layer, site) = written
            guard let site else { return layer(value) }
            return layer(value, file: site.file, line: site.line)
        }
    }
}

/// Builds a `Sequential`'s layers from statements, with `if`, `if`/`else` and `for` support,
/// recording the line each layer is written on.
@resultBuilder
public enum LayerBuilder {
    /// A source location in the user's code.
    public struct Site: Sendable {
        let file: String
        let line: Int
    }

    /// A layer and the line it was written on.
    public struct Entry {
        let layer: any Layer
        let site: Site
    }

    public static func buildExpression(_ layer: any Layer, file: String = #fileID, line: Int = #line) -> [Entry] {
        [Entry(layer: layer, site: Site(file: file, line: line))]
    }
    public static func buildExpression(_ layers: [any Layer], file: String = #fileID, line: Int = #line) -> [Entry] {
        layers.map { Entry(layer: $0, site: Site(file: file, line: line)) }
    }
    public static func buildBlock(_ parts: [Entry]...) -> [Entry] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [Entry]?) -> [Entry] { part ?? [] }
    public static func buildEither(first part: [Entry]) -> [Entry] { part }
    public static func buildEither(second part: [Entry]) -> [Entry] { part }
    public static func buildArray(_ parts: [[Entry]]) -> [Entry] { parts.flatMap { $0 } }
}
