import KilnC
import KilnIR

/// The index arithmetic every reduction shares: which axes of the input are reduced, the output
/// shape, the groups of input elements each output element folds (for the reference), and the
/// loop nest of the C kernel.
///
/// Attributes: `axes` (integers; absent = every axis; an empty list reduces nothing; negative
/// axes count from the end; naming an axis twice is an error) and `keepdims` (default false:
/// reduced axes are dropped; true: they stay with extent 1).
struct ReductionGeometry {
    /// The input shape.
    let input: Shape
    /// The reduced axes, non-negative and ascending.
    let reducedAxes: [Int]
    /// Whether reduced axes stay in the output with extent 1.
    let keepdims: Bool

    /// Reads the attributes of a reduction of `input` (input 0).
    init<Definition: Operator>(
        _ definition: Definition, input: TensorType, attributes: Attributes
    ) throws(ShapeError) {
        self.input = input.shape
        keepdims = try definition.bool(attributes, "keepdims", default: false)
        if let axes = try definition.optionalInts(attributes, "axes") {
            reducedAxes = try definition.normalizedAxes(axes, of: input, index: 0, attribute: "axes").sorted()
        } else {
            reducedAxes = Array(0..<input.shape.rank)
        }
    }

    /// The input shape with every reduced axis at extent 1: the output shape under `keepdims`,
    /// and the shape a gradient is reshaped to before it is expanded back over the input.
    var keptShape: Shape {
        Shape(input.dimensions.enumerated().map { reducedAxes.contains($0.offset) ? 1 : $0.element })
    }

    /// The output shape.
    var outputShape: Shape {
        keepdims ? keptShape : Shape(input.dimensions.enumerated().filter { !reducedAxes.contains($0.offset) }.map(\.element))
    }

    /// The number of input elements folded into each output element.
    var reducedCount: Int { reducedAxes.reduce(1) { $0 * input[$1] } }

    /// For each output element in C order, the input elements it folds, in C order of the
    /// reduced axes (so position `k` of a group is the index `argmax` reports).
    func groups(_ values: [Double]) -> [[Double]] {
        let strides = input.strides
        let keptAxes = (0..<input.rank).filter { !reducedAxes.contains($0) }
        let keptSpace = IndexSpace(Shape(keptAxes.map { input[$0] }))
        let reducedSpace = IndexSpace(Shape(reducedAxes.map { input[$0] }))
        return keptSpace.map { kept in
            let base = kept.offset(strides: keptAxes.map { strides[$0] })
            return reducedSpace.map { values[base + $0.offset(strides: reducedAxes.map { strides[$0] })] }
        }
    }

    /// `value` (of the output shape) reshaped to `keptShape`, so that it broadcasts against the input.
    func reshapeToKept(_ value: NodeID, _ context: inout GradientContext) throws(KilnError) -> NodeID {
        if context.type(of: value).shape == keptShape { return value }
        return try context.add("reshape", [value], attributes: ["shape": .ints(keptShape.dimensions)])
    }

    /// `value` (of the output shape) copied to every input position it was folded from.
    func expandToInput(_ value: NodeID, _ context: inout GradientContext) throws(KilnError) -> NodeID {
        let kept = try reshapeToKept(value, &context)
        if keptShape == input { return kept }
        return try context.add("expand", [kept], attributes: ["shape": .ints(input.dimensions)])
    }

    /// One loop of the C kernel: axes of the same kind (kept or reduced) that are adjacent in the
    /// input merged into one, extent-1 axes dropped.
    struct Loop {
        /// The number of iterations.
        var extent: Int
        /// The stride of the loop in the input, in elements.
        var inputStride: Int
        /// The stride in the output (kept loops) or in the C-order index over the reduced
        /// elements (reduced loops).
        var ownStride: Int
        /// Whether the loop runs over reduced axes.
        var reduced: Bool
    }

    /// The loops of the C kernel in input order.
    var loops: [Loop] {
        let strides = input.strides
        var loops: [Loop] = []
        var keptStride = 1, reducedStride = 1
        for axis in (0..<input.rank).reversed() where input[axis] != 1 {
            let reduced = reducedAxes.contains(axis)
            let ownStride = reduced ? reducedStride : keptStride
            if let first = loops.first, first.reduced == reduced {
                loops[0].extent *= input[axis]
            } else {
                loops.insert(Loop(extent: input[axis], inputStride: strides[axis], ownStride: ownStride, reduced: reduced), at: 0)
            }
            if reduced { reducedStride *= input[axis] } else { keptStride *= input[axis] }
        }
        return loops
    }

    /// Writes the kernel: loops over the kept elements outside, the fold over the reduced
    /// elements inside, one store per output element. Long dependency chains are split over
    /// several accumulator lanes: along the innermost reduced run when it is contiguous and
    /// long (`emitRows`), or across 8 neighbouring outputs when the innermost axis is kept
    /// (`emitColumns`, which also reads each input row contiguously).
    func emitC(_ kernel: inout KernelContext, _ accumulator: ReductionAccumulator) {
        let loops = self.loops
        if let last = loops.last, !last.reduced, last.extent >= ReductionGeometry.columnLanes, loops.contains(where: \.reduced) {
            emitColumns(&kernel, accumulator, loops)
        } else {
            emitRows(&kernel, accumulator, loops)
        }
    }

    /// Outputs computed together when the innermost axis is kept.
    static let columnLanes = 8

    private func emitRows(_ kernel: inout KernelContext, _ accumulator: ReductionAccumulator, _ loops: [Loop]) {
        let kept = loops.filter { !$0.reduced }, reduced = loops.filter(\.reduced)
        let reader = kernel, output = kernel.output
        let outputType = kernel.signature.output.dtype.cType
        kernel.writer.loopNest(kept.map(\.extent), prefix: "o") { body, outer in
            let base = CIndex.sum(outer, strides: kept.map(\.inputStride))
            let target = CIndex.sum(outer, strides: kept.map(\.ownStride))
            let run = reduced.last.flatMap { $0.inputStride == 1 && FoldLoop.lanes(for: $0.extent) > 1 ? $0 : nil }
            let lanes = run.map { FoldLoop.lanes(for: $0.extent) } ?? 1
            for lane in 0..<lanes { accumulator.declare(lane).forEach { body.line($0) } }
            let nested = run == nil ? reduced : Array(reduced.dropLast())
            body.loopNest(nested.map(\.extent), prefix: "r") { inner, names in
                let offset = CIndex.sum([base, CIndex.sum(names, strides: nested.map(\.inputStride))])
                let position = CIndex.sum(names, strides: nested.map(\.ownStride))
                if let run {
                    FoldLoop.emit(&inner, extent: run.extent, lanes: lanes, accumulator: accumulator) { lane, k in
                        let element = reader.load(0, at: CIndex.sum([offset, k]), tag: "\(lane)")
                        return (element.setup + ["float v\(lane) = \(element.value);"], "v\(lane)", CIndex.sum([position, k]))
                    }
                } else {
                    let element = reader.load(0, at: offset, tag: "0")
                    element.setup.forEach { inner.line($0) }
                    inner.line("float v0 = \(element.value);")
                    inner.line(accumulator.fold(0, "v0", position))
                }
            }
            for lane in 1..<lanes { accumulator.merge(lane).forEach { body.line($0) } }
            body.line("\(output)[\(target)] = (\(outputType))(\(accumulator.result(0)));")
        }
    }

    private func emitColumns(_ kernel: inout KernelContext, _ accumulator: ReductionAccumulator, _ loops: [Loop]) {
        let kept = loops.filter { !$0.reduced }, reduced = loops.filter(\.reduced)
        let outer = Array(kept.dropLast()), columns = kept[kept.count - 1].extent
        let lanes = ReductionGeometry.columnLanes, tiled = columns - columns % lanes
        let reader = kernel, output = kernel.output
        let outputType = kernel.signature.output.dtype.cType
        // One block of `count` neighbouring outputs starting at column `c`.
        func block(_ writer: inout CWriter, base: String, target: String, c: String, count: Int) {
            for lane in 0..<count { accumulator.declare(lane).forEach { writer.line($0) } }
            writer.loopNest(reduced.map(\.extent), prefix: "r") { inner, names in
                let offset = CIndex.sum([base, CIndex.sum(names, strides: reduced.map(\.inputStride)), c])
                let position = CIndex.sum(names, strides: reduced.map(\.ownStride))
                for lane in 0..<count {
                    let element = reader.load(0, at: CIndex.sum([offset, lane == 0 ? "0" : "\(lane)"]), tag: "\(lane)")
                    element.setup.forEach { inner.line($0) }
                    inner.line("float v\(lane) = \(element.value);")
                    inner.line(accumulator.fold(lane, "v\(lane)", position))
                }
            }
            for lane in 0..<count {
                let column = CIndex.sum([target, c, lane == 0 ? "0" : "\(lane)"])
                writer.line("\(output)[\(column)] = (\(outputType))(\(accumulator.result(lane)));")
            }
        }
        kernel.writer.loopNest(outer.map(\.extent), prefix: "o") { body, names in
            let base = CIndex.sum(names, strides: outer.map(\.inputStride))
            let target = CIndex.sum(names, strides: outer.map(\.ownStride))
            body.block("for (long c = 0; c < \(tiled); c += \(lanes))") { block(&$0, base: base, target: target, c: "c", count: lanes) }
            if tiled < columns {
                body.block("for (long c = \(tiled); c < \(columns); c++)") { block(&$0, base: base, target: target, c: "c", count: 1) }
            }
        }
    }
}

/// The C of one fold (sum, max, argmax, ...): a few accumulator variables per lane, a statement
/// that folds one value into a lane, and a merge of every lane into lane 0.
public struct ReductionAccumulator {
    /// The declarations of lane `lane`'s variables, initialized to the fold's identity.
    var declare: (_ lane: Int) -> [String]
    /// The statement folding `value` (at C-order reduced position `position`) into lane `lane`.
    var fold: (_ lane: Int, _ value: String, _ position: String) -> String
    /// The statements merging lane `lane` into lane 0.
    var merge: (_ lane: Int) -> [String]
    /// The result of lane `lane`, an expression of its variables.
    var result: (_ lane: Int) -> String

    /// Sum in variables `name0`, `name1`, ...; the result is divided by `divisor` when given (a mean).
    static func sum(name: String = "acc", divisor: Int? = nil) -> ReductionAccumulator {
        ReductionAccumulator(
            declare: { ["float \(name)\($0) = 0.0f;"] },
            fold: { lane, value, _ in "\(name)\(lane) += \(value);" },
            merge: { ["\(name)0 += \(name)\($0);"] },
            result: { lane in divisor.map { "\(name)\(lane) / \(CLiteral.float(Double($0)))" } ?? "\(name)\(lane)" })
    }

    /// Maximum (`greater: true`) or minimum in variables `name0`, ..., starting from ∓∞.
    static func extremum(greater: Bool, name: String = "acc") -> ReductionAccumulator {
        let comparison = greater ? ">" : "<"
        let identity = greater ? "(-KILN_INFINITY)" : "KILN_INFINITY"
        return ReductionAccumulator(
            declare: { ["float \(name)\($0) = \(identity);"] },
            fold: { lane, value, _ in
                "\(name)\(lane) = \(value) \(comparison) \(name)\(lane) ? \(value) : \(name)\(lane);"
            },
            merge: { ["\(name)0 = \(name)\($0) \(comparison) \(name)0 ? \(name)\($0) : \(name)0;"] },
            result: { "\(name)\($0)" })
    }

    /// Position of the maximum, the first one on ties: each lane keeps its best value and
    /// position; merging prefers the greater value, then the smaller position.
    static var argmax: ReductionAccumulator {
        ReductionAccumulator(
            declare: { ["float best\($0) = (-KILN_INFINITY);", "long at\($0) = 0;"] },
            fold: { lane, value, position in
                "if (\(value) > best\(lane)) { best\(lane) = \(value); at\(lane) = \(position); }"
            },
            merge: { lane in
                ["if (best\(lane) > best0 || (best\(lane) == best0 && at\(lane) < at0)) { best0 = best\(lane); at0 = at\(lane); }"]
            },
            result: { "at\($0)" })
    }
}

/// A fold over one contiguous run of `extent` elements, unrolled over several accumulator lanes
/// so that tcc's code is not limited by one dependency chain.
enum FoldLoop {
    /// Lanes for a run: 8 when the run is long enough to pay for the merge, else 1.
    static func lanes(for extent: Int) -> Int { extent >= 16 ? 8 : 1 }

    /// Writes the unrolled loop and its remainder. `element(lane, k)` gives the statements that
    /// load element `k` (a C expression), the value to fold, and its reduced position.
    static func emit(
        _ writer: inout CWriter, extent: Int, lanes: Int, accumulator: ReductionAccumulator,
        element: (_ lane: Int, _ k: String) -> (setup: [String], value: String, position: String)
    ) {
        let unrolled = extent - extent % lanes
        writer.block("for (long k = 0; k < \(unrolled); k += \(lanes))") { body in
            for lane in 0..<lanes {
                let (setup, value, position) = element(lane, lane == 0 ? "k" : "(k + \(lane))")
                setup.forEach { body.line($0) }
                body.line(accumulator.fold(lane, value, position))
            }
        }
        if unrolled < extent {
            writer.block("for (long k = \(unrolled); k < \(extent); k++)") { body in
                let (setup, value, position) = element(0, "k")
                setup.forEach { body.line($0) }
                body.line(accumulator.fold(0, value, position))
            }
        }
    }
}

/// C index expressions.
enum CIndex {
    /// `i0*s0 + i1*s1 + ...`, skipping zero strides, negative strides parenthesized; "0" when empty.
    static func sum(_ indices: [String], strides: [Int]) -> String {
        sum(zip(indices, strides).map { name, stride in
            switch stride {
            case _ where name == "0": "0"
            case 0: "0"
            case 1: name
            default: "\(name)*\(CLiteral.int(stride))"
            }
        })
    }

    /// The sum of terms, dropping "0" terms; "0" when nothing is left.
    static func sum(_ terms: [String]) -> String {
        let kept = terms.filter { $0 != "0" && !$0.isEmpty }
        return kept.isEmpty ? "0" : kept.joined(separator: " + ")
    }
}
