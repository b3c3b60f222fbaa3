import Foundation
import Kiln
import KilnModels
import Testing

/// The footprint the header states agrees with the built object (`size -A`, `-fstack-usage`), and
/// `maxRAM` (`kiln emit --max-ram`) refuses a plan that does not fit, naming its peak.
@Suite(.serialized) struct StandaloneFootprintTests {
    /// The sizes of an object's sections, by name.
    static func sections(_ output: String) -> [String: Int] {
        var result: [String: Int] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, fields[0].hasPrefix("."), let size = Int(fields[1]) { result[String(fields[0])] = size }
        }
        return result
    }

    /// cnn-digits embedded: its folded batch norms are computed at emit time and embedded too.
    @Test(arguments: ["gcc", "clang"], [false, true])
    func theObjectHoldsTheStatedWeightsNoMutableDataAndFramesUnderTheBound(compiler: String, embed: Bool) throws {
        let model = embed ? DigitsModels.cnn(batch: 2, seed: 1) : ClassicNets.lenet5()
        let directory = try StandaloneTests.temporaryDirectory("footprint")
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = try model.standaloneProgram(name: "lenet5", embedWeights: embed)
        try program.write(to: directory.path)
        let build = try StandaloneTests.shell(
            "\(compiler) -std=c99 -O3 -fdata-sections -fstack-usage -c -o lenet5.o lenet5.c && size -A lenet5.o && cat lenet5.su",
            in: directory)
        #expect(build.status == 0, "\(build.output)")
        let sizes = Self.sections(build.output)
        let footprint = program.footprint
        #expect(embed == (footprint.embeddedPreparedBytes > 0) && program.preparedBytes == 0)
        if embed {
            // Each embedded array is its own section under -fdata-sections: the stated bytes exactly.
            #expect(sizes[".rodata.lenet5_weights"] == footprint.parameterBytes + footprint.constantBytes, "\(sizes)")
            #expect(sizes[".rodata.lenet5_prepared"] == footprint.embeddedPreparedBytes, "\(sizes)")
        } else {
            #expect(!sizes.keys.contains { $0.hasPrefix(".rodata.lenet5_") }, "no embedded weights: \(sizes)")
        }
        #expect((sizes[".data"] ?? 0) == 0 && (sizes[".bss"] ?? 0) == 0, "no mutable globals: \(sizes)")
        let frames = build.output.split(separator: "\n").compactMap { line -> Int? in
            let fields = line.split(separator: "\t")
            return fields.count == 3 ? Int(fields[1]) : nil
        }
        #expect(!frames.isEmpty)
        #expect(frames.allSatisfy { $0 <= program.footprint.stackBound }, "largest frame \(frames.max() ?? 0)")
        let header = String(decoding: program.files["lenet5.h"]!, as: UTF8.self)
        for line in program.footprint.lines { #expect(header.contains(" *   " + line + "\n")) }
    }

    /// The six models: the code estimate against `size -A` of the object gcc -O3 builds
    /// (`.text` and the compiler's read-only tables), within 20%.
    @Test(arguments: ["mlp", "lenet5", "mobilenet_v2", "resnet18", "transformer_block", "gelu_stream"])
    func theCodeEstimateIsWithinTwentyPercentOfGCC(name: String) throws {
        let model = try #require(Zoo.entry(name)).build(seed: 1)
        let directory = try StandaloneTests.temporaryDirectory("code")
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = try model.standaloneProgram(name: "net")
        try program.write(to: directory.path)
        let build = try StandaloneTests.shell("gcc -std=c99 -O3 -c -o net.o net.c && size -A net.o", in: directory)
        #expect(build.status == 0, "\(build.output)")
        let sizes = Self.sections(build.output)
        let code = (sizes[".text"] ?? 0) + sizes.filter { $0.key.hasPrefix(".rodata") }.values.reduce(0, +)
        let estimate = program.footprint.codeBytes
        #expect(abs(Double(estimate - code)) <= 0.2 * Double(code), "\(name): estimated \(estimate) bytes of code, gcc wrote \(code)")
    }

    /// ResNet-18 with external weights: the header says what the prepared buffer holds (all of it
    /// derived from the weights) and how little of the weights the run still reads.
    @Test func theHeaderSaysWhatThePreparedBufferHolds() throws {
        let program = try #require(Zoo.entry("resnet18")).build(seed: 1).standaloneProgram(name: "resnet18")
        let footprint = program.footprint
        #expect(footprint.preparedContents.map(\.op) == ["mul", "winograd_filter", "sub"])
        #expect(footprint.preparedContents.reduce(0) { $0 + $1.bytes } == program.preparedBytes)
        // The classifier's weights and bias (512 x 1000 + 1000 floats): the convolutions read prepared values.
        #expect(footprint.runWeightBytes == 2_052_000)
        let header = String(decoding: program.files["resnet18.h"]!, as: UTF8.self)
        #expect(header.contains(" *   prepared: all \(program.preparedBytes) bytes derived from the weights (by operator: mul "))
        #expect(header.contains("run then reads 2052000 of the \(program.weightsBytes) bytes of weights\n"))
    }

    @Test func aPlanThatDoesNotFitIsRefusedNamingItsPeak() throws {
        let model = MLP.mnist(batch: 64)
        let fits = try model.standaloneProgram(name: "mlp")
        #expect(throws: Never.self) { try model.standaloneProgram(name: "mlp", maxRAM: fits.footprint.readWriteBytes) }
        let error = try #require(throws: KilnError.self) {
            try model.standaloneProgram(name: "mlp", maxRAM: fits.footprint.readWriteBytes - 1)
        }
        #expect(error.description == "graph 'mlp' needs 262144 bytes of RAM (workspace 262144, peaking at 262144 bytes live in "
            + "kernel k001_matmul_add_relu; prepared 0), more than --max-ram 262143")
    }

    @Test func kilnEmitPrintsTheFootprintAndMaxRAMExitsWithOneLine() throws {
        let directory = try StandaloneTests.temporaryDirectory("emit")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fits = try CommandLineTests.kiln(["emit", "mlp", "-o", directory.path])
        #expect(fits.status == 0, "\(fits.error)")
        #expect(fits.output.contains("read-write: 262144 bytes: workspace 262144"))
        let refused = try CommandLineTests.kiln(["emit", "mlp", "-o", directory.path, "--max-ram", "100000"])
        #expect(refused.status == 1)
        #expect(refused.error == "error: graph 'mlp' needs 262144 bytes of RAM (workspace 262144, peaking at 262144 bytes live in "
            + "kernel k001_matmul_add_relu; prepared 0), more than --max-ram 100000\n")
    }
}
