// The golden vectors of tests/golden/, the same files the Python tests read (test resources,
// see Package.swift): every crop and every drawing there, both methods, bit for bit.

import DigitsSVMKit
import Foundation
import XCTest

/// A golden file, from the test bundle.
func golden(_ name: String, _ ext: String) throws -> URL {
    try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: ext),
                  "\(name).\(ext) is not a test resource: add it to goldenFiles in Package.swift")
}

/// The golden drawings' names: the JSON files but expected.json.
func goldenDrawings() -> [String] {
    Bundle.module.paths(forResourcesOfType: "json", inDirectory: nil)
        .map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }.filter { $0 != "expected" }.sorted()
}

/// expected.json: name -> {"size": [w, h], "seed": 8x8, "normalized": 8x8}.
func expectedGrids() throws -> [String: [String: Any]] {
    let data = try Data(contentsOf: golden("expected", "json"))
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
            let png = try readPNG(golden(name, "png"))
            XCTAssertEqual([png.width, png.height], (entry["size"] as? [Int]) ?? [], name)
            let ink = try InkBuffer(rgba: png.rgba, width: png.width, height: png.height)
            for method in PreprocessingMethod.allCases {
                XCTAssertEqual(try ink.grid(method: method), try flat(entry[method.rawValue]), "\(name) \(method)")
            }
        }
    }

    func testEveryGoldenDrawingRendersItsCropAndGrids() throws {
        let expected = try expectedGrids()
        let drawings = goldenDrawings()
        XCTAssertEqual(drawings.count, expected.keys.filter { $0.hasPrefix("strokes_") }.count)
        for name in drawings {
            let drawing = try Drawing(jsonData: Data(contentsOf: golden(name, "json")))
            let crop = try drawing.rendered()
            let png = try readPNG(golden("strokes_\(name)", "png"))
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
