import Foundation
import KilnIR
import KilnInterpreter
import KilnOps
import KilnRuntime
import Testing

/// The inline approximations of the C prelude (`kiln_exp`, `kiln_erf`, ...) against the float64
/// interpreter over the whole float32 domain: every 2¹²-th bit pattern of both signs (about a
/// million values from the subnormals to the largest floats), plus 0, ±0, ±inf, NaN, the smallest
/// subnormal and normal numbers and the largest float.
///
/// Where the reference is NaN, ±inf or zero the compiled value must be exactly that (and ±inf where
/// a finite reference overflows float32, unless it is within the bound).
/// Elsewhere the relative error must be at most 2e-6, except where the reference is *tiny*: below
/// the smallest normal float (2⁻¹²⁶ ≈ 1.18e-38), where float32 itself keeps fewer than 24
/// significant bits (2⁻¹²⁰ for silu and mish, whose factor e^x is subnormal there).
@Suite struct TranscendentalAccuracyTests {
    static let bound = 2e-6

    /// Every 2¹²-th float32 bit pattern and the special values.
    static let domain: [Float] = {
        var values = stride(from: UInt64(0), through: 0xffff_ffff, by: 1 << 12).map { Float(bitPattern: UInt32($0)) }
        values += [0, -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                   .leastNormalMagnitude, -.leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1, -1]
        return values
    }()

    /// The first value of `compiled` that breaks the rule above against `reference`, as text.
    static func firstViolation(
        _ inputs: [[Float]], _ compiled: [Double], _ reference: [Double], tiny: Double
    ) -> (String?, Double) {
        var worst = 0.0
        for index in compiled.indices {
            let expected = reference[index], actual = compiled[index]
            let arguments = inputs.map { "\($0[index])" }.joined(separator: ", ")
            if expected.isNaN || expected.isInfinite || expected == 0 {
                let same = expected.isNaN ? actual.isNaN : actual == expected
                if !same { return ("(\(arguments)) gave \(actual), expected \(expected)", worst) }
                continue
            }
            if abs(expected) < tiny { continue }
            if Float(expected).isInfinite && actual == Double(Float(expected)) { continue }
            let error = abs(actual - expected) / abs(expected)
            if !(error <= bound) { return ("(\(arguments)) gave \(actual), expected \(expected): relative error \(error)", error) }
            worst = max(worst, error)
        }
        return (nil, worst)
    }

    /// The approximations themselves: tcc maps the kiln_ functions to libm unless told otherwise.
    static let inlineMathUnderTCC = ExecutionBackend(.tcc, tcc: TCCBackend(defines: ["KILN_INLINE_MATH"]))

    static func run(
        _ op: String, _ inputs: [[Float]], _ attributes: Attributes = [:], tiny: Double = Double(Float.leastNormalMagnitude),
        execution: ExecutionBackend = inlineMathUnderTCC
    ) throws -> (String?, Double) {
        let values = inputs.map { TensorValue.f32([$0.count], $0) }
        let run = try OneNodeRun(op, values, attributes, execution: execution)
        return firstViolation(inputs, run.compiled, run.reference, tiny: tiny)
    }

    static let unaryCases: [(String, Attributes)] = [
        ("exp", [:]), ("log", [:]), ("tanh", [:]), ("sigmoid", [:]), ("erf", [:]), ("sin", [:]), ("cos", [:]),
        ("gelu", [:]), ("gelu", ["approximate": .string("tanh")]), ("softplus", [:]), ("elu", ["alpha": .float(0.5)]),
        ("selu", [:]),
    ]

    @Test(arguments: unaryCases.indices)
    func unaryOverTheWholeDomain(_ index: Int) throws {
        let (op, attributes) = Self.unaryCases[index]
        let (violation, worst) = try Self.run(op, [Self.domain], attributes)
        #expect(violation == nil, "\(op) \(attributes): \(violation ?? "")")
        #expect(worst > 0, "\(op): some value must differ from the reference, or the comparison compares nothing")
    }

    /// x·σ(x) and x·tanh(softplus(x)) multiply x by e^x, which is subnormal below x ≈ −87 while
    /// the product stays normal down to 2⁻¹²⁶: there the tiny bound is 2⁻¹²⁰ (≈ 7.5e-37).
    @Test(arguments: ["silu", "mish"])
    func productsWithASubnormalFactor(_ op: String) throws {
        let (violation, worst) = try Self.run(op, [Self.domain], tiny: 0x1p-120)
        #expect(violation == nil, "\(op): \(violation ?? "")")
        #expect(worst > 0)
    }

    /// Swish computes β·x in float before the exponential, whose relative error grows as |β·x|·2⁻²⁴:
    /// within the bound where |β·x| ≤ 16 (where e^(−βx) loses at most 1e-6).
    @Test func swishWhereTheScaledArgumentIsModerate() throws {
        let inputs = Self.domain.filter { abs($0 * 1.5) <= 16 || !$0.isFinite }
        let (violation, _) = try Self.run("swish", [inputs], ["beta": .float(1.5)])
        #expect(violation == nil, "swish: \(violation ?? "")")
    }

    /// pow over a grid of every 2²²-th pattern of base and exponent (a million pairs) with the special values.
    @Test func powOverPairsOfTheWholeDomain() throws {
        var axis = stride(from: UInt64(0), through: 0xffff_ffff, by: 1 << 22).map { Float(bitPattern: UInt32($0)) }
        axis += [0, -0.0, .infinity, -.infinity, .nan, 1, -1, 2, -2, 3, -3, 0.5, -0.5]
        let bases = axis.flatMap { base in axis.map { _ in base } }
        let exponents = axis.flatMap { _ in axis }
        let (violation, worst) = try Self.run("pow", [bases, exponents])
        #expect(violation == nil, "pow: \(violation ?? "")")
        #expect(worst > 0)
    }
}
