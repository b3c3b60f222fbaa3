/// Tensors as compiled code lays them out in memory (the arena's layout): elements in C order
/// and the machine's byte order, `float32` and `int32` in 4 bytes, `int64` in 8, `bool` in one
/// byte holding 0 or 1.
extension TensorValue {
    /// A copy of the tensor of `type` whose elements start at `base`.
    public init(type: TensorType, copyingFrom base: UnsafeRawPointer) {
        let count = type.shape.elementCount
        switch type.dtype {
        case .float32:
            self.init(shape: type.shape, floats: Array(UnsafeBufferPointer(start: base.assumingMemoryBound(to: Float.self), count: count)))
        case .int32:
            let elements = UnsafeBufferPointer(start: base.assumingMemoryBound(to: Int32.self), count: count)
            self.init(dtype: .int32, shape: type.shape, integers: elements.map(Int64.init))
        case .int64:
            self.init(dtype: .int64, shape: type.shape, integers: Array(UnsafeBufferPointer(start: base.assumingMemoryBound(to: Int64.self), count: count)))
        case .bool:
            let elements = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: count)
            self.init(dtype: .bool, shape: type.shape, integers: elements.map { $0 != 0 ? 1 : 0 })
        }
    }

    /// A tensor of `type` filled with seeded uniform values in `[low, high)` (integers: in `low..<high`;
    /// booleans: 0 or 1).
    public static func random(_ type: TensorType, seed: UInt64, low: Double = -1, high: Double = 1) -> TensorValue {
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: max(type.byteCount, 1), alignment: 16)
        defer { bytes.deallocate() }
        fillRandom(type, seed: seed, low: low, high: high, into: bytes)
        return TensorValue(type: type, copyingFrom: bytes)
    }

    /// Writes the elements `random(type, seed:low:high:)` holds to the `type.byteCount` bytes at
    /// `base`, in the layout above, without building the tensor (so a large input is generated
    /// where compiled code reads it).
    public static func fillRandom(_ type: TensorType, seed: UInt64, low: Double = -1, high: Double = 1, into base: UnsafeMutableRawPointer) {
        var generator = SeededGenerator(seed: seed)
        let count = type.shape.elementCount
        func integer() -> Int64 { Int64(Int(low) + Int(generator.next() % UInt64(max(1, Int(high) - Int(low))))) }
        switch type.dtype {
        case .float32:
            let elements = base.bindMemory(to: Float.self, capacity: count)
            for index in 0..<count { elements[index] = Float(generator.uniform(low, high)) }
        case .int32:
            let elements = base.bindMemory(to: Int32.self, capacity: count)
            for index in 0..<count { elements[index] = Int32(truncatingIfNeeded: integer()) }
        case .int64:
            let elements = base.bindMemory(to: Int64.self, capacity: count)
            for index in 0..<count { elements[index] = integer() }
        case .bool:
            let elements = base.bindMemory(to: UInt8.self, capacity: count)
            for index in 0..<count { elements[index] = UInt8(generator.next() % 2) }
        }
    }
}
