/// An estimate of the machine code a standalone program compiles to, from its C text: the bytes of
/// `.text` plus the compiler's read-only tables (`.rodata` other than the embedded weights) that
/// `gcc -O3` (the emitted Makefile's default) writes for x86-64.
///
/// Method: the kernel functions are tokenized (comments and tcc's `#if defined(__TINYC__)` branches dropped, the `vN` temporaries renumbered
/// in order of appearance) and identical bodies counted once, as gcc's identical code folding
/// merges them. Then, fitted by least squares on the relative error over the 26 zoo models
/// (external weights, gcc 12 -O3): 4.5 bytes per token, less 100 per loop (a loop header is many
/// tokens but few instructions), less 3.2 per token of an innermost loop that accumulates into a
/// scalar (gcc does not vectorize float reductions without -ffast-math, so it writes one copy of
/// the loop instead of vector, peeled and remainder copies; loops with a constant bound under 16
/// are unrolled, not counted among them), 55 per kernel call in the drivers, 3,150 for the
/// built-in GEMM and 550 for the rest. Every zoo model lands within 20% (worst: shufflenet_v2
/// -20%, lenet5 +19%, cnn-digits -17%). Other compilers and targets differ: clang -O3 unrolls
/// more and folds no identical functions (up to 5x larger); `-Os` is smaller.
struct StandaloneCodeSize {
    /// The estimated bytes.
    let bytes: Int

    static let bytesPerToken = 4.5, bytesPerLoop = -100.0, bytesPerReductionToken = -3.2
    static let bytesPerCall = 55.0, builtinGEMMBytes = 3150.0, fixedBytes = 550.0

    /// The estimate for kernel functions `kernelCode` (the `static void kNNN_...` functions, as
    /// `CWriter` writes them), `calls` kernel calls in the drivers, with or without the built-in GEMM.
    init(kernelCode: String, calls: Int, builtinGEMM: Bool) {
        var bodies = Set<[Substring]>()
        for body in Self.kernelBodies(Self.withoutTinyCBranches(Self.withoutComments(kernelCode))) { bodies.insert(Self.renumbered(Self.tokens(body))) }
        var total = Self.fixedBytes + Double(calls) * Self.bytesPerCall + (builtinGEMM ? Self.builtinGEMMBytes : 0)
        for tokens in bodies {
            let loops = tokens.filter { $0 == "for" }.count
            total += Double(tokens.count) * Self.bytesPerToken + Double(loops) * Self.bytesPerLoop
                + Double(Self.reductionTokens(tokens)) * Self.bytesPerReductionToken
        }
        bytes = max(Int(total.rounded()), 0)
    }

    /// The text without `/* ... */` comments.
    static func withoutComments(_ text: String) -> String {
        var result = "", rest = Substring(text)
        while let open = rest.range(of: "/*") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "*/") else { return result }
            rest = rest[close.upperBound...]
        }
        return result + rest
    }

    /// The text without the `#if defined(__TINYC__)` branches (the code tcc compiles instead, such
    /// as a `cblas_sgemm` call in place of a loop the other compilers vectorize) and without the
    /// directives of those conditionals, keeping their `#else` branches.
    static func withoutTinyCBranches(_ text: String) -> String {
        var kept: [Substring] = [], state = TinyCBranch.outside
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let directive = line.drop { $0 == " " }
            switch state {
            case .outside where directive == "#if defined(__TINYC__)": state = .tinyC
            case .tinyC where directive == "#else": state = .otherCompilers
            case .tinyC where directive == "#endif", .otherCompilers where directive == "#endif": state = .outside
            case .tinyC: continue
            default: kept.append(line)
            }
        }
        return kept.joined(separator: "\n")
    }

    /// Where `withoutTinyCBranches` is: outside such a conditional, in its tcc branch, or in its `#else`.
    enum TinyCBranch { case outside, tinyC, otherCompilers }

    /// The bodies (after the opening brace) of the top-level functions named `kNNN_...`.
    static func kernelBodies(_ text: String) -> [String] {
        var bodies: [String] = [], current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.hasPrefix("static void k"), line.hasSuffix("{"), line.dropFirst(13).first?.isNumber == true {
                current = []
            } else if current != nil {
                current!.append(line)
                if line.hasPrefix("}") {
                    bodies.append(current!.joined(separator: "\n"))
                    current = nil
                }
            }
        }
        return bodies
    }

    /// C tokens: identifiers, numbers (`1.5e-3f`), runs of operator characters, brackets and
    /// separators; other characters are skipped.
    static func tokens(_ text: String) -> [Substring] {
        let operators = Set("-+*/%<>=!&|^?:~"), punctuation = Set("[](){};,")
        var result: [Substring] = []
        var index = text.startIndex
        func take(while condition: (Character) -> Bool) {
            while index < text.endIndex, condition(text[index]) { index = text.index(after: index) }
        }
        while index < text.endIndex {
            let start = index, character = text[index]
            if character.isLetter || character == "_" {
                take { $0.isLetter || $0.isNumber || $0 == "_" }
            } else if character.isNumber {
                take(while: \.isNumber)
                if index < text.endIndex, text[index] == "." { index = text.index(after: index); take(while: \.isNumber) }
                let mark = index
                if index < text.endIndex, text[index] == "e" {
                    index = text.index(after: index)
                    if index < text.endIndex, "+-".contains(text[index]) { index = text.index(after: index) }
                    let digits = index
                    take(while: \.isNumber)
                    if index == digits { index = mark }
                }
                if index < text.endIndex, text[index] == "f" { index = text.index(after: index) }
            } else if operators.contains(character) {
                take { operators.contains($0) }
            } else {
                index = text.index(after: index)
                if !punctuation.contains(character) { continue }
            }
            result.append(text[start..<index])
        }
        return result
    }

    /// The tokens with every `vN` temporary renamed in order of first appearance, so that kernels
    /// differing only in their temporaries' numbers compare equal.
    static func renumbered(_ tokens: [Substring]) -> [Substring] {
        var names: [Substring: Substring] = [:]
        return tokens.map { token in
            guard token.count > 1, token.first == "v", token.dropFirst().allSatisfy(\.isNumber) else { return token }
            if let name = names[token] { return name }
            let name = Substring("v\(names.count)")
            names[token] = name
            return name
        }
    }

    /// Tokens of the innermost loops (from `for` to their closing brace) that accumulate into a
    /// scalar (`s += ...`), except loops whose constant bound is under 16.
    static func reductionTokens(_ tokens: [Substring]) -> Int {
        var total = 0
        for start in tokens.indices where tokens[start] == "for" {
            guard let end = blockEnd(tokens, loop: start),
                  !tokens[(start + 1)..<end].contains("for") else { continue }
            let header = tokens[start..<min(start + 40, tokens.count)]
            if let less = header.firstIndex(of: "<"), less + 1 < tokens.count, let bound = Int(tokens[less + 1]), bound < 16 {
                continue
            }
            let reduces = (start + 1..<end).contains { tokens[$0] == "+=" && tokens[$0 - 1] != "]" }
            if reduces { total += end - start }
        }
        return total
    }

    /// The index of the closing brace of the loop whose `for` is at `loop`, if its body is a block.
    static func blockEnd(_ tokens: [Substring], loop: Int) -> Int? {
        var index = loop + 1, depth = 0
        while index < tokens.count {
            if tokens[index] == "(" { depth += 1 }
            if tokens[index] == ")" { depth -= 1; if depth == 0 { break } }
            index += 1
        }
        index += 1
        guard index < tokens.count, tokens[index] == "{" else { return nil }
        depth = 0
        while index < tokens.count {
            if tokens[index] == "{" { depth += 1 }
            if tokens[index] == "}" { depth -= 1; if depth == 0 { return index } }
            index += 1
        }
        return nil
    }
}
