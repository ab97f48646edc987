// The stroke JSON format through Codable: `{"strokes": [[[x, y] or [x, y, width], ...], ...],
// "line_width": 5, "scale": 2, "label": 7}` (all but strokes optional) or a bare list of
// strokes, read by the rules and in the order of `digits_svm.strokes.parse_strokes`.

import Foundation

extension Drawing: Codable {
    /// Writes `{"strokes": ..., "line_width": ..., "scale": ...}`, and `"label"` when there is
    /// one, as `digits_svm.Drawing.to_json` does.
    public func encode(to encoder: Encoder) throws {
        var object = encoder.container(keyedBy: Field.self)
        var list = object.nestedUnkeyedContainer(forKey: .strokes)
        for stroke in strokes {
            var points = list.nestedUnkeyedContainer()
            for p in stroke {
                var point = points.nestedUnkeyedContainer()
                try point.encode(p.x)
                try point.encode(p.y)
                if let width = p.width { try point.encode(width) }
            }
        }
        try object.encode(lineWidth, forKey: .lineWidth)
        try object.encode(scale, forKey: .scale)
        try object.encodeIfPresent(label, forKey: .label)
    }

    /// Reads a drawing and checks it as `parse_strokes` does, in its order, against the limits
    /// above (`maxPoints` counted before any point is read). Empty strokes are dropped.
    ///
    /// - Throws: `DigitsSVMError.strokes` with the library's message for the first problem; a
    ///   value of the wrong type is named by its type (and quoted by a `QuotingDecoder`).
    public init(from decoder: Decoder) throws {
        var lineWidth = Drawing.defaultLineWidth, scale = Drawing.defaultScale
        var label: Int?
        let strokes: [[StrokePoint]]
        if let object = try? decoder.container(keyedBy: Field.self) {
            let unknown = Set(object.allKeys.map(\.stringValue)).subtracting(Field.names)
            guard unknown.isEmpty else {
                let names = unknown.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
                throw DigitsSVMError.strokes("unknown key(s) \(names.joined(separator: ", ")) in a drawing; "
                    + "expected strokes, line_width, scale, label")
            }
            guard object.contains(.strokes) else {
                throw DigitsSVMError.strokes(#"a drawing needs "strokes": a list of strokes, each a list of [x, y] points"#)
            }
            if object.contains(.lineWidth) {
                let value = try object.decode(NumberValue.self, forKey: .lineWidth)
                lineWidth = try Drawing.positive(Drawing.readNumber(value, "line_width"), "line_width", Drawing.maxLineWidth)
            }
            if object.contains(.scale) {
                let value = try object.decode(NumberValue.self, forKey: .scale)
                scale = try Drawing.positive(Drawing.readNumber(value, "scale"), "scale", Drawing.maxScale)
            }
            if object.contains(.label) {
                label = try Drawing.readLabel(object.decode(LabelValue.self, forKey: .label))
            }
            strokes = try Drawing.readStrokes(list: { try? object.nestedUnkeyedContainer(forKey: .strokes) },
                                              found: { try object.decode(Found.self, forKey: .strokes) })
        } else {
            strokes = try Drawing.readStrokes(list: { try? decoder.unkeyedContainer() }, found: { try Found(from: decoder) })
        }
        self.init(strokes: strokes, lineWidth: lineWidth, scale: scale, label: label)
    }

    /// The strokes of the list `list()` opens (nil: the value is not a list, `found()` names it).
    private static func readStrokes(list: () -> UnkeyedDecodingContainer?, found: () throws -> Found) throws -> [[StrokePoint]] {
        guard var counting = list(), var reading = list() else {
            throw DigitsSVMError.strokes("strokes must be a list of strokes, not \(try found().typeName)")
        }
        var count = 0  // the points of the strokes that are lists, before any point is read
        while !counting.isAtEnd { count += try counting.decode(StrokeLength.self).count }
        try checkPointCount(count)
        var strokes: [[StrokePoint]] = []
        while !reading.isAtEnd {
            let i = reading.currentIndex
            switch try reading.decode(StrokeValue.self) {
            case let .other(found):
                throw DigitsSVMError.strokes("stroke \(i) must be a list of [x, y] points, not \(found.typeName)")
            case let .points(points):
                var stroke: [StrokePoint] = []
                stroke.reserveCapacity(points.count)
                for (j, point) in points.enumerated() { stroke.append(try readPoint(point, stroke: i, point: j)) }
                if !stroke.isEmpty { strokes.append(stroke) }
            }
        }
        return strokes
    }

    /// Point `j` of stroke `i`, checked.
    private static func readPoint(_ value: PointValue, stroke i: Int, point j: Int) throws -> StrokePoint {
        func at() -> String { "stroke \(i) point \(j)" }  // only for a message
        switch value {
        case let .other(found):
            throw DigitsSVMError.strokes("\(at()) must be [x, y] or [x, y, width], not \(found.quoted ?? found.typeName)")
        case let .coordinates(c):
            let x = try readNumber(c[0], "\(at()) x"), y = try readNumber(c[1], "\(at()) y")
            if abs(x) > maxCoordinate || abs(y) > maxCoordinate {
                throw DigitsSVMError.strokes("\(at()) is at (\(formatG(x)), \(formatG(y))), off any screen; coordinates are points")
            }
            let width = c.count == 3 ? try positive(readNumber(c[2], "\(at()) width"), "\(at()) width", maxLineWidth) : nil
            return StrokePoint(x: x, y: y, width: width)
        }
    }

    /// A finite number (`digits_svm.strokes._number`).
    private static func readNumber(_ value: NumberValue, _ what: @autoclosure () -> String) throws -> Double {
        switch value {
        case let .number(v):
            return try finite(v, what())
        case let .other(found):
            throw DigitsSVMError.strokes("\(what()) must be a number, not \(found.typeName)"
                + (found.quoted.map { " (\($0))" } ?? ""))
        }
    }

    /// nil or a digit 0...9.
    private static func readLabel(_ value: LabelValue) throws -> Int? {
        switch value {
        case .none: return nil
        case let .integer(n) where (0...9).contains(n): return n
        case let .integer(n): throw DigitsSVMError.strokes("label must be an integer 0..9, not \(n)")
        case let .other(found): throw DigitsSVMError.strokes("label must be an integer 0..9, not \(found.quoted ?? found.typeName)")
        }
    }
}

/// A decoder that can quote the value it holds, for the refusals that name a value of the wrong
/// type or shape (digits-grid's quotes as Python's `repr` does, so that its messages are Python's).
package protocol QuotingDecoder: Decoder {
    /// The value's type, as the messages name types: "int", "float", "str", "bool", "NoneType",
    /// "list", "dict".
    var typeName: String { get }
    /// The value as the messages quote it.
    var quotedValue: String { get }
    /// The value as the messages quote it, cut to its first `length` characters (Python's `f"{value!r:.N}"`).
    func quotedValue(prefix length: Int) -> String
}

/// A key of a drawing object: any string, so that unknown keys can be named.
private struct Field: CodingKey {
    static let strokes = Field("strokes"), lineWidth = Field("line_width"), scale = Field("scale"), label = Field("label")
    static let names: Set<String> = ["strokes", "line_width", "scale", "label"]

    let stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { nil }
}

/// What a decoder holds where a drawing value belongs, for a refusal: the value's type, and
/// the value itself when the decoder quotes it or it is a number.
struct Found: Decodable {
    let typeName: String
    let quoted: String?

    init(from decoder: Decoder) throws {
        if let quoting = decoder as? any QuotingDecoder {
            (typeName, quoted) = (quoting.typeName, quoting.quotedValue)
            return
        }
        let value = try decoder.singleValueContainer()
        if value.decodeNil() {
            (typeName, quoted) = ("NoneType", nil)
        } else if try decodeIfType(Bool.self, value) != nil {
            (typeName, quoted) = ("bool", nil)
        } else if let v = try decodeIfType(Double.self, value) {
            (typeName, quoted) = v == v.rounded() && v.magnitude < 0x1p63 ? ("int", "\(Int64(v))") : ("float", formatFloat(v))
        } else if try decodeIfType(String.self, value) != nil {
            (typeName, quoted) = ("str", nil)
        } else if (try? decoder.unkeyedContainer()) != nil {
            (typeName, quoted) = ("list", nil)
        } else {
            (typeName, quoted) = ("dict", nil)
        }
    }
}

/// The value as a `T`, nil if it is of another type; a value of this type that the decoder
/// cannot read (a number beyond a Double, a string with a lone surrogate) is its error.
func decodeIfType<T: Decodable>(_ type: T.Type, _ value: SingleValueDecodingContainer) throws -> T? {
    do {
        return try value.decode(type)
    } catch DecodingError.typeMismatch(_, _), DecodingError.valueNotFound(_, _) {
        return nil
    }
}

/// Where a number belongs: the number, or what was there instead.
private enum NumberValue: Decodable {
    case number(Double)
    case other(Found)

    init(from decoder: Decoder) throws {
        if let v = try decodeIfType(Double.self, decoder.singleValueContainer()) {
            self = .number(v)
        } else {
            self = .other(try Found(from: decoder))
        }
    }
}

/// Where the label belongs: null, an integer, or what was there instead.
private enum LabelValue: Decodable {
    case none
    case integer(Int)
    case other(Found)

    init(from decoder: Decoder) throws {
        let value = try decoder.singleValueContainer()
        if value.decodeNil() {
            self = .none
        } else if let n = try? value.decode(Int.self) {
            self = .integer(n)
        } else {
            self = .other(try Found(from: decoder))
        }
    }
}

/// Where a point belongs: its two or three values, or what was there instead.
private enum PointValue: Decodable {
    case coordinates([NumberValue])
    case other(Found)

    init(from decoder: Decoder) throws {
        if let n = listCount(decoder), n == 2 || n == 3 {
            var list = try decoder.unkeyedContainer()
            var values: [NumberValue] = []
            while !list.isAtEnd { values.append(try list.decode(NumberValue.self)) }
            self = .coordinates(values)
        } else {
            self = .other(try Found(from: decoder))
        }
    }
}

/// Where a stroke belongs: its points, or what was there instead.
private enum StrokeValue: Decodable {
    case points([PointValue])
    case other(Found)

    init(from decoder: Decoder) throws {
        guard var list = try? decoder.unkeyedContainer() else {
            self = .other(try Found(from: decoder))
            return
        }
        var points: [PointValue] = []
        points.reserveCapacity(list.count ?? 0)
        while !list.isAtEnd { points.append(try list.decode(PointValue.self)) }
        self = .points(points)
    }
}

/// The number of points of a stroke that is a list (0 for anything else), unread.
private struct StrokeLength: Decodable {
    let count: Int

    init(from decoder: Decoder) { count = listCount(decoder) ?? 0 }
}

/// The length of the list a decoder holds (nil: not a list).
private func listCount(_ decoder: Decoder) -> Int? {
    guard var list = try? decoder.unkeyedContainer() else { return nil }
    if let count = list.count { return count }
    var count = 0
    while !list.isAtEnd, (try? list.decode(Skipped.self)) != nil { count += 1 }
    return count
}

/// Any value, passed over.
private struct Skipped: Decodable {
    init(from decoder: Decoder) {}
}
