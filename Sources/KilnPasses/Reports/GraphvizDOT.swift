import KilnIR

/// Graphviz DOT of a graph with each fused kernel drawn as a cluster: `dot -Tsvg plan.dot`.
///
/// Leaves are ellipses (inputs green, parameters and constants grey), computed nodes boxes, the
/// primary node of a kernel bold, stored values filled, views and concatenations assembled in
/// place dashed; edges follow the data.
public enum GraphvizDOT {
    /// The DOT text of `graph` under `fusion`.
    public static func render(_ graph: Graph, fusion: FusionPlan) -> String {
        var lines = ["digraph \(quote(graph.name)) {", "  rankdir=TB;", "  node [fontname=\"Helvetica\", fontsize=10];"]
        func nodeLine(_ id: NodeID, _ attributes: [String]) -> String {
            let node = graph[id]
            let label = "\"" + escape(node.name) + "\\n" + escape("\(node.op) \(node.type)") + "\""
            return "n\(id.index) [" + (["label=\(label)"] + attributes).joined(separator: ", ") + "];"
        }
        var placed = Set<NodeID>()
        for node in graph.nodes where node.isLeaf {
            let color = node.op == Node.inputOp ? "palegreen" : "lightgrey"
            lines.append("  " + nodeLine(node.id, ["shape=ellipse", "style=filled", "fillcolor=\(color)"]))
        }
        for (index, kernel) in fusion.kernels.enumerated() {
            let ops = kernel.nodes.map { graph[$0].op }.joined(separator: "+")
            lines.append("  subgraph cluster_k\(index) {")
            lines.append("    label=\(quote("kernel \(index): \(ops)")); style=rounded; color=steelblue;")
            for id in kernel.nodes where placed.insert(id).inserted {
                var attributes = ["shape=box"]
                var styles: [String] = []
                if kernel.outputs.contains(id) { styles.append("filled") }
                if id == kernel.primary { styles.append("bold") }
                if !styles.isEmpty { attributes.append("style=\(quote(styles.joined(separator: ",")))") }
                if kernel.outputs.contains(id) { attributes.append("fillcolor=lightyellow") }
                lines.append("    " + nodeLine(id, attributes))
            }
            lines.append("  }")
        }
        for (view, _) in fusion.views.sorted(by: { $0.key < $1.key }) {
            lines.append("  " + nodeLine(view, ["shape=box", "style=dashed"]))
        }
        for whole in Set(fusion.slices.values.map(\.whole)).sorted() {
            lines.append("  " + nodeLine(whole, ["shape=box", "style=dashed"]))
        }
        for node in graph.nodes {
            for input in node.inputs { lines.append("  n\(input.index) -> n\(node.id.index);") }
        }
        for (index, output) in graph.outputs.enumerated() {
            lines.append("  out\(index) [label=\(quote(output.name)), shape=plaintext];")
            lines.append("  n\(output.node.index) -> out\(index);")
        }
        for update in graph.updates {
            lines.append("  n\(update.value.index) -> n\(update.target.index) [style=dotted, label=\"update\", constraint=false];")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func quote(_ text: String) -> String { "\"" + escape(text) + "\"" }

    /// The text safe inside a DOT string: backslashes, quotes and line breaks escaped.
    private static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            default: result.append(character)
            }
        }
        return result
    }
}
