import KilnC
import KilnIR

/// What `gather` and its gradient `gather_grad` share: the data viewed as `[outer, extent,
/// inner]` around the gathered axis, the number of indices, and how an index is resolved.
///
/// An index `i` in `-extent ..< extent` picks row `i` (negative counts from the end). Indices
/// outside that range are a user error that is not checked at run time; the result for them is
/// unspecified. Both the reference and the C give NaN rows in `gather` and ignore them in
/// `gather_grad`, and the C never reads or writes outside its buffers.
struct GatherGeometry {
    /// The product of the data extents before the axis.
    let outer: Int
    /// The extent of the gathered axis.
    let extent: Int
    /// The product of the data extents after the axis.
    let inner: Int
    /// The number of indices.
    let count: Int
    /// The gathered shape: `data[..<axis] + indices + data[(axis + 1)...]`.
    let gatheredShape: Shape

    /// The geometry of gathering `data` along `axis` (already normalized) by `indices`.
    init(data: Shape, axis: Int, indices: Shape) {
        outer = data.dimensions[..<axis].reduce(1, *)
        extent = data[axis]
        inner = data.dimensions[(axis + 1)...].reduce(1, *)
        count = indices.elementCount
        gatheredShape = Shape(data.dimensions[..<axis] + indices.dimensions + data.dimensions[(axis + 1)...])
    }

    /// Checks that input `index` holds integer indices.
    static func requireIndices(_ inputs: [TensorType], _ index: Int) throws(ShapeError) {
        guard inputs[index].dtype.isInteger else {
            throw ShapeError("input \(index) (indices) is \(inputs[index]); expected i64 or i32")
        }
    }

    /// The row an index picks, or nil when it is out of range.
    func row(_ index: Double) -> Int? {
        guard let value = ReferenceTensor.index(index), value >= -extent, value < extent else { return nil }
        return value < 0 ? value + extent : value
    }

    /// Writes loops over every (outer, index) pair. In the body, `valid` is 1 when the index is
    /// in range and `row` the row it picks (0 when out of range, so addresses stay in bounds);
    /// `body(writer, gathered, data)` gets the offsets of the pair's first element in the
    /// gathered layout and in the data layout.
    func emitPairs(
        _ writer: inout CWriter, indices: String, _ body: (inout CWriter, String, String) -> Void
    ) {
        let loops = [(outer, "o"), (count, "j")].filter { $0.0 != 1 }
        writer.loopNest(loops.map(\.0), prefix: "p") { inner, names in
            let o = loops.firstIndex { $0.1 == "o" }.map { names[$0] } ?? "0"
            let j = loops.firstIndex { $0.1 == "j" }.map { names[$0] } ?? "0"
            inner.line("long index = (long)\(indices)[\(j)];")
            inner.line("long valid = (index >= \(CLiteral.int(-extent))) & (index < \(extent));")
            inner.line("long row = (index + \(extent) * (index < 0)) * valid;")
            let gathered = CIndex.sum([CIndex.sum([o], strides: [count * self.inner]), CIndex.sum([j], strides: [self.inner])])
            let data = CIndex.sum([CIndex.sum([o], strides: [extent * self.inner]), CIndex.sum(["row"], strides: [self.inner])])
            body(&inner, gathered, data)
        }
    }
}
