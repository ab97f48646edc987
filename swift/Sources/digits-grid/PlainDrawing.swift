// The usual drawing read straight from its text, without building JSONValues: most of
// digits-grid's input, read several times faster than by the full parser.

import DigitsSVMKit

/// A drawing in the plain stroke format read straight into a `Drawing`, without building
/// `JSONValue`s: an object with the keys `strokes`, `line_width`, `scale`, `label` (each at
/// most once, written without escapes) or a bare list of strokes, every point `[x, y]` or
/// `[x, y, width]` of numbers, every value valid. nil for anything else, valid or not: the
/// full parser and `Drawing(from: JSONValueDecoder(value))` then decide, with their messages.
/// Numbers are read by the full parser's own code, so a drawing read here is the one read there.
func plainDrawing(_ text: String) -> Drawing? {
    var parser = Parser(bytes: Array(text.utf8))
    return parser.plainDrawing()
}

extension Parser {
    /// The next non-space byte is `b` (then it is consumed).
    private mutating func next(_ b: UInt8) -> Bool {
        skipSpace()
        guard i < bytes.count, bytes[i] == b else { return false }
        i += 1
        return true
    }

    /// A number as `digits_svm.strokes._number` takes it: finite (nil: not a number, not finite).
    private mutating func finite() -> Double? {
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "-") || (bytes[i] >= 0x30 && bytes[i] <= 0x39),
              let value = try? parseNumber() else { return nil }
        let v: Double
        switch value {
        case let .double(d): v = d
        case let .int(text): v = Double(text) ?? .infinity
        default: return nil
        }
        return v.isFinite ? v : nil
    }

    /// A number in (0, limit].
    private mutating func positive(_ limit: Double) -> Double? {
        guard let v = finite(), v > 0, v <= limit else { return nil }
        return v
    }

    /// Which of strokes, line_width, scale, label (0 ... 3) a plain key names.
    private mutating func key() -> Int? {
        guard next(UInt8(ascii: "\"")) else { return nil }
        let start = i
        while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
            guard bytes[i] >= 0x20, bytes[i] < 0x80, bytes[i] != UInt8(ascii: "\\") else { return nil }
            i += 1
        }
        guard i < bytes.count else { return nil }
        let name = bytes[start..<i]
        i += 1
        for (k, known) in plainKeys.enumerated() where name.elementsEqual(known) { return k }
        return nil
    }

    private mutating func strokeList() -> [[StrokePoint]]? {
        guard next(UInt8(ascii: "[")) else { return nil }
        var strokes: [[StrokePoint]] = []
        if next(UInt8(ascii: "]")) { return strokes }
        repeat {
            guard next(UInt8(ascii: "[")) else { return nil }
            var points: [StrokePoint] = []
            if !next(UInt8(ascii: "]")) {
                repeat {
                    guard next(UInt8(ascii: "[")), let x = finite(), next(UInt8(ascii: ",")), let y = finite(),
                          abs(x) <= Drawing.maxCoordinate, abs(y) <= Drawing.maxCoordinate else { return nil }
                    var width: Double?
                    if next(UInt8(ascii: ",")) {
                        guard let w = positive(Drawing.maxLineWidth) else { return nil }
                        width = w
                    }
                    guard next(UInt8(ascii: "]")) else { return nil }
                    points.append(StrokePoint(x: x, y: y, width: width))
                } while next(UInt8(ascii: ","))
                guard next(UInt8(ascii: "]")) else { return nil }
            }
            if !points.isEmpty { strokes.append(points) }
        } while next(UInt8(ascii: ","))
        guard next(UInt8(ascii: "]")) else { return nil }
        return strokes
    }

    mutating func plainDrawing() -> Drawing? {
        var strokes: [[StrokePoint]]?
        var lineWidth = Drawing.defaultLineWidth, scale = Drawing.defaultScale
        var label: Int?
        if next(UInt8(ascii: "{")) {
            var seen = 0
            repeat {
                guard let k = key(), seen & (1 << k) == 0, next(UInt8(ascii: ":")) else { return nil }
                seen |= 1 << k
                switch k {
                case 0:
                    guard let s = strokeList() else { return nil }
                    strokes = s
                case 1:
                    guard let v = positive(Drawing.maxLineWidth) else { return nil }
                    lineWidth = v
                case 2:
                    guard let v = positive(Drawing.maxScale) else { return nil }
                    scale = v
                default:
                    skipSpace()
                    if literal("null") { break }
                    guard i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39, case let .int(text)? = try? parseNumber(),
                          let digit = Int(text), (0...9).contains(digit) else { return nil }
                    label = digit
                }
            } while next(UInt8(ascii: ","))
            guard next(UInt8(ascii: "}")) else { return nil }
        } else {
            strokes = strokeList()
        }
        skipSpace()
        guard i == bytes.count, let strokes else { return nil }
        return Drawing(strokes: strokes, lineWidth: lineWidth, scale: scale, label: label)
    }
}

private let plainKeys: [[UInt8]] = ["strokes", "line_width", "scale", "label"].map { Array($0.utf8) }
