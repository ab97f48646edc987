// digits-grid reads a personal memory as Python's `PersonalMemory.from_json` reads it (ints
// and floats told apart, bools not numbers) and refuses it with Python's message; its memory
// mode answers a grid or a drawing with the memory and the probabilities given.

import DigitsSVMKit
@testable import digits_grid
import XCTest

final class MemoryModeTests: XCTestCase {
    /// A memory's JSON: one sample of zeros (digit 1), with `edit` applied to the text.
    func text(_ edit: (String) -> String = { $0 }) -> String {
        let zeros = Array(repeating: "0", count: 64).joined(separator: ", ")
        return edit(#"{"schema": "digits_svm.personal_memory", "version": 1, "samples": [{"grid": [\#(zeros)], "digit": 1, "model_said": null}]}"#)
    }

    /// Python's reason for refusing `json`, or nil if it reads it.
    func refusal(_ json: String) -> String? {
        do {
            _ = try PersonalMemory(from: JSONValueDecoder(JSONValue.parse(json)), source: "m.json")
            return nil
        } catch {
            let message = "\(error)"
            guard let start = message.range(of: "m.json is not a personal memory: "),
                  let end = message.range(of: "; save one with PersonalMemory.save (or the app's export)") else { return message }
            return String(message[start.upperBound..<end.lowerBound])
        }
    }

    func testReadsAndRefusesAsPythonDoes() {
        XCTAssertNil(refusal(text()))
        XCTAssertNil(refusal(text { $0.replacingOccurrences(of: #""version": 1"#, with: #""version": 1.0"#) }))
        XCTAssertEqual(refusal(text { $0.replacingOccurrences(of: #""digit": 1"#, with: #""digit": 3.0"#) }),
                       "samples[0].digit must be a digit 0..9, not 3.0")
        XCTAssertEqual(refusal(text { $0.replacingOccurrences(of: #""digit": 1"#, with: #""digit": true"#) }),
                       "samples[0].digit must be a digit 0..9, not True")
        XCTAssertEqual(refusal(text { $0.replacingOccurrences(of: #""version": 1"#, with: #""version": true"#) }),
                       "its version is True; this digits_svm reads version 1")
        XCTAssertEqual(refusal(text { $0.replacingOccurrences(of: "[0, 0, 0, 0, 0, 0,", with: "[0, 0, 0, 0, 0, true,") }),
                       "samples[0].grid[5] must be a number, not bool")
        XCTAssertEqual(refusal(text { $0.replacingOccurrences(of: "[0, 0, 0, 0, 0, 0,", with: "[0, 0, 0, 0, 0, 17,") }),
                       "samples[0].grid[5] is 17; grid values are in 0..16")
        XCTAssertEqual(refusal(text { $0.replacingOccurrences(of: "[0, 0,", with: "[1e400, 0,") }),
                       "samples[0].grid[0] is inf; grid values are in 0..16")
        XCTAssertEqual(refusal(text { $0.replacingOccurrences(of: "\"digits_svm.personal_memory\"",
                                                              with: "\"" + String(repeating: "x", count: 80) + "\"") }),
                       "its schema is '" + String(repeating: "x", count: 59) + ", not 'digits_svm.personal_memory'")
        XCTAssertEqual(refusal(text { $0.replacingOccurrences(of: #""model_said": null"#, with: #""model_said": [1, 2]"#) }),
                       "samples[0].model_said must be a digit 0..9 or null (not a digit), not [1, 2]")
    }

    func testReadsAFileAndAnswersLines() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("digits-grid-memory-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("{".utf8).write(to: url)
        XCTAssertThrowsError(try readMemory(path: url.path)) {
            XCTAssertEqual("\($0)", "\(url.path) is not a personal memory: it is not JSON; save one with PersonalMemory.save "
                + "(or the app's export)")
        }
        let lines = [#"{"grid": [\#((0..<64).map { $0 == 3 ? "16" : "0" }.joined(separator: ","))], "digit": 1, "model_said": 7}"#]
        try memoryOfSamples(AnySequence(lines)).jsonData().write(to: url)
        let memory = try readMemory(path: url.path)
        XCTAssertEqual(memory.samples.map(\.modelSaid), [7])
        let p = (-1...9).map { #""\#($0)": 0.0909"# }.joined(separator: ", ")
        var out: [UInt8] = []
        let grid = (0..<64).map { $0 == 3 ? "15" : "0" }.joined(separator: ",")
        try memoryLine(#"{"grid": [\#(grid)], "probabilities": {\#(p)}}"#, memory: memory, method: .normalized, into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), #"{"grid": [\#(grid)], "memory": 1}"# + "\n")
        out.removeAll()
        try memoryLine(#"{"drawing": {"strokes": []}, "probabilities": {\#(p)}}"#, memory: memory, method: .seed, into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), #"{"error": "the drawing has no points; draw a digit first"}"# + "\n")
        XCTAssertThrowsError(try memoryLine(#"{"drawing": [], "probabilities": {"x": 1}}"#, memory: memory, method: .seed, into: &out))
        XCTAssertThrowsError(try memoryOfSamples(AnySequence([#"{"grid": [], "digit": 1}"#])))
    }
}
