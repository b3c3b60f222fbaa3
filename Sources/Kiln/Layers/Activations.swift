import KilnIR

/// Rectified linear unit as a layer. See ``relu(_:file:line:)``.
public final class ReLU: Layer {
    public init() {}
    public func forward(_ x: Tensor) -> Tensor { relu(x) }
}

/// Logistic sigmoid as a layer. See ``sigmoid(_:file:line:)``.
public final class Sigmoid: Layer {
    public init() {}
    public func forward(_ x: Tensor) -> Tensor { sigmoid(x) }
}

/// Hyperbolic tangent as a layer. See ``tanh(_:file:line:)``.
public final class Tanh: Layer {
    public init() {}
    public func forward(_ x: Tensor) -> Tensor { tanh(x) }
}

/// Softmax along an axis as a layer.
public final class Softmax: Layer {
    /// The axis normalized over.
    public let axis: Int
    public init(axis: Int = -1) { self.axis = axis }
    public func forward(_ x: Tensor) -> Tensor { x.softmax(axis: axis) }
}

/// Flattens every axis from `axis` on as a layer.
public final class Flatten: Layer {
    /// The first axis flattened.
    public let axis: Int
    public init(axis: Int = 1) { self.axis = axis }
    public func forward(_ x: Tensor) -> Tensor { x.flattened(from: axis) }
}
