import KilnC
import KilnIR

/// The reverse sweep of `lstm_sequence` (backpropagation through time), built by its gradient.
///
/// Inputs: the forward node's x, W_x panels, W_h panels and bias, then W_h `[H, 4H]` unpacked,
/// the forward output `[2, B, T, H]` (hidden and cell states) and its gradient, and the initial
/// states h₀, C₀ if the forward node has them. Attribute `reverse` as the forward node's.
/// Output `[B·T + B, 4H]`: rows `b·T + t` hold the gradients of the gate pre-activations dG
/// (the gradient of x_t·W_x + h_{t−1}·W_h + b), and row `B·T + b` holds ∂h₀ (columns 0..<H),
/// ∂C₀ (H..<2H) and zeros: one node, since nodes have one output.
///
/// A primitive for the same reason as the forward node. The kernel recomputes the gates (the
/// input projections as one product over all steps, then the recurrent products step by step,
/// from the stored hidden states), then runs the sweep: per step one pass over the gates for the
/// gradients through the nonlinearities and the cell, and one product dG_t·W_hᵀ for ∂h_{t−1}.
/// The weight gradients are not here: they are single products over all steps, built by the
/// gradient rule. Not differentiable itself. Cost: 2·B·T·4H·(F + 2H) FLOPs plus 40 per state element.
public struct LSTMSequenceBackward: Operator {
    public init() {}
    public var mnemonic: String { "lstm_sequence_backward" }
    public var arity: ClosedRange<Int> { 7...9 }
    public var fusionKind: FusionKind { .opaque }

    func geometry(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> LSTMSequenceGeometry {
        guard inputs.count == 7 || inputs.count == 9 else {
            throw ShapeError("expected 7 inputs (x, weight panels, bias, W_h, states, their gradient) or 9 (and h0, c0), got \(inputs.count)")
        }
        _ = try bool(attributes, "reverse", default: false)
        let g = try LSTMSequenceGeometry(inputs, attributes, initialAt: inputs.count == 9 ? 7 : nil)
        let states = Shape([2, g.batch, g.steps, g.hidden])
        for (index, shape) in [(4, Shape([g.hidden, g.gates])), (5, states), (6, states)] where inputs[index].shape != shape {
            throw ShapeError("input \(index) has shape \(inputs[index].shape); expected \(shape)")
        }
        return g
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        let g = try geometry(inputs, attributes)
        return TensorType(.float32, [g.batch * g.steps + g.batch, g.gates])
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let g = try! geometry(signature.inputs, signature.attributes)
        let forward = [inputs[0], inputs[1], inputs[2], inputs[3]] + (g.hasInitial ? [inputs[7], inputs[8]] : [])
        let trace = LSTMReference(g, forward, states: inputs[5].values)
        return ReferenceTensor(signature.output, trace.backward(inputs[6].values, hiddenWeight: inputs[4].values))
    }

    /// Scratch: the gates of every step `[B·T, 4H]`, then ∂h, ∂C and a zero state `[B, H]` each.
    public func scratchBytes(_ signature: OperatorSignature) -> Int {
        guard let g = try? geometry(signature.inputs, signature.attributes) else { return 0 }
        return 4 * (g.batch * g.steps * g.gates + 3 * g.batch * g.hidden)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let g = try! geometry(kernel.signature.inputs, kernel.signature.attributes)
        let i = kernel.inputs
        let (batch, steps, hidden, gates) = (g.batch, g.steps, g.hidden, g.gates)
        let plane = batch * steps * hidden
        let initialH = g.hasInitial ? i[7] : "zero", initialC = g.hasInitial ? i[8] : "zero", dst = kernel.output
        kernel.writer.line("float *act = (float *)\(kernel.scratch); /* [B*T, 4H]: the gates */")
        kernel.writer.line("float *dh = act + \(batch * steps * gates), *dc = dh + \(batch * hidden), *zero = dc + \(batch * hidden);")
        kernel.writer.line("memset(dh, 0, \(12 * batch * hidden));")
        kernel.writer.line("kiln_panel_gemm(\(batch * steps), \(gates), \(g.features), \(i[0]), \(g.features), \(i[1]), \(i[3]), 0, act, \(gates));")
        kernel.writer.block("for (long s = \(g.hasInitial ? 0 : 1); s < \(steps); s++)") { body in
            body.line("long t = \(g.reverse ? "\(steps - 1) - s" : "s"), tp = \(g.reverse ? "t + 1" : "t - 1");")
            body.line("const float *hp = s == 0 ? \(initialH) : \(i[5]) + tp * \(hidden);")
            body.line("float *gt = act + t * \(gates);")
            body.line("kiln_panel_gemm(\(batch), \(gates), \(hidden), hp, s == 0 ? \(hidden) : \(steps * hidden), \(i[2]), gt, \(steps * gates), gt, \(steps * gates));")
        }
        kernel.writer.loop("r", count: batch * steps) { rows in
            rows.line("float *KILN_RESTRICT q = act + r * \(gates);")
            rows.line("KILN_IVDEP")
            rows.loop("j", count: hidden) { body in
                body.line("q[j] = kiln_sigmoid(q[j]); q[\(hidden) + j] = kiln_sigmoid(q[\(hidden) + j]);")
                body.line("q[\(2 * hidden) + j] = kiln_tanh(q[\(2 * hidden) + j]); q[\(3 * hidden) + j] = kiln_sigmoid(q[\(3 * hidden) + j]);")
            }
        }
        kernel.writer.block("for (long s = \(steps - 1); s >= 0; s--)") { body in
            body.line("long t = \(g.reverse ? "\(steps - 1) - s" : "s"), tp = \(g.reverse ? "t + 1" : "t - 1");")
            body.line("const float *cp = s == 0 ? \(initialC) : \(i[5]) + \(plane) + tp * \(hidden);")
            body.line("long ldp = s == 0 ? \(hidden) : \(steps * hidden);")
            body.loop("b", count: batch) { rows in
                rows.line("const float *KILN_RESTRICT q = act + (b * \(steps) + t) * \(gates);")
                rows.line("float *KILN_RESTRICT d = \(dst) + (b * \(steps) + t) * \(gates);")
                rows.line("const float *KILN_RESTRICT c0 = cp + b * ldp;")
                rows.line("long at = (b * \(steps) + t) * \(hidden);")
                rows.line("const float *KILN_RESTRICT c1 = \(i[5]) + \(plane) + at, *KILN_RESTRICT dy = \(i[6]) + at, *KILN_RESTRICT dcy = \(i[6]) + \(plane) + at;")
                rows.line("float *KILN_RESTRICT dhb = dh + b * \(hidden), *KILN_RESTRICT dcb = dc + b * \(hidden);")
                rows.line("KILN_IVDEP")
                rows.loop("j", count: hidden) { body in
                    body.line("float ig = q[j], fg = q[\(hidden) + j], ug = q[\(2 * hidden) + j], og = q[\(3 * hidden) + j];")
                    body.line("float tc = kiln_tanh(c1[j]), dhj = dy[j] + dhb[j];")
                    body.line("float dcj = dcb[j] + dcy[j] + dhj * og * (1.0f - tc * tc);")
                    body.line("d[j] = dcj * ug * ig * (1.0f - ig);")
                    body.line("d[\(hidden) + j] = dcj * c0[j] * fg * (1.0f - fg);")
                    body.line("d[\(2 * hidden) + j] = dcj * ig * (1.0f - ug * ug);")
                    body.line("d[\(3 * hidden) + j] = dhj * tc * og * (1.0f - og);")
                    body.line("dcb[j] = dcj * fg;")
                }
            }
            body.line("cblas_sgemm(KILN_ROW_MAJOR, KILN_NO_TRANS, KILN_TRANS, \(batch), \(hidden), \(gates), 1.0f, \(dst) + t * \(gates), \(steps * gates), \(i[4]), \(gates), 0.0f, dh, \(hidden));")
        }
        kernel.writer.loop("b", count: batch) { rows in
            rows.line("float *KILN_RESTRICT tail = \(dst) + (\(batch * steps) + b) * \(gates);")
            rows.loop("j", count: hidden) { body in
                body.line("tail[j] = dh[b * \(hidden) + j]; tail[\(hidden) + j] = dc[b * \(hidden) + j];")
                body.line("tail[\(2 * hidden) + j] = 0.0f; tail[\(3 * hidden) + j] = 0.0f;")
            }
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        guard let g = try? geometry(signature.inputs, signature.attributes) else { return .streaming(signature, flopsPerElement: 1) }
        let macs = g.batch * g.gates * (g.steps * g.features + 2 * g.steps * g.hidden)
        return .multiplyAccumulate(signature, macs: macs, otherFlops: 40 * g.batch * g.steps * g.hidden)
    }

    public var testCases: [OperatorTestCase] {
        func inputs(batch: Int, steps: Int, features: Int, hidden: Int, initial: Bool) -> [TensorType] {
            let panels = (4 * hidden + 31) / 32
            let base: [TensorType] = [
                .f32(batch, steps, features), .f32(panels, features, 32), .f32(panels, hidden, 32), .f32(4 * hidden),
                .f32(hidden, 4 * hidden), .f32(2, batch, steps, hidden), .f32(2, batch, steps, hidden),
            ]
            return base + (initial ? [.f32(batch, hidden), .f32(batch, hidden)] : [])
        }
        return [
            OperatorTestCase(
                "zero-state", inputs: inputs(batch: 3, steps: 4, features: 5, hidden: 3, initial: false), domain: -1...1,
                differentiable: false),
            OperatorTestCase(
                "initial-reverse", inputs: inputs(batch: 9, steps: 2, features: 3, hidden: 9, initial: true),
                attributes: ["reverse": .bool(true)], domain: -1...1, differentiable: false),
        ]
    }
}
