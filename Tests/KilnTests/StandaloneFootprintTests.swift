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
            "\(compiler) -std=c99 -O3 -fstack-usage -c -o lenet5.o lenet5.c && size -A lenet5.o && cat lenet5.su", in: directory)
        #expect(build.status == 0, "\(build.output)")
        let sizes = Self.sections(build.output)
        let readOnly = sizes.filter { $0.key.hasPrefix(".rodata") }.values.reduce(0, +)
        let weights = program.footprint.parameterBytes + program.footprint.constantBytes + program.footprint.embeddedPreparedBytes
        #expect(embed == (program.footprint.embeddedPreparedBytes > 0) && program.preparedBytes == 0)
        if embed {
            #expect(readOnly >= weights && readOnly <= weights + 4096, "read-only \(readOnly), weights \(weights)")
        } else {
            #expect(readOnly < 4096, "read-only \(readOnly) without embedded weights")
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
