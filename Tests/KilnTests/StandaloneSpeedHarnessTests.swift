import Foundation
import Kiln
import KilnModels
import Testing

/// `make standalone-bench`'s driver (Scripts/standalone_speed.c) builds warning-free against an
/// emitted program and runs it on its external weights, printing the model's line.
@Suite struct StandaloneSpeedHarnessTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scripts/standalone_speed.c").path

    @Test func theDriverBuildsAndTimesLeNet() throws {
        let directory = try StandaloneTests.temporaryDirectory("speed")
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = try #require(Zoo.entry("lenet5")).build(seed: 1).standaloneProgram(name: "lenet5")
        try program.write(to: directory.path)
        let flags = "-DNAME=lenet5 -DUPPER=LENET5 -DINPUT=LENET5_X_ELEMENTS -DOUTPUT=LENET5_Y_ELEMENTS"
        let run = try StandaloneTests.shell(
            "gcc -std=c99 -O2 -Wall -Wextra -Werror \(flags) -I. -o speed '\(Self.script)' lenet5.c -lm && ./speed", in: directory)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.hasPrefix("lenet5 ") && run.output.contains(" ms (median of 11; fastest "), "\(run.output)")
    }
}
