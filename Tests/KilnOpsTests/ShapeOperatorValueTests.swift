import KilnIR
import Testing

/// Known results of the data-movement operators, interpreted and compiled.
@Suite struct ShapeOperatorValueTests {
    /// [[1, 2, 3], [4, 5, 6]]
    let matrix = TensorValue.f32([2, 3], [1, 2, 3, 4, 5, 6])

    @Test func transposeSwapsRowsAndColumns() throws {
        let run = try OneNodeRun("transpose", [matrix])
        #expect(run.type == .f32(3, 2))
        #expect(run.reference == [1, 4, 2, 5, 3, 6] && run.compiled == [1, 4, 2, 5, 3, 6])
    }

    @Test func expandRepeatsARow() throws {
        let run = try OneNodeRun("expand", [.f32([3], [1, 2, 3])], ["shape": .ints([2, 3])])
        #expect(run.reference == [1, 2, 3, 1, 2, 3] && run.compiled == [1, 2, 3, 1, 2, 3])
    }

    @Test func sliceWithNegativeIndicesAndSteps() throws {
        let vector = TensorValue.f32([5], [0, 1, 2, 3, 4])
        let reversed = try OneNodeRun("slice", [vector], ["starts": .ints([-1]), "ends": .ints([-100]), "steps": .ints([-2])])
        #expect(reversed.reference == [4, 2, 0] && reversed.compiled == [4, 2, 0])
        let clamped = try OneNodeRun("slice", [matrix], ["starts": .ints([1, -2]), "ends": .ints([9, 100])])
        #expect(clamped.type == .f32(1, 2))
        #expect(clamped.reference == [5, 6] && clamped.compiled == [5, 6])
    }

    @Test func concatAlongColumns() throws {
        let run = try OneNodeRun("concat", [matrix, .f32([2, 1], [7, 8])], ["axis": .int(-1)])
        #expect(run.type == .f32(2, 4))
        #expect(run.reference == [1, 2, 3, 7, 4, 5, 6, 8] && run.compiled == [1, 2, 3, 7, 4, 5, 6, 8])
    }

    @Test func padWithAValue() throws {
        let run = try OneNodeRun("pad", [.f32([2], [1, 2])], ["pads": .ints([1, 2]), "value": .float(9)])
        #expect(run.reference == [9, 1, 2, 9, 9] && run.compiled == [9, 1, 2, 9, 9])
    }

    @Test func gatherIsAnEmbeddingLookup() throws {
        let table = TensorValue.f32([3, 2], [0, 1, 10, 11, 20, 21])
        let run = try OneNodeRun("gather", [table, .i64([2, 2], [2, 0, 2, -1])])
        #expect(run.type == .f32(2, 2, 2))
        let expected: [Double] = [20, 21, 0, 1, 20, 21, 20, 21]
        #expect(run.reference == expected && run.compiled == expected)
    }

    @Test func gatherGradAddsRepeatedIndices() throws {
        let gradient = TensorValue.f32([3, 2], [1, 1, 2, 2, 3, 3])
        let run = try OneNodeRun("gather_grad", [gradient, .i64([3], [1, 1, 0])], ["shape": .ints([3, 2])])
        #expect(run.reference == [3, 3, 3, 3, 0, 0] && run.compiled == [3, 3, 3, 3, 0, 0])
    }
}
