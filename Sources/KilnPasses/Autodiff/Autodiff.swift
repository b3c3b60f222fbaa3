// Reverse-mode automatic differentiation as a graph transform.
//
// Rewrites: appends backward nodes to the graph so that, for each target, one node holds the
// gradient of the loss with respect to it. Existing nodes and outputs are untouched; backward
// nodes that no returned gradient uses are dropped again before returning.
// Expects: a verified graph; a float32 loss that is a scalar (one element) unless a seed gradient
// of the loss's type is given; float32 targets, which may be inputs, parameters or any node.
// Leaves for later: simplifying the backward nodes (multiplications by one, zeros) and fusing them.
// Keeps: topological order, unique names, every node typed by its shape rule, and provenance:
// each backward node carries the provenance of the forward node it differentiates.

import KilnIR
import KilnOps

/// Appends to `graph` the nodes computing the gradient of `loss` with respect to each of
/// `targets`, and returns those gradient nodes in the order of `targets`.
///
/// - Parameters:
///   - seed: the gradient of the loss itself (a node of the loss's type); by default a constant 1,
///     which requires a scalar loss. A seed differentiates a non-scalar output as ⟨seed, output⟩.
/// - Returns: for each target, a node of the target's type; a zero constant where the target does
///   not influence the loss.
/// - Throws: `KilnError.invalidArgument` for a non-scalar loss without a seed, a seed of the
///   wrong type, a non-float target, or a target whose every path to the loss passes through an
///   input that has no gradient (the error names that node and operator).
public func gradients(
    of loss: NodeID, wrt targets: [NodeID], in graph: inout Graph, seed: NodeID? = nil
) throws(KilnError) -> [NodeID] {
    var builder = GraphBuilder(graph: graph)
    let result = try builder.gradients(of: loss, wrt: targets, seed: seed)
    graph = builder.graph
    return result
}

extension GraphBuilder {
    /// Appends the nodes computing the gradient of `loss` with respect to each of `targets`; see
    /// `gradients(of:wrt:in:seed:)`. On error the graph is left as it was.
    public mutating func gradients(
        of loss: NodeID, wrt targets: [NodeID], seed: NodeID? = nil
    ) throws(KilnError) -> [NodeID] {
        try checkDifferentiable(loss: loss, targets: targets, seed: seed)
        let firstBackwardNode = graph.nodes.count
        do throws(KilnError) {
            return try appendBackwardNodes(of: loss, wrt: targets, seed: seed)
        } catch {
            graph.nodes.removeSubrange(firstBackwardNode...)
            throw error
        }
    }

    /// The reverse sweep: runs the gradient rules from the loss back to the targets, sums the
    /// contributions to each node, and returns each target's gradient.
    private mutating func appendBackwardNodes(
        of loss: NodeID, wrt targets: [NodeID], seed: NodeID?
    ) throws(KilnError) -> [NodeID] {
        let firstBackwardNode = graph.nodes.count
        let scope = DifferentiationScope(graph: graph, loss: loss, targets: targets)
        var accumulated: [NodeID: NodeID] = [:]
        var blocked: [(consumer: Node, operand: Int)] = []
        accumulated[loss] = seed ?? leaf(
            Node.constantOp, type: type(of: loss), name: "\(graph[loss].name).grad.seed",
            attributes: ["value": .floats([1])], provenance: graph[loss].provenance)

        for index in stride(from: loss.index, through: 0, by: -1) {
            let node = graph.nodes[index]
            guard !node.isLeaf, scope.contains(node.id), let outputGradient = accumulated[node.id] else { continue }
            let inputGradients = try inputGradients(of: node, outputGradient: outputGradient)
            for (operand, input) in node.inputs.enumerated() where scope.contains(input) {
                guard let gradient = inputGradients[operand] else {
                    blocked.append((node, operand))
                    continue
                }
                accumulated[input] = try accumulate(accumulated[input], gradient, for: graph[input])
            }
        }

        var result: [NodeID] = []
        for target in targets {
            if let gradient = accumulated[target] {
                result.append(gradient)
            } else if scope.reachesLoss[target.index] {
                throw blockedPathError(loss: loss, target: target, blocked: blocked)
            } else {
                result.append(leaf(
                    Node.constantOp, type: type(of: target), name: "\(graph[target].name).grad.zeros",
                    attributes: ["value": .floats([0])], provenance: graph[target].provenance))
            }
        }
        return removeUnusedNodes(from: firstBackwardNode, keeping: result)
    }

    /// Checks that the nodes exist, the loss and targets are float32, and the loss is a scalar or
    /// comes with a seed of its type.
    private func checkDifferentiable(loss: NodeID, targets: [NodeID], seed: NodeID?) throws(KilnError) {
        for id in [loss] + targets + (seed.map { [$0] } ?? []) where !graph.nodes.indices.contains(id.index) {
            throw .invalidArgument("node \(id) is not in graph '\(graph.name)', which has \(graph.nodes.count) nodes")
        }
        let lossNode = graph[loss]
        guard lossNode.type.dtype == .float32 else {
            throw .invalidArgument("cannot differentiate '\(lossNode.name)' of type \(lossNode.type): only f32 tensors have gradients")
        }
        for node in targets.map({ graph[$0] }) where node.type.dtype != .float32 {
            throw .invalidArgument("cannot differentiate with respect to '\(node.name)' of type \(node.type): only f32 tensors have gradients")
        }
        if let seed {
            guard type(of: seed) == lossNode.type else {
                throw .invalidArgument(
                    "the seed gradient '\(graph[seed].name)' has type \(type(of: seed)), but the loss '\(lossNode.name)' has type \(lossNode.type)")
            }
        } else if lossNode.type.shape.elementCount != 1 {
            throw .invalidArgument(
                "cannot differentiate '\(lossNode.name)' of type \(lossNode.type): the loss must be a scalar (give a seed gradient to differentiate a non-scalar output)")
        }
    }

    /// Runs `node`'s gradient rule and checks that it returns one gradient of the right type per input.
    private mutating func inputGradients(of node: Node, outputGradient: NodeID) throws(KilnError) -> [NodeID?] {
        let context = NodeContext(op: node.op, name: node.name, provenance: node.provenance)
        guard let definition = OperatorRegistry.operator(node.op) else { throw .unsupportedOperator(context) }
        var gradientContext = GradientContext(node: node, outputGradient: outputGradient, builder: self)
        self = GraphBuilder(name: graph.name)  // hand the graph over, so that appending to it does not copy it
        let gradients: [NodeID?]
        do throws(KilnError) {
            gradients = try definition.gradients(&gradientContext)
        } catch {
            self = gradientContext.builder
            throw error
        }
        self = gradientContext.builder
        guard gradients.count == node.inputs.count else {
            throw .invalidGraph("the gradient rule of \(context) returned \(gradients.count) gradients for \(node.inputs.count) inputs")
        }
        for (operand, gradient) in gradients.enumerated() {
            guard let gradient else { continue }
            let expected = type(of: node.inputs[operand])
            guard type(of: gradient) == expected else {
                throw .invalidGraph(
                    "the gradient rule of \(context) gave input \(operand) a gradient of type \(type(of: gradient)); expected \(expected)")
            }
        }
        return gradients
    }

    /// Adds a new gradient contribution to the running sum for `node`.
    private mutating func accumulate(_ sum: NodeID?, _ contribution: NodeID, for node: Node) throws(KilnError) -> NodeID {
        guard let sum else { return contribution }
        return try add("add", [sum, contribution], name: "\(node.name).grad.accumulate", provenance: node.provenance)
    }

    /// The error for a target that influences the loss only through inputs without a gradient.
    private func blockedPathError(
        loss: NodeID, target: NodeID, blocked: [(consumer: Node, operand: Int)]
    ) -> KilnError {
        let dependents = DifferentiationScope.dependents(of: [target], in: graph, upTo: loss)
        var message = "cannot differentiate '\(graph[loss].name)' with respect to '\(graph[target].name)'"
        if let (consumer, operand) = blocked.first(where: { dependents[$0.consumer.inputs[$0.operand].index] }) {
            let context = NodeContext(op: consumer.op, name: consumer.name, provenance: consumer.provenance)
            message += ": every path to the loss passes through input \(operand) of \(context), which has no gradient"
        }
        return .invalidArgument(message)
    }

    /// Drops the nodes appended since `first` that none of `results` reads, renumbers the rest, and
    /// returns `results` renumbered.
    private mutating func removeUnusedNodes(from first: Int, keeping results: [NodeID]) -> [NodeID] {
        var used = [Bool](repeating: false, count: graph.nodes.count)
        for result in results { used[result.index] = true }
        for index in stride(from: graph.nodes.count - 1, through: first, by: -1) where used[index] {
            for input in graph.nodes[index].inputs { used[input.index] = true }
        }
        var renumbered = Array(0..<graph.nodes.count).map(NodeID.init)
        var kept = Array(graph.nodes[..<first])
        for node in graph.nodes[first...] where used[node.id.index] {
            var node = node
            renumbered[node.id.index] = NodeID(kept.count)
            node.id = NodeID(kept.count)
            node.inputs = node.inputs.map { renumbered[$0.index] }
            kept.append(node)
        }
        graph.nodes = kept
        return results.map { renumbered[$0.index] }
    }
}
