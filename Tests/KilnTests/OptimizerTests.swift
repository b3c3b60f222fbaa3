import Foundation
import Kiln
import Testing

/// Several steps of every optimizer, compiled, against the update formulas evaluated here in float64.
@Suite struct OptimizerTests {
    static let target: [Double] = [0.5, -1, 2]
    static let start: [Double] = [1, 1, -1]

    /// loss = scale · ½‖w − target‖², so the gradient is scale·(w − target).
    static func model(scale: Double = 1) -> Model {
        Model("quadratic") { g in
            let w = g.stateParameterForTest()
            let target = g.constant(OptimizerTests.target, shape: [3])
            g.output("w", w)
            g.loss(((w - target).square().sum()) * (0.5 * scale))
        }
    }

    /// Runs `steps` training steps and returns w after each.
    static func trajectory(_ optimizer: any Optimizer, lr: Double, steps: Int = 5, scale: Double = 1,
                           schedule: LearningRateSchedule = .constant, clipping: GradientClipping = .none) throws -> [[Double]] {
        let trainer = try Trainer(model: model(scale: scale), optimizer: optimizer, learningRate: lr, schedule: schedule, clipping: clipping)
        try trainer.step.setParameter("quadratic.w", TensorValue(shape: [3], floats: start.map(Float.init)))
        return try (0..<steps).map { _ in
            try trainer.train([:])
            return trainer.checkpoint()["quadratic.w"]!.doubles
        }
    }

    /// The same steps in float64, from the formulas.
    static func reference(lr: Double, steps: Int = 5, scale: Double = 1, _ rule: (inout [Double], [Double], Int, inout [String: [Double]]) -> Void) -> [[Double]] {
        var w = start
        var state: [String: [Double]] = [:]
        return (1...steps).map { t in
            let g = zip(w, target).map { scale * ($0 - $1) }
            rule(&w, g, t, &state)
            return w
        }
    }

    func expectClose(_ actual: [[Double]], _ expected: [[Double]], tolerance: Double = 2e-5, _ label: String) {
        for (step, (a, e)) in zip(actual, expected).enumerated() {
            let mismatch = Approximate.mismatch(a, e, relative: tolerance, absolute: tolerance)
            #expect(mismatch == nil, "\(label) step \(step + 1): \(mismatch ?? "")")
        }
    }

    @Test func sgd() throws {
        expectClose(try Self.trajectory(SGD(), lr: 0.1), Self.reference(lr: 0.1) { w, g, _, _ in
            for i in w.indices { w[i] -= 0.1 * g[i] }
        }, "sgd")
        expectClose(try Self.trajectory(SGD(weightDecay: 0.5), lr: 0.1), Self.reference(lr: 0.1) { w, g, _, _ in
            for i in w.indices { w[i] -= 0.1 * (g[i] + 0.5 * w[i]) }
        }, "sgd+decay")
    }

    @Test func momentumAndNesterov() throws {
        for nesterov in [false, true] {
            expectClose(try Self.trajectory(Momentum(momentum: 0.9, nesterov: nesterov), lr: 0.05), Self.reference(lr: 0.05) { w, g, _, s in
                var v = s["v", default: [0, 0, 0]]
                for i in w.indices {
                    v[i] = 0.9 * v[i] + g[i]
                    w[i] -= 0.05 * (nesterov ? g[i] + 0.9 * v[i] : v[i])
                }
                s["v"] = v
            }, nesterov ? "nesterov" : "momentum")
        }
    }

    @Test func adaGradRMSPropAdaDelta() throws {
        expectClose(try Self.trajectory(AdaGrad(delta: 1e-7), lr: 0.3), Self.reference(lr: 0.3) { w, g, _, s in
            var r = s["r", default: [0, 0, 0]]
            for i in w.indices { r[i] += g[i] * g[i]; w[i] -= 0.3 * g[i] / (1e-7 + r[i].squareRoot()) }
            s["r"] = r
        }, "adagrad")
        expectClose(try Self.trajectory(RMSProp(rho: 0.9, epsilon: 1e-8), lr: 0.01), Self.reference(lr: 0.01) { w, g, _, s in
            var r = s["r", default: [0, 0, 0]]
            for i in w.indices { r[i] = 0.9 * r[i] + 0.1 * g[i] * g[i]; w[i] -= 0.01 * g[i] / (r[i].squareRoot() + 1e-8) }
            s["r"] = r
        }, "rmsprop")
        expectClose(try Self.trajectory(AdaDelta(rho: 0.9, epsilon: 1e-6), lr: 1), Self.reference(lr: 1) { w, g, _, s in
            var eg = s["g", default: [0, 0, 0]], ed = s["d", default: [0, 0, 0]]
            for i in w.indices {
                eg[i] = 0.9 * eg[i] + 0.1 * g[i] * g[i]
                let delta = -((ed[i] + 1e-6).squareRoot() / (eg[i] + 1e-6).squareRoot()) * g[i]
                ed[i] = 0.9 * ed[i] + 0.1 * delta * delta
                w[i] += delta
            }
            s["g"] = eg
            s["d"] = ed
        }, "adadelta")
    }

    @Test func adamWithBiasCorrectionAndAdamW() throws {
        for decay in [0.0, 0.1] {
            expectClose(try Self.trajectory(Adam(decoupledWeightDecay: decay), lr: 0.1), Self.reference(lr: 0.1) { w, g, t, s in
                var m = s["m", default: [0, 0, 0]], v = s["v", default: [0, 0, 0]]
                for i in w.indices {
                    m[i] = 0.9 * m[i] + 0.1 * g[i]
                    v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
                    let mHat = m[i] / (1 - pow(0.9, Double(t))), vHat = v[i] / (1 - pow(0.999, Double(t)))
                    w[i] -= 0.1 * (mHat / (vHat.squareRoot() + 1e-8) + decay * w[i])
                }
                s["m"] = m
                s["v"] = v
            }, decay == 0 ? "adam" : "adamw")
        }
    }

    @Test func clippingByValueAndGlobalNorm() throws {
        expectClose(try Self.trajectory(SGD(), lr: 0.1, clipping: .value(0.5)), Self.reference(lr: 0.1) { w, g, _, _ in
            for i in w.indices { w[i] -= 0.1 * min(max(g[i], -0.5), 0.5) }
        }, "clip-value")
        expectClose(try Self.trajectory(SGD(), lr: 0.1, clipping: .globalNorm(1)), Self.reference(lr: 0.1) { w, g, _, _ in
            let norm = g.map { $0 * $0 }.reduce(0, +).squareRoot()
            let scale = 1 / max(norm, 1)
            for i in w.indices { w[i] -= 0.1 * g[i] * scale }
        }, "clip-norm")
    }

    @Test func learningRateSchedules() throws {
        expectClose(try Self.trajectory(SGD(), lr: 0.2, schedule: .step(stepSize: 2, gamma: 0.5)), Self.reference(lr: 0.2) { w, g, t, _ in
            let rate = 0.2 * pow(0.5, Double((t - 1) / 2))
            for i in w.indices { w[i] -= rate * g[i] }
        }, "step schedule")
        #expect(LearningRateSchedule.exponential(gamma: 0.9).rate(base: 1, step: 2) == 0.81)
        #expect(abs(LearningRateSchedule.cosine(totalSteps: 10, minimum: 0.1).rate(base: 1, step: 5) - 0.55) < 1e-12)
        #expect(LearningRateSchedule.cosine(totalSteps: 10, minimum: 0.1).rate(base: 1, step: 0) == 1)
        #expect(LearningRateSchedule.warmup(steps: 4, then: .constant).rate(base: 1, step: 1) == 0.5)
        #expect(LearningRateSchedule.warmup(steps: 4, then: .constant).rate(base: 1, step: 9) == 1)
    }

    /// Catalog §6 #38: scaling the loss by 10 scales SGD's and momentum's steps by 10 but leaves the
    /// adaptive methods' steps unchanged (up to ε), AdaGrad included (the notes say otherwise).
    @Test func lossScalingInvariance() throws {
        func firstStep(_ optimizer: any Optimizer, scale: Double) throws -> [Double] {
            let w = try Self.trajectory(optimizer, lr: 0.01, steps: 1, scale: scale)[0]
            return zip(w, Self.start).map { $0 - $1 }
        }
        for optimizer in [SGD(), Momentum()] as [any Optimizer] {
            let one = try firstStep(optimizer, scale: 1), ten = try firstStep(optimizer, scale: 10)
            #expect(Approximate.mismatch(ten, one.map { $0 * 10 }, relative: 1e-4, absolute: 1e-7) == nil, "\(optimizer.name)")
        }
        for optimizer in [AdaGrad(), RMSProp(), Adam()] as [any Optimizer] {
            let one = try firstStep(optimizer, scale: 1), ten = try firstStep(optimizer, scale: 10)
            #expect(Approximate.mismatch(ten, one, relative: 1e-4, absolute: 1e-7) == nil, "\(optimizer.name)")
        }
    }
}

extension GraphContext {
    /// A trainable parameter `w` of shape [3] in a layer named `quadratic`.
    fileprivate func stateParameterForTest() -> Tensor {
        let holder = ParameterHolder()
        return holder(constant([0], shape: [1]))
    }
}

/// A layer that only owns the parameter `w`.
private final class ParameterHolder: Layer {
    let w = Parameter("w", shape: [3], initializer: .zeros)
    var name: String? { "quadratic" }
    func forward(_ x: Tensor) -> Tensor { node(of: w, for: x) }
}
