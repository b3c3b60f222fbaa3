import KilnIR
import KilnOps
import Testing

/// The exact messages of reduction and softmax shape errors.
@Suite struct ReductionErrorTests {
    @Test func axisOutOfRange() {
        #expect(shapeError("sum", [.f32(2, 3)], ["axes": .ints([2])])
            == "axis 2 in 'axes' is out of range for input 0 of shape [2,3]; expected an axis from -2 to 1")
        #expect(shapeError("mean", [.f32(2, 3)], ["axes": .ints([0, -3])])
            == "axis -3 in 'axes' is out of range for input 0 of shape [2,3]; expected an axis from -2 to 1")
    }

    @Test func axisOfAScalar() {
        #expect(shapeError("max", [.f32()], ["axes": .ints([0])])
            == "axis 0 in 'axes' is out of range for input 0 of shape []; expected none (a scalar has no axes)")
    }

    @Test func duplicateAxes() {
        #expect(shapeError("min", [.f32(2, 3)], ["axes": .ints([1, -1])])
            == "'axes' [1,-1] names axis 1 twice for input 0 of shape [2,3]; expected distinct axes")
    }

    @Test func integerInput() {
        #expect(shapeError("argmax", [.i64(3)]) == "input 0 is i64[3]; expected f32")
    }

    @Test func badAttributeTypes() {
        #expect(shapeError("sum", [.f32(2, 3)], ["keepdims": .int(1)]) == "attribute 'keepdims' is 1; expected true or false")
        #expect(shapeError("sum", [.f32(2, 3)], ["axes": .floats([1])]) == "attribute 'axes' is f[1.0]; expected a list of integers")
    }

    @Test func softmaxAxisOutOfRange() {
        #expect(shapeError("softmax", [.f32(2, 3)], ["axis": .int(2)])
            == "axis 2 in 'axis' is out of range for input 0 of shape [2,3]; expected an axis from -2 to 1")
        #expect(shapeError("log_softmax", [.f32()])
            == "axis -1 in 'axis' is out of range for input 0 of shape []; expected none (a scalar has no axes)")
    }

    @Test func errorThroughTheBuilderNamesTheNode() throws {
        var builder = GraphBuilder(name: "bad")
        let x = builder.leaf(Node.inputOp, type: .f32(4), name: "x")
        #expect(throws: KilnError.shape(
            NodeContext(op: "sum", name: "total", inputTypes: [.f32(4)]),
            ShapeError("axis 1 in 'axes' is out of range for input 0 of shape [4]; expected an axis from -1 to 0"))
        ) {
            try builder.add("sum", [x], attributes: ["axes": .ints([1])], name: "total")
        }
    }
}
