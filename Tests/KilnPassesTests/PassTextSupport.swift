import KilnIR
import KilnOps
import KilnPasses
import Testing

/// Runs `passes` on the graph `input` (the `.kiln` text format), verifying after every pass, and
/// returns the result as text.
func applying(_ passes: [Pass], to input: String, context: PassContext = PassContext()) throws -> String {
    var graph = try GraphParser.parse(input)
    try OperatorRegistry.verify(graph)
    try PassPipeline(passes).run(&graph, context: context, verify: true)
    return GraphText.print(graph)
}

/// Expects `passes` to turn the graph `input` into exactly the graph `expected` (both as text).
func expectRewrite(
    _ passes: [Pass], _ input: String, _ expected: String, context: PassContext = PassContext(),
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    expectSameLines(try applying(passes, to: input, context: context), expected, sourceLocation: sourceLocation)
}

/// Expects two texts to be equal, compared line by line so that a failure names the first
/// differing line and shows the whole actual text.
func expectSameLines(_ actual: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
    if let index = zip(actualLines, expectedLines).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
        Issue.record(
            "line \(index + 1) differs:\n  got      \(actualLines[index])\n  expected \(expectedLines[index])\nwhole result:\n\(actual)",
            sourceLocation: sourceLocation)
    } else if actualLines.count != expectedLines.count {
        Issue.record("got \(actualLines.count) lines, expected \(expectedLines.count):\n\(actual)", sourceLocation: sourceLocation)
    }
}
