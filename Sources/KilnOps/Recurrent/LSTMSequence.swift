import KilnC
import KilnIR

/// A whole LSTM layer (`RecurrentCell.lstm`'s equations) over a sequence, as one kernel.
///
/// Inputs: x `[B, T, F]`, the input weight W_x `[F, 4H]` and the hidden weight W_h `[H, 4H]` as
/// column panels (`[⌈4H/32⌉, F, 32]`, `[⌈4H/32⌉, H, 32]`, built by `GraphBuilder.packPanels`),
/// the bias `[4H]`, and optionally the initial states h₀, C₀ `[B, H]` (without them: zeros).
/// Attribute `reverse` (bool): process positions T−1 … 0. Output `[2, B, T, H]`: plane 0 the
/// hidden state h_t after each position, plane 1 the cell state C_t.
///
/// A primitive for speed: unrolled into graph nodes, a layer was 32 small `cblas_sgemm` calls,
/// each packing the 1 MB W_h again, and 32 gate kernels. Here the input projections of all steps
/// are one product (`kiln_panel_gemm`, B·T rows) into scratch, then each step adds h_{t−1}·W_h
/// to its rows in place (one 16-row product from the prepared panels) and one pass computes the
/// gates and writes h_t and C_t straight into the output planes, where the next step reads them.
/// Cost: 2·B·T·4H·(F + H) FLOPs of products (no h_{t−1}·W_h for a zero initial state) and 30 per
/// state element; inputs read once, the output written once.
///
/// Gradient (`lstm_sequence_backward`): the gates' gradients `dG [B·T, 4H]` in one reverse sweep,
/// then ∂x = dG·W_xᵀ, ∂W_x = xᵀ·dG and ∂W_h = h_prevᵀ·dG, each one product over all steps.
public struct LSTMSequence: Operator {
    public init() {}
    public var mnemonic: String { "lstm_sequence" }
    public var arity: ClosedRange<Int> { 4...6 }
    public var fusionKind: FusionKind { .opaque }

    func geometry(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> LSTMSequenceGeometry {
        guard inputs.count == 4 || inputs.count == 6 else {
            throw ShapeError("expected 4 inputs (x, input and hidden weight panels, bias) or 6 (and h0, c0), got \(inputs.count)")
        }
        _ = try bool(attributes, "reverse", default: false)
        return try LSTMSequenceGeometry(inputs, attributes, initialAt: inputs.count == 6 ? 4 : nil)
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        let g = try geometry(inputs, attributes)
        return TensorType(.float32, [2, g.batch, g.steps, g.hidden])
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let g = try! geometry(signature.inputs, signature.attributes)
        let trace = LSTMReference(g, inputs)
        return ReferenceTensor(signature.output, trace.hidden + trace.cell)
    }

    public func kernelChoice(_ signature: OperatorSignature) -> KernelChoice? {
        guard let g = try? geometry(signature.inputs, signature.attributes) else { return nil }
        return KernelChoice(
            .lstmPanelGEMM, layout: "panels of 32 columns",
            reason: "input projection of \(g.batch * g.steps) rows as one product, then per step one \(g.batch)-row product "
                + "with W_h (prepared panels) and the gates fused in one pass")
    }

    public func kernelAlgorithms(_ signature: OperatorSignature) -> [KernelAlgorithm] { [.lstmPanelGEMM] }

    /// Scratch: the gate pre-activations of every step `[B·T, 4H]` and a zero state `[B, H]`.
    public func scratchBytes(_ signature: OperatorSignature) -> Int {
        guard let g = try? geometry(signature.inputs, signature.attributes) else { return 0 }
        return 4 * (g.batch * g.steps * g.gates + g.batch * g.hidden)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let g = try! geometry(kernel.signature.inputs, kernel.signature.attributes)
        let (x, px, ph, bias) = (kernel.inputs[0], kernel.inputs[1], kernel.inputs[2], kernel.inputs[3])
        let (steps, hidden, gates) = (g.steps, g.hidden, g.gates)
        let out = kernel.output, cells = "\(kernel.output) + \(g.batch * steps * hidden)"
        kernel.writer.line("float *pre = (float *)\(kernel.scratch); /* [B*T, 4H]: gate pre-activations */")
        kernel.writer.line("float *zero = pre + \(g.batch * steps * gates);")
        kernel.writer.line("memset(zero, 0, \(4 * g.batch * hidden));")
        kernel.writer.line("kiln_panel_gemm(\(g.batch * steps), \(gates), \(g.features), \(x), \(g.features), \(px), \(bias), 0, pre, \(gates));")
        let initialH = g.hasInitial ? kernel.inputs[4] : "zero", initialC = g.hasInitial ? kernel.inputs[5] : "zero"
        kernel.writer.block("for (long s = 0; s < \(steps); s++)") { body in
            body.line("long t = \(g.reverse ? "\(steps - 1) - s" : "s"), tp = \(g.reverse ? "t + 1" : "t - 1");")
            body.line("const float *hp = s == 0 ? \(initialH) : \(out) + tp * \(hidden);")
            body.line("const float *cp = s == 0 ? \(initialC) : \(cells) + tp * \(hidden);")
            body.line("long ldp = s == 0 ? \(hidden) : \(steps * hidden);")
            body.line("float *gt = pre + t * \(gates);")
            let product = "kiln_panel_gemm(\(g.batch), \(gates), \(hidden), hp, ldp, \(ph), gt, \(steps * gates), gt, \(steps * gates));"
            body.line(g.hasInitial ? product : "if (s > 0) \(product)")
            body.loop("b", count: g.batch) { rows in
                rows.line("const float *KILN_RESTRICT q = gt + b * \(steps * gates);")
                rows.line("const float *KILN_RESTRICT c0 = cp + b * ldp;")
                rows.line("float *KILN_RESTRICT h1 = \(out) + (b * \(steps) + t) * \(hidden);")
                rows.line("float *KILN_RESTRICT c1 = \(cells) + (b * \(steps) + t) * \(hidden);")
                rows.line("KILN_IVDEP")
                rows.loop("j", count: hidden) { body in
                    body.line("float i = kiln_sigmoid(q[j]), f = kiln_sigmoid(q[\(hidden) + j]);")
                    body.line("float u = kiln_tanh(q[\(2 * hidden) + j]), o = kiln_sigmoid(q[\(3 * hidden) + j]);")
                    body.line("float c = f * c0[j] + i * u;")
                    body.line("c1[j] = c;")
                    body.line("h1[j] = o * kiln_tanh(c);")
                }
            }
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        guard let g = try? geometry(signature.inputs, signature.attributes) else { return .streaming(signature, flopsPerElement: 1) }
        let recurrentSteps = g.hasInitial ? g.steps : g.steps - 1
        let macs = g.batch * g.gates * (g.steps * g.features + recurrentSteps * g.hidden)
        return .multiplyAccumulate(signature, macs: macs, otherFlops: 30 * g.batch * g.steps * g.hidden)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        try LSTMSequenceGradient.gradients(&context)
    }

    public var testCases: [OperatorTestCase] {
        func inputs(batch: Int, steps: Int, features: Int, hidden: Int, initial: Bool) -> [TensorType] {
            let panels = (4 * hidden + 31) / 32
            let base: [TensorType] = [
                .f32(batch, steps, features), .f32(panels, features, 32), .f32(panels, hidden, 32), .f32(4 * hidden),
            ]
            return base + (initial ? [.f32(batch, hidden), .f32(batch, hidden)] : [])
        }
        return [
            OperatorTestCase("zero-state", inputs: inputs(batch: 3, steps: 4, features: 5, hidden: 3, initial: false), domain: -1...1),
            OperatorTestCase(
                "initial-reverse", inputs: inputs(batch: 2, steps: 3, features: 2, hidden: 9, initial: true),
                attributes: ["reverse": .bool(true)], domain: -1...1),
            OperatorTestCase("one-step", inputs: inputs(batch: 1, steps: 1, features: 3, hidden: 2, initial: true), domain: -1...1),
            OperatorTestCase(
                "rows-past-a-block", inputs: inputs(batch: 9, steps: 2, features: 7, hidden: 8, initial: false), domain: -1...1,
                differentiable: false),
        ]
    }
}
