// How the messages write numbers, and the depth scan both JSON doors apply before parsing.

import Foundation

/// A double as the messages write it, the way Python writes a float: Swift's shortest
/// round-trip digits, positional below 1e16 (Swift's `description` turns exponential at 2^53).
package func formatFloat(_ v: Double) -> String {
    v.magnitude >= 0x1p53 && v.magnitude < 1e16 ? "\(Int64(v)).0" : v.description
}

/// C's `"%g"`: six significant digits.
func formatG(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v < 0 ? "-inf" : "inf" }
    return String(format: "%g", v)
}

/// An integer with thousands separators, `10,000`.
func formatThousands(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return (n < 0 ? "-" : "") + out
}

/// The deepest nesting of `[` and `{` in JSON text, brackets inside strings not counted
/// (`digits_svm.strokes.json_depth`): scanned, not parsed. A string runs from a quote to the
/// next quote no backslash escapes (or to the end); every other `[` or `{` opens a level that
/// `]` or `}` closes.
package func jsonDepth<Bytes: Sequence>(_ bytes: Bytes) -> Int where Bytes.Element == UInt8 {
    var depth = 0, deepest = 0, inString = false, escaped = false
    for b in bytes {
        if inString {
            if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
            continue
        }
        switch b {
        case UInt8(ascii: "\""): inString = true
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            depth += 1
            deepest = max(deepest, depth)
        case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
        default: break
        }
    }
    return deepest
}
