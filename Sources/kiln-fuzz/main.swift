import Foundation
import KilnFuzzing

// `kiln-fuzz [--seconds N] [--seed S] [--hang-seconds H] [--corpus DIR] [--findings DIR] [TARGET...]`:
// fuzzes each target (kiln, onnx, npy, safetensors, csv, arguments, compile; all by default) for N seconds from the seeds
// in DIR/<target>/ (default Fuzz/corpus), saving inputs that crash or hang Kiln to
// DIR/<target>/ (default Fuzz/findings). Exits 1 when anything was found. `make fuzz` runs it.
// `kiln-fuzz TARGET --replay FILE` runs one input in process (to reproduce a finding);
// `kiln-fuzz TARGET --case N [--seed S]` prints case N of a run to standard output; `--child`
// is the child process FuzzCampaign starts.
var options: [String: String] = [:]
var targets: [FuzzTarget] = []
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    if argument.hasPrefix("--") {
        guard let value = arguments.popFirst() else { print("error: \(argument) needs a value"); exit(1) }
        options[String(argument.dropFirst(2))] = value
    } else if let target = FuzzTarget(rawValue: argument) {
        targets.append(target)
    } else {
        print("error: unknown fuzz target '\(argument)' (expected \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
        exit(1)
    }
}

@MainActor func number(_ key: String, default fallback: Double) -> Double {
    guard let text = options[key] else { return fallback }
    guard let value = Double(text), value.isFinite, value >= 0 else { print("error: --\(key) must be a non-negative number, got \(text)"); exit(1) }
    return value
}

let seed = UInt64(options["seed"] ?? "1") ?? 1
if let child = options["child"] {
    guard let target = FuzzTarget(rawValue: child), let corpus = options["corpus"], let current = options["current"] else { exit(2) }
    try FuzzCampaign.runChild(
        target: target, corpus: URL(fileURLWithPath: corpus).appendingPathComponent(target.rawValue), seed: seed,
        start: Int(options["start"] ?? "0") ?? 0, until: number("until", default: 0), current: URL(fileURLWithPath: current))
    exit(0)
}

if let replay = options["replay"] {
    guard targets.count == 1, let data = FileManager.default.contents(atPath: replay) else {
        print("error: --replay FILE needs one target and a readable file")
        exit(1)
    }
    print(targets[0].run(data).map { "refused: \($0)" } ?? "accepted")
    exit(0)
}

let corpus = URL(fileURLWithPath: options["corpus"] ?? "Fuzz/corpus")
if let index = options["case"] {
    guard targets.count == 1, let index = Int(index), index >= 0 else { print("error: --case N needs one target and a case number"); exit(1) }
    let inputs = FuzzCorpus(target: targets[0], folder: corpus.appendingPathComponent(targets[0].rawValue))
    FileHandle.standardOutput.write(Data(inputs.input(index, seed: seed)))
    exit(0)
}
let findings = URL(fileURLWithPath: options["findings"] ?? "Fuzz/findings")
let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
var total = 0
for target in targets.isEmpty ? FuzzTarget.allCases : targets {
    let campaign = FuzzCampaign(
        target: target, corpus: corpus, findings: findings, seed: seed, seconds: number("seconds", default: 60),
        hangSeconds: number("hang-seconds", default: 10), executable: executable)
    let (cases, found) = try campaign.run()
    print("\(target.rawValue): \(cases) cases, \(found.count) findings")
    for finding in found { print("  \(finding)") }
    total += found.count
}
exit(total == 0 ? 0 : 1)
