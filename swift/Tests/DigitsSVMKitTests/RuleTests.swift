// The ink rules for RGBA crops, the renderer's edges and the "not a digit" rule.
// Cross-language parity on thousands of drawings is tests/test_swift_parity.py (through
// digits-grid).

@testable import DigitsSVMKit
import Foundation
import XCTest

final class RenderTests: XCTestCase {
    func testCropRectangleAndRefusals() throws {
        let crop = try Drawing(strokes: [[StrokePoint(x: 10, y: 10), StrokePoint(x: 10, y: 50)]]).rendered()
        XCTAssertEqual([crop.width, crop.height], [20, 100])  // Python's docstring example
        XCTAssertThrowsError(try Drawing(strokes: []).rendered()) {
            XCTAssertEqual($0 as? DigitsSVMError, .emptyDrawing("the drawing has no points; draw a digit first"))
        }
        XCTAssertThrowsError(try Drawing(strokes: [[StrokePoint(x: 0, y: 0), StrokePoint(x: 9000, y: 9000)]]).rendered()) {
            XCTAssertEqual("\($0)", "the drawing spans 18020x18020 pixels at scale 2, more than 16,000,000; coordinates are in points")
        }
        // a dot on a pixel corner with a hair-thin pen leaves no ink, as in Python
        XCTAssertThrowsError(try Drawing(strokes: [[StrokePoint(x: 10, y: 10, width: 1e-9)]]).grid()) {
            XCTAssertEqual($0 as? DigitsSVMError,
                           .emptyDrawing("the drawing has no ink (every pixel is transparent or plain background); draw a digit first"))
        }
    }

    func testRenderedCropsGiveTheSameGridsAsTheirBareLevels() throws {
        // the renderer tells the methods which columns it touched; a crop without that hint
        // (an app's own buffer) must give the same grids
        for name in ["seven", "zero", "one_pressure", "dot"] {
            let drawing = try Drawing(jsonData: Data(contentsOf: golden(name, "json")))
            let crop = try drawing.rendered()
            let bare = InkBuffer(width: crop.width, height: crop.height, levels: crop.levels)
            for method in PreprocessingMethod.allCases {
                XCTAssertEqual(try crop.grid(method: method), try bare.grid(method: method), "\(name) \(method)")
            }
        }
    }

    func testOverridesAreChecked() {
        XCTAssertThrowsError(try Drawing(strokes: [[StrokePoint(x: 0, y: 0)]]).rendered(scale: 11)) {
            XCTAssertEqual("\($0)", "scale must be > 0 and <= 10, not 11")
        }
    }
}

final class InkTests: XCTestCase {
    func rgba(_ pixels: [(UInt8, UInt8, UInt8, UInt8)]) -> [UInt8] { pixels.flatMap { [$0.0, $0.1, $0.2, $0.3] } }

    func testAlphaDarknessAndPaper() throws {
        // the app's canvas: transparent, black ink -> alpha
        let canvas = rgba([(0, 0, 0, 0), (0, 0, 0, 200), (0, 0, 0, 0), (0, 0, 0, 0)])
        XCTAssertEqual(try InkBuffer(rgba: canvas, width: 2, height: 2).levels, [0, 200, 0, 0])
        // opaque on white paper (the border): darkness 255 - luma
        let white = (UInt8(255), UInt8(255), UInt8(255), UInt8(255))
        let paper = rgba([white, white, white, white, (20, 20, 20, 255), (255, 0, 0, 255), white, white, white])
        XCTAssertEqual(try InkBuffer(rgba: paper, width: 3, height: 3).levels, [0, 0, 0, 0, 235, 179, 0, 0, 0])
        // dark mode (a black border): light ink, luma itself; on dark-grey paper, how far above its grey
        let black = (UInt8(0), UInt8(0), UInt8(0), UInt8(255)), grey = (UInt8(60), UInt8(60), UInt8(60), UInt8(255))
        let dark = rgba([black, black, black, black, (200, 200, 200, 255), (0, 0, 255, 255), black, black, black])
        XCTAssertEqual(try InkBuffer(rgba: dark, width: 3, height: 3).levels, [0, 0, 0, 0, 200, 29, 0, 0, 0])
        let dim = rgba([grey, grey, grey, grey, (255, 255, 255, 255), (30, 30, 30, 255), grey, grey, grey])
        XCTAssertEqual(try InkBuffer(rgba: dim, width: 3, height: 3).levels, [0, 0, 0, 0, 255, 0, 0, 0, 0])
        // no plain background (a border of noise): refused, as Python refuses it
        let noisy = rgba([white, black, grey, (120, 120, 120, 255), white, (180, 180, 180, 255), black, (240, 9, 9, 255), grey])
        XCTAssertThrowsError(try InkBuffer(rgba: noisy, width: 3, height: 3)) { error in
            XCTAssertTrue("\(error)".contains("no plain background"), "\(error)")
        }
        // white paper with a transparent border: ink is the darkness over white
        let bordered = rgba([(255, 255, 255, 255), (255, 255, 255, 255), (0, 0, 0, 255), (9, 9, 9, 0)])
        XCTAssertEqual(try InkBuffer(rgba: bordered, width: 2, height: 2).levels, [0, 0, 255, 0])
        XCTAssertEqual(try InkBuffer(rgba: bordered, width: 2, height: 2, ink: .alpha).levels, [255, 255, 255, 0])
        XCTAssertEqual(try InkBuffer(rgba: bordered, width: 2, height: 2, ink: .darkness).levels, [0, 0, 255, 246])
        XCTAssertThrowsError(try InkBuffer(rgba: [0, 0, 0], width: 1, height: 1))
    }

    func testEmptyCropIsRefusedByBothMethods() {
        let blank = InkBuffer(width: 4, height: 4, levels: [UInt8](repeating: 0, count: 16))
        for method in PreprocessingMethod.allCases {
            XCTAssertThrowsError(try blank.grid(method: method))
        }
    }
}

/// The repository's Python package, whose constants the Swift ones must equal.
let pythonPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../../digits_svm").standardized

final class AnswerTests: XCTestCase {
    func testNotADigitRule() throws {
        let probabilities: [Int64: Double] = [3: 0.8, 5: 0.2]
        XCTAssertEqual(try DigitAnswer.decide(classLabel: 3, classProbability: probabilities),
                       DigitAnswer(digit: 3, probability: 0.8, label: 3))
        XCTAssertEqual(try DigitAnswer.decide(classLabel: 3, classProbability: [3: 0.7, 5: 0.3]).digit, nil)  // below 0.72
        XCTAssertEqual(try DigitAnswer.decide(classLabel: 3, classProbability: probabilities, minConfidence: 0.9).digit, nil)
        XCTAssertEqual(try DigitAnswer.decide(classLabel: 3, classProbability: probabilities, minConfidence: 0.8).digit, 3)
        XCTAssertEqual(try DigitAnswer.decide(classLabel: -1, classProbability: [-1: 0.9]).isDigit, false)
        XCTAssertEqual(try DigitAnswer.decide(classLabel: -1, classProbability: nil).isDigit, false)
        XCTAssertEqual(try DigitAnswer.decide(classLabel: 7, classProbability: nil), DigitAnswer(digit: 7, probability: nil, label: 7))
        XCTAssertThrowsError(try DigitAnswer.decide(classLabel: 7, classProbability: nil, minConfidence: 1.5))
        XCTAssertThrowsError(try DigitAnswer.decide(classLabel: 7, classProbability: nil, minConfidence: .nan))
    }

    func testDefaultThresholdIsPythons() throws {
        let source = try String(contentsOf: pythonPackage.appendingPathComponent("confidence.py"), encoding: .utf8)
        let line = try XCTUnwrap(source.split(separator: "\n").first { $0.hasPrefix("DEFAULT_MIN_CONFIDENCE = ") })
        XCTAssertEqual(Double(line.dropFirst("DEFAULT_MIN_CONFIDENCE = ".count)), DigitAnswer.defaultMinConfidence)
    }

    func testGridCheck() {
        XCTAssertNoThrow(try checkGrid([Double](repeating: 16, count: 64)))
        XCTAssertThrowsError(try checkGrid([Double](repeating: 0, count: 63)))
        var grid = [Double](repeating: 0, count: 64)
        grid[9] = 17
        XCTAssertThrowsError(try checkGrid(grid)) {
            XCTAssertEqual("\($0)", "grid value 17.0 at row 1, column 1 is outside 0...16; the preprocessing was skipped or broken")
        }
        grid[9] = .nan
        XCTAssertThrowsError(try checkGrid(grid))
    }
}
