import Foundation
import KilnIR

extension GraphBuilder {
    /// The Transformer's sinusoidal position table `[length, dimension]`:
    /// `PE(p, 2i) = sin(p / 10000^(2i/d))`, `PE(p, 2i+1) = cos(p / 10000^(2i/d))`.
    ///
    /// Built in the graph as `sin(p·ωₖ + φₖ)` (cos x = sin(x + π/2)) from a column of positions, a
    /// row of frequencies and a row of phases, so the graph holds `length + 2·dimension` numbers
    /// rather than the table; constant folding may turn it into the table.
    ///
    /// - Throws: when `length` or `dimension` is below 1.
    public mutating func sinusoidalPositions(length: Int, dimension: Int) throws(KilnError) -> NodeID {
        guard length >= 1, dimension >= 1 else {
            throw compositeError(
                "sinusoidal_positions", [], "length \(length) and dimension \(dimension) must both be 1 or more")
        }
        let frequencies = (0..<dimension).map { Foundation.pow(10000, -Double(2 * ($0 / 2)) / Double(dimension)) }
        let phases = (0..<dimension).map { $0 % 2 == 0 ? 0 : Double.pi / 2 }
        let angles = try add("mul", [positions(length, shape: [length, 1]), constant(frequencies, shape: [dimension], name: "frequencies")])
        return try add("sin", [try add("add", [angles, constant(phases, shape: [dimension], name: "phases")])])
    }

    /// `x + PE` for `x` of shape `[..., length, dimension]`: the sinusoidal position table added
    /// to every sequence of the batch. No parameters; any length.
    ///
    /// - Throws: when `x` is not a float32 tensor of rank 2 or more.
    public mutating func addSinusoidalPositions(_ x: NodeID) throws(KilnError) -> NodeID {
        let xType = type(of: x)
        guard xType.dtype == .float32, xType.shape.rank >= 2 else {
            throw compositeError(
                "sinusoidal_positions", [x], "input 0 is \(xType); expected f32[..., positions, features] of rank 2 or more")
        }
        let rank = xType.shape.rank
        let table = try sinusoidalPositions(length: xType.shape[rank - 2], dimension: xType.shape[rank - 1])
        return try add("add", [x, table])
    }
}
