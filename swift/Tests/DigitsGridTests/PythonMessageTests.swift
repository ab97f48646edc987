// digits-grid reads a drawing as Python's json module does and refuses it with the message
// `digits_svm.strokes.parse_strokes` gives, through the library's own `Drawing(from:)`.

import DigitsSVMKit
@testable import digits_grid
import XCTest

final class PythonMessageTests: XCTestCase {
    func refusal(_ json: String) -> String? {
        do { _ = try readDrawing(json); return nil } catch { return "\(error)" }
    }

    func testParsesDefaultsWidthsAndBareLists() throws {
        let d = try readDrawing(#"{"strokes": [[[0, 0], [0, 50, 8]], []], "scale": 3, "label": 1}"#)
        XCTAssertEqual(d.strokes, [[StrokePoint(x: 0, y: 0), StrokePoint(x: 0, y: 50, width: 8)]])
        XCTAssertEqual([d.lineWidth, d.scale], [5, 3])
        XCTAssertEqual(d.label, 1)
        XCTAssertEqual(try readDrawing("[[[1.5, 2]]]").strokes, [[StrokePoint(x: 1.5, y: 2)]])
        XCTAssertEqual(try readDrawing(#"{"strokes": [], "label": null}"#).label, nil)
    }

    func testRefusesWithPythonsMessages() {
        XCTAssertEqual(refusal(#"{"strokes": [], "colour": 1, "Alpha": 2}"#),
                       "unknown key(s) Alpha, colour in a drawing; expected strokes, line_width, scale, label")
        XCTAssertEqual(refusal(#"{"scale": 2}"#),
                       #"a drawing needs "strokes": a list of strokes, each a list of [x, y] points"#)
        XCTAssertEqual(refusal(#"{"strokes": [], "line_width": 0}"#), "line_width must be > 0 and <= 200, not 0")
        XCTAssertEqual(refusal(#"{"strokes": [], "scale": true}"#), "scale must be a number, not bool (True)")
        XCTAssertEqual(refusal(#"{"strokes": [], "label": 3.0}"#), "label must be an integer 0..9, not 3.0")
        XCTAssertEqual(refusal(#"{"strokes": "abc"}"#), "strokes must be a list of strokes, not str")
        XCTAssertEqual(refusal("[[[1, 2], [1, 2, 3, 4]]]"),
                       "stroke 0 point 1 must be [x, y] or [x, y, width], not [1, 2, 3, 4]")
        XCTAssertEqual(refusal(#"[[[1, "a'b"]]]"#), #"stroke 0 point 0 y must be a number, not str ("a'b")"#)
        XCTAssertEqual(refusal("[[[NaN, 1]]]"), "stroke 0 point 0 x must be finite, not nan")
        XCTAssertEqual(refusal("[[[1e400, 1]]]"), "stroke 0 point 0 x must be finite, not inf")
        XCTAssertEqual(refusal("[[[0, 123456.5]]]"),
                       "stroke 0 point 0 is at (0, 123456), off any screen; coordinates are points")
        XCTAssertEqual(refusal("[[[0, 0, 250]]]"), "stroke 0 point 0 width must be > 0 and <= 200, not 250")
        XCTAssertEqual(refusal("[1]"), "stroke 0 must be a list of [x, y] points, not int")
        XCTAssertNotNil(refusal("[[[0, 0]]"))  // not JSON
    }

    func testPythonRepr() throws {
        let cases: [(Double, String)] = [(1e16, "1e+16"), (1e15, "1000000000000000.0"), (1e-5, "1e-05"),
                                         (0.0001, "0.0001"), (-0.0, "-0.0"), (0.1 + 0.2, "0.30000000000000004"),
                                         (123.0, "123.0"), (2.5e-300, "2.5e-300"), (1.7976931348623157e308, "1.7976931348623157e+308")]
        for (value, python) in cases { XCTAssertEqual(JSONValue.double(value).pythonRepr, python) }
        XCTAssertEqual(try JSONValue.parse(#"{"a": [1, -0, 2.0, null, true, "it's"], "a": "\u00e9\n"}"#).pythonRepr,
                       #"{'a': 'é\n'}"#)
        XCTAssertEqual(try JSONValue.parse(#"[null, false, "it's \"x\""]"#).pythonRepr, #"[None, False, 'it\'s "x"']"#)
    }

    func testFloatsBetween2To53And1e16AreWrittenPositionally() {
        // Swift's description turns exponential at 2^53, Python's repr at 1e16
        XCTAssertEqual(JSONValue.double(9007199254740992).pythonRepr, "9007199254740992.0")
        XCTAssertEqual(JSONValue.double(-9999999999999998).pythonRepr, "-9999999999999998.0")
        XCTAssertEqual(JSONValue.double(9007199254740990).pythonRepr, "9007199254740990.0")
    }

    func testPlainReaderAndFullParserGiveTheSameDrawing() throws {
        for text in [#"{"strokes": [[[0, 0], [0, 50, 8]], []], "scale": 3, "label": 1}"#, "[[[1.5, 2], [1e-3, -4E2, 0.5]]]",
                     #"{"label": null, "strokes": [[[12, 10], [70, 10]], [[30, 60]]], "line_width": 7.25}"#] {
            let plain = try XCTUnwrap(plainDrawing(text), text)
            XCTAssertEqual(plain, try Drawing(from: JSONValueDecoder(JSONValue.parse(text))), text)
            XCTAssertEqual(plain, try Drawing(json: text), text)  // the app's door, through JSONDecoder
        }
    }
}
