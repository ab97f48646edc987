// The golden vectors in ../tests/golden/, the same files the Python tests read: every
// crop and every drawing there, both methods, bit for bit.

import DigitsSVMKit
import Foundation
import XCTest

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let golden = repository.appendingPathComponent("tests/golden")

/// expected.json: name -> {"size": [w, h], "seed": 8x8, "normalized": 8x8}.
func expectedGrids() throws -> [String: [String: Any]] {
    let data = try Data(contentsOf: golden.appendingPathComponent("expected.json"))
    return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
}

func flat(_ grid: Any?) throws -> [Double] {
    let rows = try XCTUnwrap(grid as? [[NSNumber]])
    return rows.flatMap { $0.map(\.doubleValue) }
}

final class GoldenTests: XCTestCase {
    func testEveryGoldenCropBothMethods() throws {
        let expected = try expectedGrids()
        XCTAssertGreaterThanOrEqual(expected.count, 9)
        for (name, entry) in expected {
            let png = try readPNG(golden.appendingPathComponent("\(name).png"))
            XCTAssertEqual([png.width, png.height], (entry["size"] as? [Int]) ?? [], name)
            let ink = try InkBuffer(rgba: png.rgba, width: png.width, height: png.height)
            for method in PreprocessingMethod.allCases {
                XCTAssertEqual(try ink.grid(method: method), try flat(entry[method.rawValue]), "\(name) \(method)")
            }
        }
    }

    func testEveryGoldenDrawingRendersItsCropAndGrids() throws {
        let expected = try expectedGrids()
        let drawings = try FileManager.default.contentsOfDirectory(atPath: golden.path)
            .filter { $0.hasSuffix(".json") && $0 != "expected.json" }
        XCTAssertEqual(drawings.count, expected.keys.filter { $0.hasPrefix("strokes_") }.count)
        for file in drawings {
            let name = String(file.dropLast(5))
            let drawing = try Drawing(jsonData: Data(contentsOf: golden.appendingPathComponent(file)))
            let crop = try drawing.rendered()
            let png = try readPNG(golden.appendingPathComponent("strokes_\(name).png"))
            XCTAssertEqual([crop.width, crop.height], [png.width, png.height], name)
            XCTAssertEqual(crop.levels, stride(from: 3, to: png.rgba.count, by: 4).map { png.rgba[$0] },
                           "\(name): the rendered alpha differs from the golden crop")
            for method in PreprocessingMethod.allCases {
                XCTAssertEqual(try drawing.grid(method: method),
                               try flat(expected["strokes_\(name)"]?[method.rawValue]), "\(name) \(method)")
            }
        }
    }
}
