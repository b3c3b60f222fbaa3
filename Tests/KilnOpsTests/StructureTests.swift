import KilnIR
import KilnOps
import Testing

/// Structure composites: flatten, channel shuffle and split, space-to-depth (YOLOv5's Focus).
@Suite struct StructureTests {
    /// The outputs of `body` on `x` (interpreted; compiled must agree exactly, these only move data).
    private func outputs(
        _ x: ReferenceTensor, _ body: (inout GraphBuilder, NodeID) throws -> [NodeID]
    ) throws -> [(shape: Shape, values: [Double])] {
        var builder = GraphBuilder(name: "structure")
        let input = builder.leaf(Node.inputOp, type: x.type, name: "x")
        let results = try body(&builder, input)
        builder.graph.outputs = results.enumerated().map { GraphOutput(name: "y\($0)", node: $1) }
        let (interpreted, compiled) = try GraphRunner.run(builder.graph, inputs: ["x": x])
        return try results.indices.map { index in
            let values = try #require(interpreted["y\(index)"])
            #expect(compiled["y\(index)"] == values)
            return (builder.graph[results[index]].type.shape, values)
        }
    }

    /// 0, 1, 2, … in a tensor of `shape`.
    private func counting(_ shape: Shape) -> ReferenceTensor {
        ReferenceTensor(shape: shape, (0..<shape.elementCount).map(Double.init))
    }

    @Test func flattenKeepsTheAxesBeforeAxis() throws {
        let x = counting([2, 3, 4, 5])
        for (axis, expected) in [(1, [2, 60]), (0, [1, 120]), (4, [120, 1]), (-1, [24, 5])] as [(Int, Shape)] {
            let result = try outputs(x) { [try $0.flatten($1, axis: axis)] }[0]
            #expect(result.shape == expected)
            #expect(result.values == x.values)
        }
    }

    @Test func channelShuffleInterleavesTheGroups() throws {
        let result = try outputs(counting([1, 6, 1, 1])) { [try $0.channelShuffle($1, groups: 2)] }[0]
        #expect(result.values == [0, 3, 1, 4, 2, 5])
    }

    @Test func channelSplitSlicesConsecutiveChannels() throws {
        let parts = try outputs(counting([1, 6, 1, 2])) { try $0.channelSplit($1, sizes: [2, 4]) }
        #expect(parts.map(\.shape) == [[1, 2, 1, 2], [1, 4, 1, 2]])
        #expect(parts[0].values == [0, 1, 2, 3])
        #expect(parts[1].values == [4, 5, 6, 7, 8, 9, 10, 11])
    }

    @Test func focusTurnsThreeChannelsIntoTwelveAtHalfResolution() throws {
        let result = try outputs(counting([2, 3, 8, 6])) { [try $0.spaceToDepth($1)] }[0]
        #expect(result.shape == [2, 12, 4, 3])
    }

    @Test func focusOrderIsYoloV5s() throws {
        // x[::2, ::2], x[1::2, ::2], x[::2, 1::2], x[1::2, 1::2] of the 4×4 image 0…15.
        let focus = try outputs(counting([1, 1, 4, 4])) { [try $0.spaceToDepth($1)] }[0]
        #expect(focus.values == [0, 2, 8, 10, 4, 6, 12, 14, 1, 3, 9, 11, 5, 7, 13, 15])
        let rowMajor = try outputs(counting([1, 1, 4, 4])) { [try $0.spaceToDepth($1, order: .rowMajor)] }[0]
        #expect(rowMajor.values == [0, 2, 8, 10, 1, 3, 9, 11, 4, 6, 12, 14, 5, 7, 13, 15])
    }

    @Test func focusEqualsTheConcatenationOfStridedSlices() throws {
        let x = counting([2, 3, 4, 6])
        let focus = try outputs(x) { [try $0.spaceToDepth($1)] }[0]
        let sliced = try outputs(x) { builder, x in
            let offsets = [(0, 0), (1, 0), (0, 1), (1, 1)]
            let slices = try offsets.map { row, column in
                try builder.add(
                    "slice", [x],
                    attributes: [
                        "starts": .ints([row, column]), "ends": .ints([4, 6]), "axes": .ints([2, 3]), "steps": .ints([2, 2]),
                    ])
            }
            return [try builder.add("concat", slices, attributes: ["axis": .int(1)])]
        }[0]
        #expect(focus.shape == sliced.shape)
        #expect(focus.values == sliced.values)
    }

    @Test func errorMessages() {
        let x = counting([1, 6, 3, 4])
        #expect(GraphRunner.errorMessage { _ = try outputs(x) { [try $0.flatten($1, axis: 5)] } }
            == "flatten 'flatten': axis 5 is out of range for input 0 of shape [1,6,3,4]; expected -4 to 4")
        #expect(GraphRunner.errorMessage { _ = try outputs(x) { [try $0.channelShuffle($1, groups: 4)] } }
            == "channel_shuffle 'channel_shuffle': input 0 of shape [1,6,3,4] has 6 channels, not divisible by groups = 4")
        #expect(GraphRunner.errorMessage { _ = try outputs(x) { try $0.channelSplit($1, sizes: [2, 3]) } }
            == "channel_split 'channel_split': sizes [2, 3] must be positive and add up to 6, the extent of axis 1 "
            + "of input 0 (shape [1,6,3,4])")
        #expect(GraphRunner.errorMessage { _ = try outputs(x) { [try $0.spaceToDepth($1)] } }
            == "space_to_depth 'space_to_depth': block size 2 does not divide the height and width of input 0 (shape [1,6,3,4])")
    }
}
