// A drawing in points, as the app records it and as the shared stroke JSON format carries it,
// with the limits and refusals of `digits_svm.strokes`.

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
    /// A personal memory's JSON that is not one (Python's `MemoryFileError`).
    case memoryFile(String)

    /// The one-line message.
    public var message: String {
        switch self {
        case let .strokes(m), let .emptyDrawing(m), let .image(m), let .invalidArgument(m), let .memoryFile(m): return m
        }
    }

    public var description: String { message }

    /// The refusal of text that is not JSON; `detail` says what the parser found.
    package static func notJSON(_ detail: String) -> DigitsSVMError {
        .strokes("the drawing is not JSON (\(detail)); expected a drawing in the stroke format")
    }
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

/// A drawing: strokes of points, with the pen's line width and the screen's scale, as
/// `digits_svm.Drawing`. Decoding it (`Codable`, `init(json:)`) checks it.
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

    /// Strokes of points (a decoded drawing has no empty stroke).
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

    /// A drawing in the stroke JSON format, as UTF-8 bytes, checked as `init(from:)` checks it.
    ///
    /// - Throws: `DigitsSVMError.strokes`: for JSON nested deeper than `maxJSONDepth` (before
    ///   parsing), for text `JSONDecoder` does not read, or for the first problem in the drawing.
    public init(jsonData: Data) throws {
        try Drawing.checkJSONDepth(jsonData)
        do {
            self = try JSONDecoder().decode(Drawing.self, from: jsonData)
        } catch let error as DecodingError {
            throw DigitsSVMError.notJSON(Drawing.detail(error))
        }
    }

    /// A drawing in the stroke JSON format (see `init(jsonData:)`).
    public init(json: String) throws {
        try self.init(jsonData: Data(json.utf8))
    }

    /// What a decoding error says went wrong (on Apple platforms, where the parser stopped).
    private static func detail(_ error: DecodingError) -> String {
        switch error {
        case let .dataCorrupted(context), let .typeMismatch(_, context), let .valueNotFound(_, context),
             let .keyNotFound(_, context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }

    /// Refuses JSON text nested deeper than `maxJSONDepth`, before it is parsed.
    package static func checkJSONDepth<Bytes: Sequence>(_ text: Bytes) throws where Bytes.Element == UInt8 {
        let depth = jsonDepth(text)
        guard depth <= maxJSONDepth else {
            throw DigitsSVMError.strokes("the drawing is JSON nested \(depth) deep, more than \(maxJSONDepth); "
                + #"a drawing is {"strokes": [[[x, y], ...], ...]}, a grid 8 rows of 8 numbers"#)
        }
    }

    /// Refuses a drawing of more than `maxPoints` points.
    package static func checkPointCount(_ count: Int) throws {
        guard count <= maxPoints else {
            throw DigitsSVMError.strokes("the drawing has \(formatThousands(count)) points, more than "
                + "\(formatThousands(maxPoints)); clear the canvas and draw one digit")
        }
    }

    /// `value`, refused unless finite.
    static func finite(_ value: Double, _ what: @autoclosure () -> String) throws -> Double {
        guard value.isFinite else { throw DigitsSVMError.strokes("\(what()) must be finite, not \(formatFloat(value))") }
        return value
    }

    /// `value`, refused unless finite, above 0 and at most `limit`.
    static func positive(_ value: Double, _ what: @autoclosure () -> String, _ limit: Double) throws -> Double {
        let v = try finite(value, what())
        guard v > 0, v <= limit else {
            throw DigitsSVMError.strokes("\(what()) must be > 0 and <= \(formatG(limit)), not \(formatG(v))")
        }
        return v
    }
}
