import KilnC
import KilnIR
import KilnOps

/// The fused loop of a kernel: elementwise formulas composed over one loop shape, each value a
/// local variable, every operand loaded once per element (or once before the loop when it is the
/// same element throughout), and the stored values written at the end of each iteration.
///
/// The loop is written for a compiler to vectorize: axes along which every operand advances
/// alike are merged, so the innermost loop is as long and as contiguous as the operands allow; an
/// operand constant along the innermost loop (a per-channel bias or scale) is loaded before it; a
/// flat loop `for (long i ...)` serves when every operand is read element by element or is one
/// element. Large loops are split across cores on their outermost axis (`ParallelLoop`).
struct ElementwiseLoop {
    let graph: Graph
    /// The elementwise nodes, in evaluation order.
    let nodes: [NodeID]
    /// The primary node whose output the loop reads from `accumulator`, if any.
    let primary: NodeID?
    let accumulator: String?
    /// The pointer parameter of each node read from or stored to memory.
    let pointers: [NodeID: String]
    /// The values the loop stores, to their pointers.
    let stores: [NodeID]
    /// A bias the primary left out of its output (`KernelContext.deferredBias`), added to the
    /// primary's value as the loop reads it; with no epilogue nodes the loop stores the sum back.
    var primaryBias: Bias?

    /// A vector read at `strides` against the primary's output, added to it.
    struct Bias {
        var pointer: String
        var strides: [Int]
    }

    /// A value read from memory: which pointer, at which strides.
    fileprivate struct Load: Hashable {
        var pointer: String
        var strides: [Int]
    }

    /// The values the loop reads from memory, and where each node's operands come from.
    fileprivate struct Operands {
        var loads: [Load] = []
        var of: [NodeID: [Load?]] = [:]
        var bias: Load?
    }

    fileprivate func operands() -> Operands {
        var result = Operands()
        for id in nodes {
            let node = graph[id]
            let strides = formula(id).operandStrides(OperatorRegistry.signature(of: node, in: graph))
            result.of[id] = node.inputs.enumerated().map { operand, input -> Load? in
                if input == primary || nodes.contains(input) { return nil }
                let load = Load(pointer: pointers[input]!, strides: strides[operand])
                if !result.loads.contains(load) { result.loads.append(load) }
                return load
            }
        }
        result.bias = primaryBias.map { Load(pointer: $0.pointer, strides: $0.strides) }
        if let bias = result.bias, !result.loads.contains(bias) { result.loads.append(bias) }
        return result
    }

    /// The statements of one element at C offset `own`, its operands loaded into `names`.
    fileprivate func compute(_ body: inout CWriter, _ operands: Operands, _ names: [Load: String], own: String) {
        if let primary {
            let sum = operands.bias.map { " + \(names[$0]!)" } ?? ""
            body.line("float v\(primary.index) = \(accumulator!)[\(own)]\(sum);")
        }
        for id in nodes {
            let node = graph[id]
            let values = zip(node.inputs, operands.of[id]!).map { input, load in load.map { names[$0]! } ?? "v\(input.index)" }
            body.line("float v\(id.index) = \(formula(id).cFormula(values, node.attributes));")
        }
        for id in stores { body.line("\(pointers[id]!)[\(own)] = v\(id.index);") }
        // With no epilogue the primary's value (plus its bias) is stored back where it was read.
        if nodes.isEmpty, let primary { body.line("\(accumulator!)[\(own)] = v\(primary.index);") }
    }

    func write(_ writer: inout CWriter) {
        let loopShape = graph[primary ?? nodes[0]].type.shape
        let operands = operands()
        let loads = operands.loads
        let invariant = loads.filter { loopShape.readsOneElement($0.strides) }
        var names: [Load: String] = [:]
        for (index, load) in loads.enumerated() { names[load] = (invariant.contains(load) ? "u" : "a") + String(index) }
        for load in invariant { writer.line("const float \(names[load]!) = \(load.pointer)[0];") }
        func compute(_ body: inout CWriter, own: String) { self.compute(&body, operands, names, own: own) }

        let varying = loads.filter { !invariant.contains($0) }
        let axes = MergedAxes(shape: loopShape, strides: varying.map(\.strides))
        let elements = loopShape.elementCount
        guard axes.extents.count > 1 else {
            writer.parallelLoop("i", count: elements, elements: elements) { loop in
                for load in varying {
                    loop.line("float \(names[load]!) = \(load.pointer)[\(CWriter.index(["i"], strides: axes.strides(of: load.strides)))];")
                }
                compute(&loop, own: "i")
            }
            return
        }
        // Loops over the merged axes; loads constant along the innermost one go before it.
        let innermost = axes.extents.count - 1
        func nest(_ depth: Int, _ writer: inout CWriter, _ indices: [String]) {
            let name = "i\(depth)"
            let inner = indices + [name]
            let work = axes.extents[depth...].reduce(1, *)
            if depth < innermost {
                writer.parallelLoop(name, count: axes.extents[depth], elements: depth == 0 ? work : 0) { nest(depth + 1, &$0, inner) }
                return
            }
            let hoisted = varying.filter { axes.strides(of: $0.strides)[innermost] == 0 }
            for load in hoisted {
                writer.line("const float \(names[load]!) = \(load.pointer)[\(CWriter.index(indices, strides: axes.strides(of: load.strides)))];")
            }
            writer.parallelLoop(name, count: axes.extents[depth], elements: depth == 0 ? work : 0) { loop in
                for load in varying where !hoisted.contains(load) {
                    loop.line("float \(names[load]!) = \(load.pointer)[\(CWriter.index(inner, strides: axes.strides(of: load.strides)))];")
                }
                compute(&loop, own: CWriter.index(inner, strides: axes.ownStrides))
            }
        }
        nest(0, &writer, [])
    }

    private func formula(_ id: NodeID) -> any ElementwiseFormula {
        guard let formula = OperatorRegistry.operator(graph[id].op) as? any ElementwiseFormula else {
            preconditionFailure("node \(id) '\(graph[id].name)' has no elementwise formula but was fused into a loop")
        }
        return formula
    }
}

/// The loop over part of one plane of an [N, C, ...] output (`KernelContext.planeEpilogue`).
extension ElementwiseLoop {
    /// The loop shape, when it has a plane layout: rank 3 or more, and every operand reading
    /// either one value per (image, channel) or the element at the loop's own place in the plane.
    private var planeShape: Shape? {
        guard let primary else { return nil }
        let shape = graph[primary].type.shape
        guard shape.rank >= 3 else { return nil }
        let spatial = Array(2..<shape.rank).filter { shape[$0] > 1 }
        let fits = operands().loads.allSatisfy { load in
            spatial.allSatisfy { load.strides[$0] == 0 } || spatial.allSatisfy { load.strides[$0] == shape.strides[$0] }
        }
        return fits ? shape : nil
    }

    /// Whether `writePlane` can compute this loop.
    var fitsPlanes: Bool { planeShape != nil }

    /// Writes the loop over output elements [image, channel, start..<end), in its own scope
    /// (nothing when the loop has neither nodes nor a bias).
    func writePlane(_ writer: inout CWriter, _ range: KernelContext.PlaneRange) {
        guard !nodes.isEmpty || primaryBias != nil else { return }
        let shape = planeShape!
        let operands = operands()
        let spatial = Array(2..<shape.rank).filter { shape[$0] > 1 }
        func base(_ strides: [Int]) -> String {
            let image = shape[0] > 1 && strides[0] != 0 ? "(\(range.image))*\(strides[0])" : nil
            let channel = shape[1] > 1 && strides[1] != 0 ? "(\(range.channel))*\(strides[1])" : nil
            return [image, channel].compactMap { $0 }.joined(separator: " + ").nonEmpty ?? "0"
        }
        writer.scope { scope in
            var names: [Load: String] = [:]
            var varying: [Load] = []
            for (index, load) in operands.loads.enumerated() {
                let perElement = !spatial.isEmpty && load.strides[spatial[0]] != 0
                names[load] = (perElement ? "a" : "u") + String(index)
                if perElement {
                    varying.append(load)
                    scope.line("const float *p\(index) = \(load.pointer) + \(base(load.strides));")
                } else {
                    scope.line("const float \(names[load]!) = \(load.pointer)[\(base(load.strides))];")
                }
            }
            scope.line("const long ob = \(base(shape.strides));")
            scope.block("for (long q = \(range.start); q < \(range.end); q++)") { loop in
                for load in varying {
                    let index = operands.loads.firstIndex(of: load)!
                    loop.line("float \(names[load]!) = p\(index)[q];")
                }
                compute(&loop, operands, names, own: "ob + q")
            }
        }
    }
}

private extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}

/// A loop shape with its axes of extent 1 dropped and each run of adjacent axes merged into one
/// where the shape's own strides and every operand's strides advance alike (`stride[a] ==
/// stride[a+1] * extent[a+1]`): [1, 96, 112, 112] with a per-channel operand becomes 96 × 12544.
struct MergedAxes {
    /// The extents of the merged axes, outermost first (one axis of the whole count when all merge).
    let extents: [Int]
    /// For each merged axis, the original axes it covers.
    private let groups: [[Int]]
    private let shape: Shape

    init(shape: Shape, strides operands: [[Int]]) {
        self.shape = shape
        let all = [shape.strides] + operands
        var groups: [[Int]] = []
        for axis in 0..<shape.rank where shape[axis] > 1 {
            if let last = groups.last?.last,
               all.allSatisfy({ $0[last] == $0[axis] * shape[axis] }) {
                groups[groups.count - 1].append(axis)
            } else {
                groups.append([axis])
            }
        }
        if groups.isEmpty { groups = [[]] }
        self.groups = groups
        extents = groups.map { $0.reduce(1) { $0 * shape[$1] } }
    }

    /// An operand's strides over the merged axes: the stride of the innermost axis of each group.
    func strides(of strides: [Int]) -> [Int] { groups.map { $0.last.map { strides[$0] } ?? 0 } }

    /// The loop shape's own strides over the merged axes.
    var ownStrides: [Int] { strides(of: shape.strides) }
}
