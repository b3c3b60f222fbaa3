import KilnC
import KilnIR

/// The matrices of Winograd's minimal filtering F(m×m, 3×3) (Lavin and Gray, 2015): an m×m output
/// tile of a 3×3 convolution is `Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A` for the α×α input tile `d`
/// (α = m + 2) and the filter `g`. The element-wise products summed over input channels are α²
/// GEMMs. Exact in exact arithmetic; in float32 the error grows with m (see `Conv2DWinograd`).
struct WinogradTransform: Hashable {
    /// The output tile's side, 2 or 4.
    let m: Int
    /// Bᵀ (α × α).
    let inputTransform: [[Double]]
    /// G (α × 3).
    let filterTransform: [[Double]]
    /// Aᵀ (m × α).
    let outputTransform: [[Double]]

    /// The input tile's side, m + 2.
    var alpha: Int { m + 2 }
    /// α²: the element-wise products per tile, one GEMM each.
    var positions: Int { alpha * alpha }

    /// The transform for output tiles of side `tile` (2 or 4), nil for any other.
    init?(tile: Int) {
        m = tile
        switch tile {
        case 2:
            inputTransform = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]
            filterTransform = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
            outputTransform = [[1, 1, 1, 0], [0, 1, -1, -1]]
        case 4:
            inputTransform = [
                [4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
                [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1],
            ]
            filterTransform = [
                [1.0 / 4, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
                [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1],
            ]
            outputTransform = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]]
        default:
            return nil
        }
    }

    /// `left · x · rightᵀ` for the matrices `left` (p × q), `x` (q × r) and `right` (s × r).
    static func sandwich(_ left: [[Double]], _ x: [[Double]], _ right: [[Double]]) -> [[Double]] {
        let inner = left.map { row in (0..<x[0].count).map { j in zip(row, x).reduce(0) { $0 + $1.0 * $1.1[j] } } }
        return inner.map { row in right.map { column in zip(row, column).reduce(0) { $0 + $1.0 * $1.1 } } }
    }

    /// Writes `name{i}{j} = (left · x · rightᵀ)[i][j]` as float locals, from the C names of x's
    /// elements `x[i][j]`, through the intermediate `name` + `t{i}{j}`; zero coefficients are
    /// left out, so each element costs only the transform's nonzero terms.
    static func writeSandwich(
        _ writer: inout CWriter, _ left: [[Double]], _ x: [[String]], _ right: [[Double]], name: String
    ) {
        for i in left.indices {
            for j in x[0].indices {
                writer.line("const float \(name)t\(i)_\(j) = \(combination(left[i], x.map { $0[j] }));")
            }
        }
        for i in left.indices {
            for j in right.indices {
                let row = x[0].indices.map { "\(name)t\(i)_\($0)" }
                writer.line("const float \(name)\(i)_\(j) = \(combination(right[j], row));")
            }
        }
    }

    /// `Σ coefficient·term` over the nonzero coefficients, as C (`0.0f` when all are zero).
    static func combination(_ coefficients: [Double], _ terms: [String]) -> String {
        var text = ""
        for (coefficient, term) in zip(coefficients, terms) where coefficient != 0 {
            let magnitude = abs(coefficient)
            let product = magnitude == 1 ? term : "\(CLiteral.float(magnitude))*\(term)"
            if text.isEmpty {
                text = coefficient < 0 ? "-" + product : product
            } else {
                text += coefficient < 0 ? " - " + product : " + " + product
            }
        }
        return text.isEmpty ? "0.0f" : text
    }
}
