import Foundation
import Kiln
import KilnIR

/// A C program that drives standalone C the way a device does, and checks what it promises about
/// memory: the weights (and, after `NAME_init`, the prepared values) sit in pages made read-only,
/// the workspace is filled with garbage before each run (so it can hold nothing that must
/// survive), two runs write the same bytes, and under AddressSanitizer `NAME_run` allocates nothing
/// on the heap (nor `NAME_init` with embedded weights). Inputs are `inK.bin`, outputs `outK.bin`
/// (raw little-endian elements).
enum StandaloneHarness {
    static func source(_ model: Model, name: String, embed: Bool) -> String {
        let upper = name.uppercased()
        let inputs = model.graph.inputs.map(\.type)
        let outputs = model.graph.outputs.map { model.graph[$0.node].type }
        var lines = [
            "#define _DEFAULT_SOURCE",
            "#include <stdio.h>",
            "#include <stdlib.h>",
            "#include <string.h>",
            "#include <sys/mman.h>",
            "#include \"\(name).h\"",
            "#if defined(__has_feature)",
            "#if __has_feature(address_sanitizer)",
            "#define HOOKS 1",
            "#endif",
            "#endif",
            "#if defined(__SANITIZE_ADDRESS__)",
            "#define HOOKS 1",
            "#endif",
            "static volatile long allocations;",
            "#ifdef HOOKS",
            "#include <sanitizer/allocator_interface.h>",
            "static void on_malloc(const volatile void *p, size_t n) { (void)p; (void)n; allocations++; }",
            "static void on_free(const volatile void *p) { (void)p; }",
            "#endif",
            "static void *pages(size_t bytes) {",
            "    void *p = mmap(NULL, bytes + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);",
            "    return p == MAP_FAILED ? NULL : p;",
            "}",
            "static int load(const char *path, void *data, size_t bytes) {",
            "    FILE *f = fopen(path, \"rb\");",
            "    if (!f) return -1;",
            "    size_t got = fread(data, 1, bytes, f);",
            "    fclose(f);",
            "    return got == bytes ? 0 : -1;",
            "}",
            "int main(void) {",
            "#ifdef HOOKS",
            "    __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);",
            "#endif",
            "    unsigned char *workspace = malloc(\(upper)_WORKSPACE_BYTES + 1);",
            "    unsigned char *prepared = pages(\(upper)_PREPARED_BYTES);",
        ]
        if embed {
            lines.append("    const void *weights = NULL;")
        } else {
            lines += [
                "    void *weights = pages(\(upper)_WEIGHTS_BYTES);",
                "    if (!weights || load(\"\(name).weights.bin\", weights, \(upper)_WEIGHTS_BYTES) != 0) return 3;",
                "    if (mprotect(weights, \(upper)_WEIGHTS_BYTES + 1, PROT_READ) != 0) return 4;",
            ]
        }
        for (index, type) in inputs.enumerated() {
            lines += [
                "    \(type.dtype.cType) *input\(index) = malloc(\(max(type.byteCount, 1)));",
                "    if (!input\(index) || load(\"in\(index).bin\", input\(index), \(type.byteCount)) != 0) return 5;",
            ]
        }
        for (index, type) in outputs.enumerated() {
            lines.append("    \(type.dtype.cType) *output\(index) = malloc(\(max(type.byteCount, 1)));")
            lines.append("    unsigned char *first\(index) = malloc(\(max(type.byteCount, 1)));")
        }
        let arguments = (["weights", "prepared", "workspace"] + inputs.indices.map { "input\($0)" }
            + outputs.indices.map { "output\($0)" }).joined(separator: ", ")
        lines += [
            "    if (!workspace || !prepared) return 6;",
            "    long before = allocations;",
            "    if (\(name)_init(prepared, workspace, weights, \(embed ? "0" : "\(upper)_WEIGHTS_BYTES")) != 0) return 7;",
            "    long during_init = allocations - before;",
            "    if (mprotect(prepared, \(upper)_PREPARED_BYTES + 1, PROT_READ) != 0) return 8;",
            "    long during_run = 0;",
            "    for (int pass = 0; pass < 2; pass++) {",
            "        memset(workspace, 0xff, \(upper)_WORKSPACE_BYTES + 1);",
        ]
        for (index, type) in outputs.enumerated() { lines.append("        memset(output\(index), 0xff, \(type.byteCount));") }
        lines += [
            "        before = allocations;",
            "        \(name)_run(\(arguments));",
            "        during_run += allocations - before;",
        ]
        for (index, type) in outputs.enumerated() {
            lines.append("        if (pass == 0) memcpy(first\(index), output\(index), \(type.byteCount));")
            lines.append("        else if (memcmp(first\(index), output\(index), \(type.byteCount)) != 0) { fprintf(stderr, \"output \(index) differs between runs\\n\"); return 9; }")
        }
        lines.append("    }")
        for (index, type) in outputs.enumerated() {
            lines += [
                "    FILE *out\(index) = fopen(\"out\(index).bin\", \"wb\");",
                "    if (!out\(index) || fwrite(output\(index), 1, \(type.byteCount), out\(index)) != \(type.byteCount)) return 10;",
                "    fclose(out\(index));",
            ]
        }
        lines += [
            "    printf(\"allocations: init %ld, run %ld\\n\", during_init, during_run);",
            "    return 0;",
            "}",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    struct Result {
        /// The largest normwise relative error against the JIT over the outputs.
        var error: Double
        /// What the harness printed (`allocations: init N, run M`).
        var output: String
    }

    /// Emits `model`, builds the harness with `command` (`-o harness`, the sources and `-lm`
    /// appended), runs it on seeded inputs and compares the outputs with the JIT's.
    static func run(_ model: Model, command: String, embed: Bool) throws -> Result {
        let name = model.name.isEmpty ? "net" : model.name.replacingOccurrences(of: "-", with: "_")
        let directory = try StandaloneTests.temporaryDirectory(name)
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = try model.standaloneProgram(name: name, embedWeights: embed)
        try program.write(to: directory.path)
        try Data(source(model, name: program.name, embed: embed).utf8).write(to: directory.appendingPathComponent("harness.c"))
        let build = try StandaloneTests.shell("\(command) -o harness harness.c \(program.name).c -lm", in: directory)
        guard build.status == 0 else { throw KilnError.runtime("\(command) failed:\n\(build.output)") }
        var inputs: [String: TensorValue] = [:]
        for (index, node) in model.graph.inputs.enumerated() {
            let value = TensorValue.random(node.type, seed: UInt64(index) + 3, low: 0, high: node.type.dtype.isInteger ? 2 : 1)
            inputs[node.name] = value
            try raw(value).write(to: directory.appendingPathComponent("in\(index).bin"))
        }
        let run = try StandaloneTests.shell("ASAN_OPTIONS=detect_leaks=0 ./harness", in: directory)
        guard run.status == 0 else { throw KilnError.runtime("the harness failed (\(run.status)):\n\(run.output)") }
        let expected = try model.compile().run(inputs)
        var worst = 0.0
        for (index, output) in model.graph.outputs.enumerated() {
            let type = model.graph[output.node].type
            let bytes = try Data(contentsOf: directory.appendingPathComponent("out\(index).bin"))
            let actual = decode(bytes, as: type)
            worst = max(worst, Approximate.normwiseRelativeError(actual.doubles, expected[output.name]!.doubles))
        }
        return Result(error: worst, output: run.output)
    }

    /// The elements as raw little-endian bytes.
    static func raw(_ value: TensorValue) -> Data { LittleEndianElement.encode(value) }

    /// Raw little-endian bytes as a value of `type`.
    static func decode(_ data: Data, as type: TensorType) -> TensorValue {
        LittleEndianElement(type.dtype).decode(ArraySlice([UInt8](data)), shape: type.shape)
    }
}
