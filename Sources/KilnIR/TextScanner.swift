/// A small scanner over the `.kiln` text: words, numbers, strings and punctuation, with line numbers.
struct TextScanner {
    private let characters: [Character]
    private var position = 0
    private var line = 1

    /// A CRLF line break is one `Character` in Swift; it is scanned as the `\n` it ends with.
    init(_ text: String) { characters = text.map { $0 == "\r\n" ? "\n" : $0 } }

    var atEnd: Bool { position >= characters.count }

    /// Whether only spaces remain before the end of the current line (comments start with `//`).
    var atLineEnd: Bool {
        var index = position
        while index < characters.count, characters[index] == " " || characters[index] == "\t" { index += 1 }
        if index >= characters.count || characters[index] == "\n" || characters[index] == "\r" { return true }
        return index + 1 < characters.count && characters[index] == "/" && characters[index + 1] == "/"
    }

    func error(_ message: String) -> KilnError { .parse(line: line, message: message) }

    mutating func skipSpace() {
        while position < characters.count {
            let character = characters[position]
            if character == "\n" {
                line += 1
                position += 1
            } else if character.isWhitespace {
                position += 1
            } else if character == "/", position + 1 < characters.count, characters[position + 1] == "/" {
                while position < characters.count, characters[position] != "\n" { position += 1 }
            } else {
                return
            }
        }
    }

    mutating func peek(_ token: String) -> Bool {
        skipSpace()
        let tokenCharacters = Array(token)
        guard position + tokenCharacters.count <= characters.count else { return false }
        return Array(characters[position..<position + tokenCharacters.count]) == tokenCharacters
    }

    mutating func consume(_ token: String) -> Bool {
        guard peek(token) else { return false }
        position += token.count
        return true
    }

    mutating func expect(_ token: String) throws(KilnError) {
        guard consume(token) else { throw error("expected '\(token)', found \(found())") }
    }

    mutating func peekWord(_ word: String) -> Bool {
        let saved = (position, line)
        defer { (position, line) = saved }
        return (try? self.word()) == word
    }

    mutating func expectWord(_ word: String) throws(KilnError) {
        let found = try self.word()
        guard found == word else { throw error("expected '\(word)', found '\(found)'") }
    }

    private static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_" || character == "-" || character == "."
    }

    mutating func word() throws(KilnError) -> String {
        skipSpace()
        let start = position
        while position < characters.count, TextScanner.isWordCharacter(characters[position]) { position += 1 }
        guard position > start else { throw error("expected a name, found \(found())") }
        return String(characters[start..<position])
    }

    mutating func nameOrString() throws(KilnError) -> String {
        peek("\"") ? try string() : try word()
    }

    mutating func nodeID() throws(KilnError) -> NodeID {
        guard consume("%") else { throw error("expected a node reference like %3, found \(found())") }
        let start = position
        while position < characters.count, characters[position].isASCII, characters[position].isNumber { position += 1 }
        guard position > start, let index = Int(String(characters[start..<position])) else {
            throw error("expected a node number after '%'")
        }
        return NodeID(index)
    }

    mutating func integer() throws(KilnError) -> Int {
        let number = try self.number()
        guard let value = number.integer else { throw error("expected an integer, found \(number.value)") }
        return value
    }

    /// A number; `integer` is its exact value when it is written as an integer that fits an `Int`
    /// (an integer beyond the `Int` range is an error, not a rounded float).
    mutating func number() throws(KilnError) -> (value: Double, integer: Int?) {
        skipSpace()
        let start = position
        while position < characters.count,
              characters[position].isNumber || "+-.eEinfa".contains(characters[position]) {
            position += 1
        }
        let text = String(characters[start..<position])
        if let integer = Int(text) { return (Double(integer), integer) }
        if text.contains(where: \.isNumber), text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "+") }) {
            throw error("integer \(text) is out of range (expected \(Int.min) to \(Int.max))")
        }
        guard !text.isEmpty, let value = Double(text) else { throw error("expected a number, found \(found(from: start))") }
        return (value, nil)
    }

    mutating func string() throws(KilnError) -> String {
        skipSpace()
        guard position < characters.count, characters[position] == "\"" else {
            throw error("expected a string in double quotes, found \(found())")
        }
        position += 1
        var result = ""
        while true {
            guard position < characters.count, characters[position] != "\n" else { throw error("unterminated string") }
            let character = characters[position]
            position += 1
            if character == "\"" { return result }
            guard character == "\\" else { result.append(character); continue }
            guard position < characters.count else { throw error("unterminated string") }
            let escaped = characters[position]
            position += 1
            switch escaped {
            case "n": result.append("\n")
            case "t": result.append("\t")
            case "r": result.append("\r")
            case "\\": result.append("\\")
            case "\"": result.append("\"")
            case "u":
                guard consume("{") else { throw error("expected '{' after \\u") }
                let start = position
                while position < characters.count, characters[position].isHexDigit { position += 1 }
                guard let value = UInt32(String(characters[start..<position]), radix: 16),
                      let scalar = Unicode.Scalar(value), consume("}") else { throw error("bad \\u{...} escape") }
                result.unicodeScalars.append(scalar)
            default: throw error("unknown escape '\\\(escaped)'")
            }
        }
    }

    private func found(from start: Int? = nil) -> String {
        let begin = start ?? position
        guard begin < characters.count else { return "the end of the text" }
        let end = min(characters.count, begin + 12)
        return "'" + String(characters[begin..<end].prefix { $0 != "\n" }) + "'"
    }
}
