import KilnIR
import KilnOps
import Testing

/// The exact messages of shape errors of the data-movement operators.
@Suite struct ShapeOperatorErrorTests {
    @Test func transposeWithABadPermutation() {
        #expect(shapeError("transpose", [.f32(2, 3)], ["perm": .ints([0, 0])])
            == "perm [0,0] is not a permutation of the 2 axes of input 0 of shape [2,3]; expected each of 0 to 1 exactly once")
        #expect(shapeError("transpose", [.f32(2, 3)], ["perm": .ints([2, 0, 1])])
            == "perm [2,0,1] is not a permutation of the 2 axes of input 0 of shape [2,3]; expected each of 0 to 1 exactly once")
    }

    @Test func expandToAnIncompatibleShape() {
        #expect(shapeError("expand", [.f32(2, 3)], ["shape": .ints([4, 3])])
            == "cannot expand input 0 of shape [2,3] to [4,3]; expected each dimension of input 0, aligned from the right, to be 1 or equal to the target's")
        #expect(shapeError("expand", [.f32(2, 3)], ["shape": .ints([3])])
            == "cannot expand input 0 of shape [2,3] to [3]; expected each dimension of input 0, aligned from the right, to be 1 or equal to the target's")
    }

    @Test func sliceWithAZeroStep() {
        #expect(shapeError("slice", [.f32(2, 3)], ["starts": .ints([0, 0]), "ends": .ints([2, 3]), "steps": .ints([1, 0])])
            == "step 0 on axis 1 of input 0 of shape [2,3]; expected a non-zero step")
    }

    @Test func sliceWithMismatchedLists() {
        #expect(shapeError("slice", [.f32(2, 3)], ["starts": .ints([0, 0]), "ends": .ints([2])])
            == "'starts' has 2 entries but 'ends' has 1; expected one entry per sliced axis of input 0 of shape [2,3]")
        #expect(shapeError("slice", [.f32(2, 3)], ["starts": .ints([0, 0, 0]), "ends": .ints([1, 1, 1])])
            == "'starts' has 3 entries for input 0 of shape [2,3]; expected at most 2, one per axis")
        #expect(shapeError("slice", [.f32(2, 3)], ["starts": .ints([0])]) == "missing attribute 'ends'")
    }

    @Test func concatWithMismatchedDimensions() {
        #expect(shapeError("concat", [.f32(2, 3), .f32(3, 4)], ["axis": .int(1)])
            == "input 1 has shape [3,4]; expected [2,*] to match input 0 of shape [2,3] on every axis but 1")
        #expect(shapeError("concat", [.f32(2, 3), .f32(2, 3), .f32(2, 3, 1)], ["axis": .int(0)])
            == "input 2 has shape [2,3,1]; expected [*,3] to match input 0 of shape [2,3] on every axis but 0")
    }

    @Test func concatWithMixedElementTypesOrNoAxis() {
        #expect(shapeError("concat", [.f32(2), .i64(2)], ["axis": .int(0)])
            == "input 1 is i64[2]; expected element type f32 like input 0")
        #expect(shapeError("concat", [.f32(2)]) == "missing attribute 'axis'")
        #expect(shapeError("concat", [.f32()], ["axis": .int(0)])
            == "axis 0 in 'axis' is out of range for input 0 of shape []; expected none (a scalar has no axes)")
    }

    @Test func padWithBadPads() {
        #expect(shapeError("pad", [.f32(2, 3)], ["pads": .ints([1, 1])])
            == "'pads' has 2 entries for input 0 of shape [2,3]; expected 4 (before and after each axis)")
        #expect(shapeError("pad", [.f32(2, 3)], ["pads": .ints([0, -1, 0, 0])])
            == "'pads' [0,-1,0,0] for input 0 of shape [2,3] holds a negative entry; expected non-negative")
    }

    @Test func gatherWithFloatIndices() {
        #expect(shapeError("gather", [.f32(5, 2), .f32(3)]) == "input 1 (indices) is f32[3]; expected i64 or i32")
    }

    @Test func gatherOnAMissingAxis() {
        #expect(shapeError("gather", [.f32(5, 2), .i64(3)], ["axis": .int(2)])
            == "axis 2 in 'axis' is out of range for input 0 of shape [5,2]; expected an axis from -2 to 1")
    }

    @Test func gatherGradWithTheWrongGradientShape() {
        #expect(shapeError("gather_grad", [.f32(3, 2), .i64(4)], ["shape": .ints([5, 2])])
            == "input 0 has shape [3,2]; expected [4,2], the gather of shape [5,2] along axis 0 by indices of shape [4]")
    }
}
