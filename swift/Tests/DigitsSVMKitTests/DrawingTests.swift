// The drawing's JSON format through Codable (JSONEncoder, JSONDecoder) and `Drawing(json:)`:
// the checks and messages of `digits_svm.strokes.parse_strokes`.

import DigitsSVMKit
import Foundation
import XCTest

final class DrawingTests: XCTestCase {
    func refusal(_ json: String) -> String? {
        do { _ = try Drawing(json: json); return nil } catch { return "\(error)" }
    }

    func testParsesDefaultsWidthsAndBareLists() throws {
        let d = try Drawing(json: #"{"strokes": [[[0, 0], [0, 50, 8]], []], "scale": 3, "label": 1}"#)
        XCTAssertEqual(d.strokes, [[StrokePoint(x: 0, y: 0), StrokePoint(x: 0, y: 50, width: 8)]])
        XCTAssertEqual([d.lineWidth, d.scale], [5, 3])
        XCTAssertEqual(d.label, 1)
        XCTAssertEqual(try Drawing(json: "[[[1.5, 2]]]").strokes, [[StrokePoint(x: 1.5, y: 2)]])
        XCTAssertEqual(try Drawing(json: #"{"strokes": [], "label": null}"#).label, nil)
    }

    func testRefusesWithTheLibrarysMessages() {
        XCTAssertEqual(refusal(#"{"strokes": [], "colour": 1, "Alpha": 2}"#),
                       "unknown key(s) Alpha, colour in a drawing; expected strokes, line_width, scale, label")
        XCTAssertEqual(refusal(#"{"scale": 2}"#),
                       #"a drawing needs "strokes": a list of strokes, each a list of [x, y] points"#)
        XCTAssertEqual(refusal(#"{"strokes": [], "line_width": 0}"#), "line_width must be > 0 and <= 200, not 0")
        XCTAssertEqual(refusal(#"{"strokes": [], "scale": 10.5}"#), "scale must be > 0 and <= 10, not 10.5")
        XCTAssertEqual(refusal(#"{"strokes": [], "label": 12}"#), "label must be an integer 0..9, not 12")
        XCTAssertEqual(refusal(#"{"strokes": [], "label": 3.5}"#), "label must be an integer 0..9, not 3.5")
        XCTAssertEqual(refusal(#"{"strokes": "abc"}"#), "strokes must be a list of strokes, not str")
        XCTAssertEqual(refusal("[[[0, 123456.5]]]"),
                       "stroke 0 point 0 is at (0, 123456), off any screen; coordinates are points")
        XCTAssertEqual(refusal("[[[0, 0, 250]]]"), "stroke 0 point 0 width must be > 0 and <= 200, not 250")
        XCTAssertEqual(refusal("[1]"), "stroke 0 must be a list of [x, y] points, not int")
        XCTAssertEqual(refusal("[[[0, 0]], [5]]"), "stroke 1 point 0 must be [x, y] or [x, y, width], not 5")
        XCTAssertEqual(refusal("[[" + String(repeating: "[0, 0], ", count: 10_001) + "[0, 0]]]"),
                       "the drawing has 10,002 points, more than 10,000; clear the canvas and draw one digit")
        XCTAssertEqual(refusal(String(repeating: "[", count: 33) + String(repeating: "]", count: 33)),
                       #"the drawing is JSON nested 33 deep, more than 32; a drawing is {"strokes": [[[x, y], ...], ...]}, "#
                       + "a grid 8 rows of 8 numbers")
        // a value of the wrong type is named by its type (digits-grid's decoder also quotes it)
        XCTAssertEqual(refusal(#"{"strokes": [], "scale": true}"#), "scale must be a number, not bool")
        XCTAssertEqual(refusal(#"{"strokes": [], "label": "7"}"#), "label must be an integer 0..9, not str")
        XCTAssertEqual(refusal("[[[1, 2], [1, 2, 3, 4]]]"), "stroke 0 point 1 must be [x, y] or [x, y, width], not list")
        XCTAssertEqual(refusal(#"[[[1, "a'b"]]]"#), "stroke 0 point 0 y must be a number, not str")
        XCTAssertEqual(refusal("[[[null, 1]]]"), "stroke 0 point 0 x must be a number, not NoneType")
        // what JSONDecoder does not read is not JSON: Python's NaN and numbers beyond a Double
        for text in ["[[[0, 0]]", "[[[NaN, 1]]]", "[[[1e400, 1]]]", ""] {
            XCTAssertTrue(refusal(text)?.hasPrefix("the drawing is not JSON (") == true, text)
        }
    }

    func testTheSameChecksThroughJSONDecoder() {
        let data = Data(#"{"strokes": [[[0, 0, -1]]]}"#.utf8)
        XCTAssertThrowsError(try JSONDecoder().decode(Drawing.self, from: data)) {
            XCTAssertEqual($0 as? DigitsSVMError, .strokes("stroke 0 point 0 width must be > 0 and <= 200, not -1"))
        }
    }

    func testRoundTripsThroughJSONEncoderAndDecoder() throws {
        let drawings = [
            Drawing(strokes: [[StrokePoint(x: 12, y: 10), StrokePoint(x: 70.25, y: 10, width: 3.5)], [StrokePoint(x: -4, y: 1e-3)]],
                    lineWidth: 7.5, scale: 3, label: 7),
            Drawing(strokes: [[StrokePoint(x: 0.1, y: 0.30000000000000004)]]),
            Drawing(strokes: []),
        ]
        for drawing in drawings {
            let data = try JSONEncoder().encode(drawing)
            XCTAssertEqual(try JSONDecoder().decode(Drawing.self, from: data), drawing, String(decoding: data, as: UTF8.self))
            XCTAssertEqual(try Drawing(jsonData: data), drawing)
        }
        // the shared format: strokes of [x, y] or [x, y, width], line_width and scale always, label when set
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(drawings[0])) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["strokes", "line_width", "scale", "label"])
        XCTAssertEqual(object["strokes"] as? [[[Double]]], [[[12, 10], [70.25, 10, 3.5]], [[-4, 1e-3]]])
        let unlabelled = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(drawings[1])) as? [String: Any])
        XCTAssertEqual(Set(unlabelled.keys), ["strokes", "line_width", "scale"])
    }

    func testDecodesTheGoldenDrawings() throws {
        func decoded(_ name: String) throws -> Drawing {
            try JSONDecoder().decode(Drawing.self, from: Data(contentsOf: golden(name, "json")))
        }
        XCTAssertEqual(try decoded("dot"), Drawing(strokes: [[StrokePoint(x: 100, y: 100)]]))
        XCTAssertEqual(try decoded("one_pressure"),
                       Drawing(strokes: [[StrokePoint(x: 40, y: 10, width: 3), StrokePoint(x: 42, y: 40, width: 5),
                                          StrokePoint(x: 44, y: 80, width: 7.5), StrokePoint(x: 45, y: 120, width: 9)]], scale: 3))
        XCTAssertEqual(try decoded("seven").strokes.map(\.count), [4, 2])
        XCTAssertEqual(try decoded("seven").strokes[0][3], StrokePoint(x: 35, y: 110))
        XCTAssertEqual(try decoded("zero").pointCount, try decoded("zero").strokes.joined().count)
        for name in ["seven", "zero", "dot", "one_pressure"] {
            let drawing = try decoded(name)
            XCTAssertGreaterThan(drawing.pointCount, 0, name)
            XCTAssertEqual(try JSONDecoder().decode(Drawing.self, from: JSONEncoder().encode(drawing)), drawing, name)
        }
    }
}
