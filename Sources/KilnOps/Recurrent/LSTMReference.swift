import Foundation
import KilnIR

/// The float64 definition of `lstm_sequence` and `lstm_sequence_backward`: the forward trace
/// (gate activations, hidden and cell states at every position) and the reverse sweep.
struct LSTMReference {
    let g: LSTMSequenceGeometry
    /// Activated gates i, f, C̃, o at `(b·T + t)·4H + gate·H + j`.
    var gates: [Double]
    /// h_t and C_t at `(b·T + t)·H + j`.
    var hidden: [Double], cell: [Double]
    let initialHidden: [Double], initialCell: [Double]

    /// W[k][n] read from panels `[⌈N/32⌉, K, 32]`.
    static func panel(_ p: [Double], rows: Int, _ k: Int, _ n: Int) -> Double {
        let width = LSTMSequenceGeometry.panelWidth
        return p[((n / width) * rows + k) * width + n % width]
    }

    /// Runs the forward pass on inputs x, W_x panels, W_h panels, b (and h₀, C₀); with `states`
    /// (`[2, B, T, H]`), the gates are computed from those hidden states and the states kept.
    init(_ g: LSTMSequenceGeometry, _ inputs: [ReferenceTensor], states: [Double]? = nil) {
        self.g = g
        let (batch, steps, features, size) = (g.batch, g.steps, g.features, g.hidden)
        let x = inputs[0].values, px = inputs[1].values, ph = inputs[2].values, bias = inputs[3].values
        initialHidden = g.hasInitial ? inputs[4].values : [Double](repeating: 0, count: batch * size)
        initialCell = g.hasInitial ? inputs[5].values : [Double](repeating: 0, count: batch * size)
        gates = [Double](repeating: 0, count: batch * steps * g.gates)
        hidden = [Double](repeating: 0, count: batch * steps * size)
        cell = hidden
        if let states {
            hidden = Array(states[..<(batch * steps * size)])
            cell = Array(states[(batch * steps * size)...])
        }
        for t in g.order {
            for b in 0..<batch {
                let (hp, cp) = previous(b, t)
                var pre = [Double](repeating: 0, count: g.gates)
                for n in 0..<g.gates {
                    var sum = bias[n]
                    for k in 0..<features { sum += x[(b * steps + t) * features + k] * Self.panel(px, rows: features, k, n) }
                    for k in 0..<size { sum += hp[hp.startIndex + k] * Self.panel(ph, rows: size, k, n) }
                    pre[n] = sum
                }
                let row = (b * steps + t) * size
                for j in 0..<size {
                    let i = sigmoid(pre[j]), f = sigmoid(pre[size + j]), u = tanh(pre[2 * size + j]), o = sigmoid(pre[3 * size + j])
                    let c = f * cp[cp.startIndex + j] + i * u
                    if states == nil {
                        cell[row + j] = c
                        hidden[row + j] = o * tanh(c)
                    }
                    for (gate, value) in [i, f, u, o].enumerated() { gates[(b * steps + t) * g.gates + gate * size + j] = value }
                }
            }
        }
    }

    /// The states before position t of batch row b: the previous position's, or the initial ones.
    func previous(_ b: Int, _ t: Int) -> (hidden: ArraySlice<Double>, cell: ArraySlice<Double>) {
        let size = g.hidden
        guard let p = g.previous(t) else {
            return (initialHidden[(b * size)..<((b + 1) * size)], initialCell[(b * size)..<((b + 1) * size)])
        }
        let row = (b * g.steps + p) * size
        return (hidden[row..<(row + size)], cell[row..<(row + size)])
    }

    /// The reverse sweep for the gradient `d` of the output `[2, B, T, H]`: the gradients of the
    /// gate pre-activations `[B·T, 4H]`, then per batch row ∂h₀, ∂C₀ and 2H zeros; `wh` is W_h
    /// `[H, 4H]`.
    func backward(_ d: [Double], hiddenWeight wh: [Double]) -> [Double] {
        let (batch, steps, size) = (g.batch, g.steps, g.hidden)
        var result = [Double](repeating: 0, count: (batch * steps + batch) * g.gates)
        var dh = [Double](repeating: 0, count: batch * size), dc = dh
        for t in g.order.reversed() {
            var carry = [Double](repeating: 0, count: batch * size)
            for b in 0..<batch {
                let cp = previous(b, t).cell
                let row = (b * steps + t) * size, gateRow = (b * steps + t) * g.gates
                for j in 0..<size {
                    let i = gates[gateRow + j], f = gates[gateRow + size + j], u = gates[gateRow + 2 * size + j]
                    let o = gates[gateRow + 3 * size + j], tc = tanh(cell[row + j])
                    let dhj = d[row + j] + dh[b * size + j]
                    let dcj = dc[b * size + j] + d[batch * steps * size + row + j] + dhj * o * (1 - tc * tc)
                    let local = [dcj * u * i * (1 - i), dcj * cp[cp.startIndex + j] * f * (1 - f), dcj * i * (1 - u * u), dhj * tc * o * (1 - o)]
                    for (gate, value) in local.enumerated() { result[gateRow + gate * size + j] = value }
                    dc[b * size + j] = dcj * f
                }
                for k in 0..<size {
                    var sum = 0.0
                    for n in 0..<g.gates { sum += result[gateRow + n] * wh[k * g.gates + n] }
                    carry[b * size + k] = sum
                }
            }
            dh = carry
        }
        for b in 0..<batch {
            for j in 0..<size {
                result[(batch * steps + b) * g.gates + j] = dh[b * size + j]
                result[(batch * steps + b) * g.gates + size + j] = dc[b * size + j]
            }
        }
        return result
    }

    private func sigmoid(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
}
