// JSON as Python's `json.loads` reads it (NaN and Infinity included, integers of any
// length kept as written), and Python's `repr` of it: what digits-grid needs to refuse a
// drawing where `digits_svm.strokes.parse_strokes` refuses it, with Python's message.

import DigitsSVMKit
import Foundation

/// A parsed JSON value, with the distinctions Python's `json` module makes.
enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// An integer literal, kept as written (Python ints have no size limit); "-0" is "0".
    case int(String)
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Keys in first-seen order; a repeated key keeps its last value (as Python's `dict`).
    case object([(key: String, value: JSONValue)])

    static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y || (x.isNaN && y.isNaN)
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// Parse one JSON document as Python's `json.loads` does.
    ///
    /// Text nested deeper than `Drawing.maxJSONDepth` is refused before it is parsed (the
    /// parser recurses once a level).
    ///
    /// - Throws: `JSONValue.SyntaxError` naming the first offending character, or the depth.
    static func parse(_ text: String) throws -> JSONValue {
        let depth = jsonDepth(text.utf8)
        guard depth <= Drawing.maxJSONDepth else {
            throw SyntaxError(message: "nested \(depth) deep, more than \(Drawing.maxJSONDepth)")
        }
        var parser = Parser(bytes: Array(text.utf8))
        return try parser.document()
    }

    /// Why a text is not JSON, e.g. "Expecting value at byte 0".
    struct SyntaxError: Error, CustomStringConvertible, Sendable {
        let message: String
        var description: String { message }
    }

    /// Python's `type(value).__name__`.
    var pythonTypeName: String {
        switch self {
        case .null: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .array: return "list"
        case .object: return "dict"
        }
    }

    /// Python's `repr(value)`.
    var pythonRepr: String {
        switch self {
        case .null: return "None"
        case let .bool(b): return b ? "True" : "False"
        case let .int(text): return text
        case let .double(d): return formatFloat(d)  // the library writes floats as Python does
        case let .string(s): return pythonStrRepr(s)
        case let .array(items): return "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case let .object(pairs):
            return "{" + pairs.map { pythonStrRepr($0.key) + ": " + $0.value.pythonRepr }.joined(separator: ", ") + "}"
        }
    }
}

/// Python's `f"{value!r:.40}"`: the repr cut to its first 40 code points.
func pythonReprPrefix(_ value: JSONValue, _ length: Int = 40) -> String {
    var scalars = String.UnicodeScalarView()
    scalars.append(contentsOf: value.pythonRepr.unicodeScalars.prefix(length))
    return String(scalars)
}

/// Python's `repr(str)`.
func pythonStrRepr(_ s: String) -> String {
    let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
    var out = String(quote)
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\t": out += "\\t"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        default:
            if Character(scalar) == quote {
                out += "\\" + String(quote)
            } else if isPythonPrintable(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                let v = scalar.value
                let hex = String(v, radix: 16)
                let width = v < 0x100 ? 2 : v < 0x10000 ? 4 : 8
                out += (v < 0x100 ? "\\x" : v < 0x10000 ? "\\u" : "\\U")
                    + String(repeating: "0", count: width - hex.count) + hex
            }
        }
    }
    out.append(quote)
    return out
}

private func isPythonPrintable(_ scalar: Unicode.Scalar) -> Bool {
    if scalar == " " { return true }
    if scalar.value < 0x7F { return scalar.value >= 0x20 }
    switch scalar.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned,
         .lineSeparator, .paragraphSeparator, .spaceSeparator:
        return false
    default:
        return true
    }
}

/// 10^0 ... 10^22, every one exact in a double.
private let exactPowersOfTen: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
                                          1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

struct Parser {
    let bytes: [UInt8]
    var i = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws -> JSONValue {
        skipSpace()
        let value = try parseValue()
        skipSpace()
        if i < bytes.count { throw fail("Extra data") }
        return value
    }

    func fail(_ what: String) -> JSONValue.SyntaxError {
        JSONValue.SyntaxError(message: "\(what) at byte \(i)")
    }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
    }

    mutating func literal(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { return false }
        i += w.count
        return true
    }

    mutating func parseValue() throws -> JSONValue {
        guard i < bytes.count else { throw fail("Expecting value") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "n") where literal("null"): return .null
        case UInt8(ascii: "t") where literal("true"): return .bool(true)
        case UInt8(ascii: "f") where literal("false"): return .bool(false)
        case UInt8(ascii: "N") where literal("NaN"): return .double(.nan)
        case UInt8(ascii: "I") where literal("Infinity"): return .double(.infinity)
        case UInt8(ascii: "-") where literal("-Infinity"): return .double(-.infinity)
        default: return try parseNumber()
        }
    }

    mutating func parseArray() throws -> JSONValue {
        i += 1
        var items: [JSONValue] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try parseValue())
            skipSpace()
            guard i < bytes.count else { throw fail("Expecting ',' delimiter") }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            guard bytes[i] == UInt8(ascii: ",") else { throw fail("Expecting ',' delimiter") }
            i += 1
        }
    }

    mutating func parseObject() throws -> JSONValue {
        i += 1
        var pairs: [(key: String, value: JSONValue)] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                throw fail("Expecting property name enclosed in double quotes")
            }
            let key = try parseString()
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("Expecting ':' delimiter") }
            i += 1
            skipSpace()
            let value = try parseValue()
            if let at = pairs.firstIndex(where: { $0.key == key }) { pairs[at].value = value } else {
                pairs.append((key, value))
            }
            skipSpace()
            guard i < bytes.count else { throw fail("Expecting ',' delimiter") }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
            guard bytes[i] == UInt8(ascii: ",") else { throw fail("Expecting ',' delimiter") }
            i += 1
        }
    }

    mutating func parseString() throws -> String {
        i += 1
        var scalars = String.UnicodeScalarView()
        var run = i  // start of the plain (unescaped) bytes not yet copied
        func flush(_ end: Int) throws {
            guard let text = String(bytes: bytes[run..<end], encoding: .utf8) else {
                throw JSONValue.SyntaxError(message: "Invalid UTF-8 in a string at byte \(run)")
            }
            scalars.append(contentsOf: text.unicodeScalars)
        }
        while true {
            guard i < bytes.count else { throw fail("Unterminated string") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                try flush(i)
                i += 1
                return String(scalars)
            }
            if b < 0x20 { throw fail("Invalid control character") }
            if b != UInt8(ascii: "\\") { i += 1; continue }
            try flush(i)
            i += 1
            guard i < bytes.count else { throw fail("Unterminated string") }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{8}")
            case UInt8(ascii: "f"): scalars.append("\u{c}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800..<0xDC00).contains(code), i + 1 < bytes.count,
                   bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                    let save = i
                    i += 2
                    let low = try hex4()
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        i = save
                    }
                }
                // A lone surrogate (Python keeps it) has no Swift scalar: U+FFFD stands in.
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default:
                i -= 2
                throw fail("Invalid \\escape")
            }
            run = i
        }
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16)
        else { throw fail("Invalid \\uXXXX escape") }
        i += 4
        return v
    }

    /// A decimal of at most 15 significant digits and a power of ten up to 22: both exact as
    /// doubles, so one multiplication or division rounds correctly (Clinger's fast path),
    /// the same double `strtod` (and Python's `float`) gives. nil: use the slow path.
    func fastDouble(_ start: Int, _ end: Int) -> Double? {
        var k = start, mantissa: UInt64 = 0, digits = 0, exponent = 0
        let negative = bytes[k] == UInt8(ascii: "-")
        if negative { k += 1 }
        var seenPoint = false
        while k < end {
            let b = bytes[k]
            if b == UInt8(ascii: ".") { seenPoint = true; k += 1; continue }
            guard b >= 0x30, b <= 0x39 else { break }
            if mantissa != 0 || b != 0x30 { digits += 1 }
            mantissa = mantissa &* 10 &+ UInt64(b - 0x30)
            if seenPoint { exponent -= 1 }
            k += 1
        }
        if k < end {  // the exponent part
            k += 1
            var sign = 1, e = 0
            if bytes[k] == UInt8(ascii: "-") { sign = -1; k += 1 } else if bytes[k] == UInt8(ascii: "+") { k += 1 }
            while k < end {
                e = e * 10 + Int(bytes[k] - 0x30)
                if e > 400 { return nil }
                k += 1
            }
            exponent += sign * e
        }
        guard digits <= 15, abs(exponent) <= 22 else { return nil }
        let m = Double(mantissa)
        let value = exponent < 0 ? m / exactPowersOfTen[-exponent] : m * exactPowersOfTen[exponent]
        return negative ? -value : value
    }

    mutating func parseNumber() throws -> JSONValue {
        let start = i
        func digit(_ k: Int) -> Bool { k < bytes.count && bytes[k] >= 0x30 && bytes[k] <= 0x39 }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard digit(i) else { i = start; throw fail("Expecting value") }
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else { while digit(i) { i += 1 } }
        var isFloat = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "."), digit(i + 1) {
            isFloat = true
            i += 1
            while digit(i) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            var k = i + 1
            if k < bytes.count, bytes[k] == UInt8(ascii: "+") || bytes[k] == UInt8(ascii: "-") { k += 1 }
            if digit(k) {
                isFloat = true
                i = k
                while digit(i) { i += 1 }
            }
        }
        if isFloat, let fast = fastDouble(start, i) { return .double(fast) }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if isFloat { return .double(Double(text)!) }  // correctly rounded; overflow gives inf, as Python
        var digits = Substring(text)
        let negative = digits.first == "-"
        if negative { digits = digits.dropFirst() }
        return .int(digits == "0" ? "0" : text)
    }
}
