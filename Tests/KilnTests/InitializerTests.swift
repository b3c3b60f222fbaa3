import Kiln
import KilnIR
import Testing

/// Each initializer's samples have the mean and spread its formula gives.
@Suite struct InitializerTests {
    func statistics(_ initializer: ParameterInitializer, count: Int = 40_000) -> (mean: Double, std: Double, maxAbs: Double) {
        let values = initializer.values(count: count, seed: 11, name: "w").map(Double.init)
        let mean = values.reduce(0, +) / Double(count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count)
        return (mean, variance.squareRoot(), values.map(abs).max() ?? 0)
    }

    @Test func uniformFamiliesStayInTheirBounds() {
        let xavier = statistics(.xavierUniform(fanIn: 100, fanOut: 200, gain: 1))
        let xavierBound = (6.0 / 300).squareRoot()
        #expect(xavier.maxAbs <= xavierBound)
        #expect(abs(xavier.std - xavierBound / 3.0.squareRoot()) < 0.01 * xavierBound)
        let he = statistics(.heUniform(fanIn: 50))
        #expect(he.maxAbs <= (6.0 / 50).squareRoot())
        #expect(abs(he.std - (2.0 / 50).squareRoot()) < 0.01 * (2.0 / 50).squareRoot() * 2)
        let uniform = statistics(.uniform(low: 2, high: 4))
        #expect(abs(uniform.mean - 3) < 0.01)
    }

    @Test func normalFamiliesHaveTheirStandardDeviation() {
        let xavier = statistics(.xavierNormal(fanIn: 30, fanOut: 70, gain: 1))
        #expect(abs(xavier.std - (2.0 / 100).squareRoot()) < 0.02 * (2.0 / 100).squareRoot())
        let he = statistics(.heNormal(fanIn: 8))
        #expect(abs(he.std - 0.5) < 0.01)
        let normal = statistics(.normal(mean: 1, std: 0.1))
        #expect(abs(normal.mean - 1) < 0.005)
        #expect(abs(normal.std - 0.1) < 0.002)
    }

    @Test func constantsAndZeros() {
        #expect(ParameterInitializer.zeros.values(count: 3, seed: 1, name: "b") == [0, 0, 0])
        #expect(ParameterInitializer.constant(0.5).values(count: 2, seed: 1, name: "b") == [0.5, 0.5])
    }

    @Test func attributesRoundTrip() throws {
        let all: [ParameterInitializer] = [
            .zeros, .constant(2), .uniform(low: -1, high: 1), .normal(mean: 0, std: 2),
            .xavierUniform(fanIn: 3, fanOut: 4, gain: 1), .xavierNormal(fanIn: 3, fanOut: 4, gain: 2),
            .heUniform(fanIn: 9), .heNormal(fanIn: 9),
        ]
        for initializer in all {
            #expect(try ParameterInitializer(attributes: initializer.attributes) == initializer)
        }
        #expect(throws: KilnError.self) { try ParameterInitializer(attributes: ["init": .string("magic")]) }
    }
}
