/// Where a layer sits inside the layer that calls it, named the way PyTorch names submodules, so
/// that parameter names read `block.attention.query.weight` and `features.0.weight`.
enum LayerPath {
    /// The default name of a layer of this type: the type's name in lower case (`linear`).
    static func typeName(of layer: any Layer) -> String {
        String(describing: type(of: layer)).lowercased()
    }

    /// `child`'s segment in `parent`'s path: its index inside a `Sequential` (`0`); the stored
    /// property of `parent` that holds it (`fc`), with the index when the property is an array
    /// of layers (`blocks.2`); else, for a layer made while `parent` runs, its type name.
    static func segment(of child: any Layer, in parent: any Layer) -> String {
        if let sequence = parent as? Sequential, let index = sequence.layers.firstIndex(where: { $0 === child }) {
            return String(index)
        }
        var mirror: Mirror? = Mirror(reflecting: parent)
        while let current = mirror {
            for property in current.children {
                guard let label = property.label.map(propertyName) else { continue }
                if let layer = property.value as? any Layer, layer === child { return label }
                if let layers = property.value as? [any Layer], let index = layers.firstIndex(where: { $0 === child }) {
                    return "\(label).\(index)"
                }
            }
            mirror = current.superclassMirror
        }
        return typeName(of: child)
    }

    /// A stored property's source name: without the storage prefix of `lazy` properties and the
    /// underscore of property wrappers.
    private static func propertyName(_ label: String) -> String {
        let lazyPrefix = "$__lazy_storage_$_"
        if label.hasPrefix(lazyPrefix) { return String(label.dropFirst(lazyPrefix.count)) }
        return label.hasPrefix("_") ? String(label.dropFirst()) : label
    }
}
