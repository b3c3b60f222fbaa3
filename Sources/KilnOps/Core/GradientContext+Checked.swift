import KilnIR

extension GradientContext {
    /// Runs a shape computation on the forward node (which already passed its shape rule) and
    /// reports a failure as the node's `KilnError.shape` rather than trapping.
    func checked<Value>(_ body: () throws(ShapeError) -> Value) throws(KilnError) -> Value {
        do {
            return try body()
        } catch {
            let inputTypes = node.inputs.map { type(of: $0) }
            throw .shape(NodeContext(op: node.op, name: node.name, inputTypes: inputTypes, provenance: node.provenance), error)
        }
    }
}
