/// Spellings of C literals and comments that are safe whatever the user's text contains.
public enum CLiteral {
    /// A `float` literal that reads back to exactly `value` (`0.5f`, `-3.0f`, `KILN_INFINITY`).
    public static func float(_ value: Double) -> String {
        let single = Float(value)
        if single.isNaN { return "KILN_NAN" }
        if single.isInfinite { return single < 0 ? "(-KILN_INFINITY)" : "KILN_INFINITY" }
        var text = "\(single)"
        if !text.contains(".") && !text.contains("e") { text += ".0" }
        if text.hasPrefix("-") { return "(" + text + "f)" }
        return text + "f"
    }

    /// An integer literal of type `long long`-compatible width.
    public static func int(_ value: Int) -> String {
        value < 0 ? "(\(value))" : "\(value)"
    }

    /// Text safe inside a `/* ... */` comment: ASCII printable only, `*/` broken, no backslashes or newlines.
    public static func commentText(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if scalar == "\\" {
                result += "/"
            } else if scalar.isASCII, scalar.value >= 0x20, scalar.value < 0x7F {
                result.unicodeScalars.append(scalar)
            } else {
                result += "?"
            }
        }
        while result.contains("*/") { result = result.replacingOccurrences(of: "*/", with: "* /") }
        while result.contains("/*") { result = result.replacingOccurrences(of: "/*", with: "/ *") }
        while result.contains("??") { result = result.replacingOccurrences(of: "??", with: "?.?") }
        return result
    }

    /// A C string literal: non-ASCII and control characters as octal escapes, quotes and backslashes escaped.
    public static func string(_ text: String) -> String {
        var result = "\""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): result += "\\\""
            case UInt8(ascii: "\\"): result += "\\\\"
            case UInt8(ascii: "?"): result += "\\?"
            case 0x20..<0x7F: result.unicodeScalars.append(Unicode.Scalar(byte))
            default: result += "\\" + String(byte, radix: 8).leftPadded(to: 3)
            }
        }
        return result + "\""
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }

    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

extension Substring {
    fileprivate func range(of target: String) -> Range<Substring.Index>? {
        guard !target.isEmpty else { return nil }
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(target) {
                return index..<self.index(index, offsetBy: target.count)
            }
            index = self.index(after: index)
        }
        return nil
    }
}
