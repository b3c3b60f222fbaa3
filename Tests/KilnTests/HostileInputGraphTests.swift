import Foundation
import Testing

/// `.kiln` files that once crashed or hung the tool (found by fuzzing): each now gives one
/// `error:` line and exit code 1 at once.
@Suite struct HostileInputGraphTests {
    static let over = "over Kiln's limit of 1 GiB (1073741824 bytes) for one tensor; set KILN_MAX_TENSOR_BYTES to change it"

    /// Each case: the graph's lines and the error line `kiln show` prints.
    static let cases: [(String, String)] = [
        (#"  %0 = input() : f32[4611686018427387904,4] name="x"\#n  output "y" = %0"#,
         "input 'x': f32[4611686018427387904,4] needs more than 9223372036854775807 bytes, \(over)"),
        (#"  %0 = input() : f32[1073741824,1073741824] name="x"\#n  %1 = relu(%0) : f32[1073741824,1073741824] name="r"\#n  output "y" = %1"#,
         "input 'x': f32[1073741824,1073741824] needs 4194304 TiB (4611686018427387904 bytes), \(over)"),
        (#"  %0 = input() : f32[0,3037000500] name="x"\#n  output "y" = %0"#,
         "input 'x': f32[0,3037000500] has no elements, but its other dimensions span 11.3 GiB (12148002000 bytes), \(over)"),
        (#"  %0 = input() : f32[1,1,4,4611686018427387904] name="x"\#n  %1 = max_pool2d(%0) {kernel_size=[2,2], stride=[2,2]} : f32[1,1,2,2] name="p"\#n  output "y" = %1"#,
         "input 'x': f32[1,1,4,4611686018427387904] needs more than 9223372036854775807 bytes, \(over)"),
        (#"  %0 = input() : f32[1,1099511627776] name="x"\#n  %1 = channel_window_sum(%0) {before=2, after=2} : f32[1,1099511627776] name="c"\#n  output "y" = %1"#,
         "input 'x': f32[1,1099511627776] needs 4 TiB (4398046511104 bytes), \(over)"),
        (#"  %0 = input() : f32[2,3] name="x"\#n  %1 = softmax(%0) {axis=9223372036854775807} : f32[2,3] name="s"\#n  output "y" = %1"#,
         "softmax 's': axis 9223372036854775807 in 'axis' is out of range for input 0 of shape [2,3]; expected an axis from -2 to 1"),
        (#"  %0 = input() : f32[2,3] name="x"\#n  %1 = softmax(%0) {axis=92233720368547758070} : f32[2,3] name="s"\#n  output "y" = %1"#,
         "DIR/g.kiln: parse error at line 3: integer 92233720368547758070 is out of range (expected -9223372036854775808 to 9223372036854775807)"),
        (#"  %0 = input() : f32[2,3] name="x"\#n  %1 = reshape(%0) {shape=[4611686018427387904,4,-1]} : f32[6] name="r"\#n  output "y" = %1"#,
         "reshape 'r': cannot reshape input 0 of shape [2,3] (6 elements) to [4611686018427387904,4,-1]"),
        (#"  %0 = input() : f32[2,3] name="x"\#n  %1 = pad(%0) {pads=[0,0,4611686018427387904,4611686018427387904]} : f32[6] name="r"\#n  output "y" = %1"#,
         "invalid graph: node %1 'r' (pad) is typed f32[6] but its inputs give f32[4611686018427387906,4611686018427387907]"),
        (#"  %0 = input() : f32[2,3] name="x"\#n  %1 = pad(%0) {pads=[0,0,4611686018427387904,4611686018427387904]} : f32[4611686018427387906,4611686018427387907] name="r"\#n  output "y" = %1"#,
         "pad 'r': f32[4611686018427387906,4611686018427387907] needs more than 9223372036854775807 bytes, \(over)"),
        (#"  %0 = input() : f32[8] name="x"\#n  %1 = slice(%0) {starts=[0], ends=[8], steps=[-9223372036854775807]} : f32[1] name="r"\#n  output "y" = %1"#,
         "invalid graph: node %1 'r' (slice) is typed f32[1] but its inputs give f32[0]"),
        (#"  %0 = input() : f32[4,3] name="x"\#n  %1 = const() {value=f[inf,nan,1e30]} : i64[3] name="i"\#n  %2 = gather(%0, %1) : f32[3,3] name="g"\#n  output "y" = %2"#,
         "invalid graph: constant %1 'i' of type i64[3] holds inf; an integer constant holds whole numbers in the range of i64"),
        (#"  %0 = input() : f32[4,3] name="x"\#n  %1 = const() {value=f[1e30]} : i64[1] name="i"\#n  %2 = gather(%0, %1) : f32[1,3] name="g"\#n  output "y" = %2"#,
         "invalid graph: constant %1 'i' of type i64[1] holds 1e+30; an integer constant holds whole numbers in the range of i64"),
        (#"  %0 = input() : f32[1,3,5,5] name="dy"\#n  %1 = input() : f32[3,2,3,3] name="w"\#n  %2 = conv2d_backward_input(%0, %1) {input_size=[5,5], padding=[1], groups=4611686018427387904} : f32[1,2,5,5] name="dx"\#n  output "y" = %2"#,
         "conv2d_backward_input 'dx': attribute 'groups' 4611686018427387904 times the 2 channels per group of input 1 of shape [3,2,3,3] overflows"),
        (#"  %0 = const() {value=f[nan]} : i64[] name="seed"\#n  %1 = random_uniform(%0) {shape=[4]} : f32[4] name="g"\#n  output "y" = %1"#,
         "invalid graph: constant %0 'seed' of type i64[] holds nan; an integer constant holds whole numbers in the range of i64"),
    ]

    @Test(arguments: cases)
    func showRefusesAtOnce(body: String, line: String) throws {
        let result = try HostileInput.kiln(["show", "DIR/g.kiln"], files: ["g.kiln": HostileInput.graph(body)])
        HostileInput.expectError(result, line)
    }

    @Test func runRefusesAnInputTooLargeToGenerate() throws {
        let body = #"  %0 = input() : f32[1073741824,4] name="x"\#n  %1 = relu(%0) : f32[1073741824,4] name="r"\#n  output "y" = %1"#
        let result = try HostileInput.kiln(["run", "DIR/g.kiln", "--check"], files: ["g.kiln": HostileInput.graph(body)])
        HostileInput.expectError(result, "input 'x': f32[1073741824,4] needs 16 GiB (17179869184 bytes), \(Self.over)")
    }

    @Test func checkRefusesAGraphTooLargeForTheInterpreter() throws {
        let body = #"  %0 = input() : f32[134217728] name="x"\#n  %1 = relu(%0) : f32[134217728] name="r"\#n  output "y" = %1"#
        let result = try HostileInput.kiln(["run", "DIR/g.kiln", "--check"], files: ["g.kiln": HostileInput.graph(body)])
        HostileInput.expectError(result, "--check: the float64 reference interpreter would hold 2 GiB (2147483648 bytes) for graph 'g' "
            + "(every node's value in float64), over Kiln's limit of 1 GiB (1073741824 bytes); run it on smaller inputs, "
            + "or set KILN_MAX_TENSOR_BYTES to change the limit")
    }

    /// A Xavier initializer with a fan-in of 2^62 once overflowed adding the fan-out: the weights
    /// are now drawn (tiny) and the graph runs.
    @Test func runInitializesAParameterOfAHugeFanIn() throws {
        let body = #"  %0 = param() {fan_in=4611686018427387904, init="xavier_uniform"} : f32[4,4] name="w"\#n  %1 = sum(%0) {axes=[0,1]} : f32[] name="s"\#n  output "y" = %1"#
        let result = try HostileInput.kiln(["run", "DIR/g.kiln", "--backend", "tcc", "--check"], files: ["g.kiln": HostileInput.graph(body)])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.hasPrefix("y: f32[] ["))
        #expect(result.output.contains("relative error against the float64 interpreter"))
    }
}
