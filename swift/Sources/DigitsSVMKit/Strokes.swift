// The shared stroke JSON format: the rules and messages of `digits_svm.strokes.parse_strokes`.

import Foundation

/// A refusal, with the one-line message the Python library gives for the same input.
public enum DigitsSVMError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Malformed strokes (Python's `StrokesError`).
    case strokes(String)
    /// No points or no ink (Python's `EmptyDrawingError`).
    case emptyDrawing(String)
    /// A crop that cannot be read (Python's `ImageError`).
    case image(String)
    /// A bad grid or threshold (Python's `InvalidGridError`, `DigitsSVMError`).
    case invalidArgument(String)

    /// The one-line message.
    public var message: String {
        switch self {
        case let .strokes(m), let .emptyDrawing(m), let .image(m), let .invalidArgument(m): return m
        }
    }

    public var description: String { message }
}

/// One touch point, in points (UIKit, y down); `width` is its own line width, if any.
public struct StrokePoint: Equatable, Sendable {
    public var x: Double
    public var y: Double
    /// The point's line width in points (the app uses `force * 4`); nil: the drawing's `lineWidth`.
    public var width: Double?

    public init(x: Double, y: Double, width: Double? = nil) {
        self.x = x
        self.y = y
        self.width = width
    }
}

/// A validated drawing: non-empty strokes of points, as `digits_svm.Drawing`.
public struct Drawing: Equatable, Sendable {
    public static let defaultLineWidth = 5.0
    public static let defaultScale = 2.0
    /// Coordinates beyond this many points from the origin are refused.
    public static let maxCoordinate = 1e5
    /// Line widths above this many points are refused.
    public static let maxLineWidth = 200.0
    /// Screen scales above this are refused.
    public static let maxScale = 10.0
    /// Drawings with more points than this, over all strokes, are refused (Python's `MAX_POINTS`).
    public static let maxPoints = 10_000
    /// JSON nested deeper than this is refused before it is parsed (Python's `MAX_JSON_DEPTH`).
    public static let maxJSONDepth = 32

    /// Strokes with at least one point each (empty strokes are dropped when parsing).
    public var strokes: [[StrokePoint]]
    public var lineWidth: Double
    public var scale: Double
    /// The digit drawn, when the drawing is a labelled sample.
    public var label: Int?

    /// A drawing from points already in hand (the app's touches); nothing is checked here.
    public init(strokes: [[StrokePoint]], lineWidth: Double = Drawing.defaultLineWidth,
                scale: Double = Drawing.defaultScale, label: Int? = nil) {
        self.strokes = strokes
        self.lineWidth = lineWidth
        self.scale = scale
        self.label = label
    }

    /// Number of points over all strokes.
    public var pointCount: Int { strokes.reduce(0) { $0 + $1.count } }

    /// Parse the shared stroke JSON format (`{"strokes": [[[x, y], [x, y, w], ...], ...],
    /// "line_width": 5, "scale": 2, "label": 7}`, or a bare list of strokes).
    ///
    /// JSON nested deeper than `maxJSONDepth` is refused before it is parsed, as
    /// `digits_svm.strokes.loads_json` refuses it.
    ///
    /// - Throws: `DigitsSVMError.strokes` with the message `digits_svm.strokes.parse_strokes` gives.
    public init(json: String) throws {
        if let plain = plainDrawing(json) {  // the usual drawing, without JSONValues
            guard plain.pointCount <= Drawing.maxPoints else { throw tooManyPoints(plain.pointCount) }
            self = plain
            return
        }
        let depth = jsonDepth(json)
        if depth > Drawing.maxJSONDepth {
            throw DigitsSVMError.strokes("the drawing is JSON nested \(depth) deep, more than \(Drawing.maxJSONDepth); "
                + #"a drawing is {"strokes": [[[x, y], ...], ...]}, a grid 8 rows of 8 numbers"#)
        }
        let value: JSONValue
        do { value = try JSONValue.parse(json) } catch let error as JSONValue.SyntaxError {
            throw DigitsSVMError.strokes("the drawing is not JSON (\(error.message)); expected a drawing in the stroke format")
        }
        try self.init(value)
    }

    /// Parse UTF-8 JSON bytes (see `init(json:)`).
    public init(jsonData: Data) throws {
        guard let text = String(data: jsonData, encoding: .utf8) else {
            throw DigitsSVMError.strokes("the drawing is not JSON (not UTF-8 text); expected a drawing in the stroke format")
        }
        try self.init(json: text)
    }

    /// Validate parsed JSON by the rules of `digits_svm.strokes.parse_strokes`, in its order.
    public init(_ json: JSONValue) throws {
        var lineWidth = Drawing.defaultLineWidth, scale = Drawing.defaultScale
        var label: Int?
        var obj = json
        if case let .object(pairs) = json {
            func isKnown(_ key: String) -> Bool {  // String ==, as Set<String> compares
                switch key {
                case "strokes", "line_width", "scale", "label": return true
                default: return false
                }
            }
            if !pairs.allSatisfy({ isKnown($0.key) }) {
                let known: Set<String> = ["strokes", "line_width", "scale", "label"]
                let unknown = Set(pairs.map(\.key)).subtracting(known)
                let names = unknown.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
                throw DigitsSVMError.strokes("unknown key(s) \(names.joined(separator: ", ")) in a drawing; "
                    + "expected strokes, line_width, scale, label")
            }
            guard let strokes = json["strokes"] else {
                throw DigitsSVMError.strokes(#"a drawing needs "strokes": a list of strokes, each a list of [x, y] points"#)
            }
            if let v = json["line_width"] { lineWidth = try positive(v, "line_width", Drawing.maxLineWidth) }
            if let v = json["scale"] { scale = try positive(v, "scale", Drawing.maxScale) }
            switch json["label"] {
            case nil, .null?: break
            case let .int(text)? where Int(text).map({ (0...9).contains($0) }) == true: label = Int(text)
            case let other?: throw DigitsSVMError.strokes("label must be an integer 0..9, not \(pythonReprPrefix(other))")
            }
            obj = strokes
        }
        guard case let .array(strokeValues) = obj else {
            throw DigitsSVMError.strokes("strokes must be a list of strokes, not \(obj.pythonTypeName)")
        }
        let pointCount = strokeValues.reduce(0) { n, stroke in
            if case let .array(points) = stroke { return n + points.count }
            return n
        }
        guard pointCount <= Drawing.maxPoints else { throw tooManyPoints(pointCount) }
        var strokes: [[StrokePoint]] = []
        for (i, stroke) in strokeValues.enumerated() {
            guard case let .array(pointValues) = stroke else {
                throw DigitsSVMError.strokes("stroke \(i) must be a list of [x, y] points, not \(stroke.pythonTypeName)")
            }
            var points: [StrokePoint] = []
            points.reserveCapacity(pointValues.count)
            for (j, point) in pointValues.enumerated() {
                func at() -> String { "stroke \(i) point \(j)" }  // only for a message
                guard case let .array(p) = point, p.count == 2 || p.count == 3 else {
                    throw DigitsSVMError.strokes("\(at()) must be [x, y] or [x, y, width], not \(pythonReprPrefix(point))")
                }
                let x = try number(p[0], "\(at()) x"), y = try number(p[1], "\(at()) y")
                if abs(x) > Drawing.maxCoordinate || abs(y) > Drawing.maxCoordinate {
                    throw DigitsSVMError.strokes("\(at()) is at (\(formatG(x)), \(formatG(y))), off any screen; coordinates are points")
                }
                let width = p.count == 3 ? try positive(p[2], "\(at()) width", Drawing.maxLineWidth) : nil
                points.append(StrokePoint(x: x, y: y, width: width))
            }
            if !points.isEmpty { strokes.append(points) }
        }
        self.init(strokes: strokes, lineWidth: lineWidth, scale: scale, label: label)
    }
}

/// The refusal of a drawing with `count` points, more than `Drawing.maxPoints`.
func tooManyPoints(_ count: Int) -> DigitsSVMError {
    .strokes("the drawing has \(formatThousands(count)) points, more than \(formatThousands(Drawing.maxPoints)); "
        + "clear the canvas and draw one digit")
}

/// Python's `_number`: a finite int or float (not a bool).
func number(_ value: JSONValue, _ what: @autoclosure () -> String) throws -> Double {
    let v: Double
    switch value {
    case let .double(d): v = d
    case let .int(text): v = Double(text) ?? .infinity  // float(int): correctly rounded, inf on overflow
    default:
        throw DigitsSVMError.strokes("\(what()) must be a number, not \(value.pythonTypeName) (\(pythonReprPrefix(value)))")
    }
    guard v.isFinite else { throw DigitsSVMError.strokes("\(what()) must be finite, not \(pythonFloatRepr(v))") }
    return v
}

/// Python's `_positive`: a number in (0, limit].
func positive(_ value: JSONValue, _ what: @autoclosure () -> String, _ limit: Double) throws -> Double {
    let v = try number(value, what())
    guard v > 0, v <= limit else {
        throw DigitsSVMError.strokes("\(what()) must be > 0 and <= \(formatG(limit)), not \(formatG(v))")
    }
    return v
}

/// Python's `_positive` for a value given in Swift (an override of `lineWidth` or `scale`).
func positive(_ value: Double, _ what: String, _ limit: Double) throws -> Double {
    guard value.isFinite else { throw DigitsSVMError.strokes("\(what) must be finite, not \(pythonFloatRepr(value))") }
    return try positive(.double(value), what, limit)
}
