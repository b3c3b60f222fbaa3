import Foundation
import KilnIR
import Testing

/// Known results of reductions and softmax, interpreted and compiled.
@Suite struct ReductionValueTests {
    /// [[1, 5, 2], [7, 0, 7]]
    let matrix = TensorValue.f32([2, 3], [1, 5, 2, 7, 0, 7])

    @Test func sumAlongEachAxis() throws {
        let rows = try OneNodeRun("sum", [matrix], ["axes": .ints([-1])])
        #expect(rows.type == .f32(2))
        #expect(rows.reference == [8, 14] && rows.compiled == [8, 14])
        let columns = try OneNodeRun("sum", [matrix], ["axes": .ints([0]), "keepdims": .bool(true)])
        #expect(columns.type == .f32(1, 3))
        #expect(columns.reference == [8, 5, 9] && columns.compiled == [8, 5, 9])
    }

    @Test func reductionsOverAllAxes() throws {
        for (op, expected) in [("sum", 22.0), ("mean", 22.0 / 6), ("max", 7), ("min", 0), ("argmax", 3)] {
            let run = try OneNodeRun(op, [matrix])
            #expect(run.type.shape == [], "\(op)")
            #expect(close(run.reference, [expected]) && close(run.compiled, [expected]), "\(op): \(run.compiled)")
        }
    }

    @Test func argmaxTakesTheFirstOfTies() throws {
        let rows = try OneNodeRun("argmax", [matrix], ["axes": .ints([1])])
        #expect(rows.type == .i64(2))
        #expect(rows.reference == [1, 0] && rows.compiled == [1, 0])
        let columns = try OneNodeRun("argmax", [matrix], ["axes": .ints([0]), "keepdims": .bool(true)])
        #expect(columns.type == .i64(1, 3))
        #expect(columns.reference == [1, 0, 1] && columns.compiled == [1, 0, 1])
    }

    @Test func argmaxOfALongRowWithTiesAcrossLanes() throws {
        var values = [Float](repeating: 0, count: 100)
        for position in [13, 37, 38, 91] { values[position] = 2 }
        let run = try OneNodeRun("argmax", [.f32([100], values)], ["axes": .ints([0])])
        #expect(run.reference == [13] && run.compiled == [13])
    }

    @Test func longSumIsExactOnIntegers() throws {
        let values = (0..<1000).map { Float($0 % 7) }
        let run = try OneNodeRun("sum", [.f32([1000], values)])
        let expected = Double(values.reduce(0, +))
        #expect(run.reference == [expected] && run.compiled == [expected])
    }

    @Test func softmaxOfKnownValues() throws {
        let run = try OneNodeRun("softmax", [.f32([2], [0, Float(log(3.0))])])
        #expect(close(run.reference, [0.25, 0.75]) && close(run.compiled, [0.25, 0.75]))
    }

    @Test func softmaxIsStableForLargeInputs() throws {
        let run = try OneNodeRun("softmax", [.f32([2, 2], [1000, 1000, -1000, 0])])
        #expect(close(run.compiled, [0.5, 0.5, 0, 1]))
        let logarithms = try OneNodeRun("log_softmax", [.f32([2], [1000, 0])])
        #expect(close(logarithms.reference, [0, -1000]) && close(logarithms.compiled, [0, -1000]))
    }

    @Test func softmaxAlongTheFirstAxisSumsToOneDownColumns() throws {
        let run = try OneNodeRun("softmax", [matrix], ["axis": .int(0)])
        let expected = [1 / (1 + exp(6.0)), 1 / (1 + exp(-5.0)), 1 / (1 + exp(5.0)),
                        1 / (1 + exp(-6.0)), 1 / (1 + exp(5.0)), 1 / (1 + exp(-5.0))]
        #expect(close(run.reference, expected) && close(run.compiled, expected))
    }
}
