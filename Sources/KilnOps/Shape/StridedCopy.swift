import KilnC
import KilnIR

/// A copy between two strided views, the index arithmetic shared by `transpose`, `expand`,
/// `slice`, `concat` and `pad`: for every index `i` of `extents`,
/// `target[targetOffset + Σ iₐ·targetStridesₐ] = source[sourceOffset + Σ iₐ·sourceStridesₐ]`.
struct StridedCopy {
    /// The extent of each axis of the copied block.
    var extents: [Int]
    /// The stride of each axis in the source, in elements (0 repeats an element; negative runs backwards).
    var sourceStrides: [Int]
    /// The source element at index 0.
    var sourceOffset = 0
    /// The stride of each axis in the target, in elements.
    var targetStrides: [Int]
    /// The target element at index 0.
    var targetOffset = 0

    /// The same copy with extent-1 axes dropped and adjacent axes merged where both views step
    /// through them as one run.
    var simplified: StridedCopy {
        var result = StridedCopy(
            extents: [], sourceStrides: [], sourceOffset: sourceOffset, targetStrides: [], targetOffset: targetOffset)
        for axis in extents.indices.reversed() where extents[axis] != 1 {
            let extent = extents[axis], source = sourceStrides[axis], target = targetStrides[axis]
            if let inner = result.extents.first,
               source == result.sourceStrides[0] * inner, target == result.targetStrides[0] * inner {
                result.extents[0] *= extent
            } else {
                result.extents.insert(extent, at: 0)
                result.sourceStrides.insert(source, at: 0)
                result.targetStrides.insert(target, at: 0)
            }
        }
        return result
    }

    /// Writes the copy as loops over the simplified axes; an innermost run of 8 or more elements
    /// that is contiguous on both sides becomes one `memcpy`. An empty copy only marks the
    /// pointers used (so that `-Wunused-parameter` stays quiet).
    func emit(_ writer: inout CWriter, source: String, target: String, elementType: DType) {
        let copy = simplified
        guard !copy.extents.contains(0) else {
            writer.line("(void)\(source); (void)\(target);")
            return
        }
        var loops = copy.extents.indices.map { $0 }
        var run: Int?
        if let last = loops.last, copy.sourceStrides[last] == 1, copy.targetStrides[last] == 1, copy.extents[last] >= 8 {
            run = copy.extents[last]
            loops.removeLast()
        }
        writer.loopNest(loops.map { copy.extents[$0] }, prefix: "i") { body, names in
            let from = CIndex.sum([CLiteral.int(copy.sourceOffset), CIndex.sum(names, strides: loops.map { copy.sourceStrides[$0] })])
            let to = CIndex.sum([CLiteral.int(copy.targetOffset), CIndex.sum(names, strides: loops.map { copy.targetStrides[$0] })])
            if let run {
                body.line("memcpy(\(target) + \(to), \(source) + \(from), \(run * elementType.byteSize));")
            } else {
                body.line("\(target)[\(to)] = \(source)[\(from)];")
            }
        }
    }
}
