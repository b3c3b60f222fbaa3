extension MemoryPlan {
    /// Sets every buffer's offset, largest first, each at the smallest gap between the buffers
    /// already placed that are live at a common step (or above them all); returns the arena size.
    /// The memory planner places a graph's buffers with it; standalone C places its activations
    /// again once the weights, inputs and outputs live in the caller's buffers.
    public static func placeBestFit(_ buffers: inout [Buffer]) -> Int {
        let order = buffers.indices.sorted {
            (buffers[$0].bytes, -buffers[$0].firstStep, -$0) > (buffers[$1].bytes, -buffers[$1].firstStep, -$1)
        }
        /// The buffers placed so far, kept sorted by offset.
        var placed: [(offset: Int, end: Int, first: Int, last: Int)] = []
        var arena = 0
        for index in order {
            let size = buffers[index].bytes, first = buffers[index].firstStep, last = buffers[index].lastStep
            var best: (offset: Int, waste: Int)?
            var cursor = 0
            for other in placed where other.first <= last && first <= other.last {
                let gap = other.offset - cursor
                if gap >= size, best == nil || gap - size < best!.waste { best = (cursor, gap - size) }
                cursor = max(cursor, other.end)
            }
            let offset = best?.offset ?? cursor
            buffers[index].offset = offset
            arena = max(arena, offset + size)
            let position = placed.firstIndex { $0.offset > offset } ?? placed.count
            placed.insert((offset, offset + size, first, last), at: position)
        }
        return arena
    }
}
