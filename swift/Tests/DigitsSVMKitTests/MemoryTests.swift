// The personal memory: its rule on hand-made cases, its JSON file and its refusals, and its
// place in `DigitAnswer.decide`. Parity with Python's `PersonalMemory` on thousands of
// drawings is tests/test_swift_parity.py (through digits-grid --memory).

@testable import DigitsSVMKit
import Foundation
import XCTest

/// A grid of zeros with `cells` set.
func grid(_ cells: [Int: Double] = [:]) -> [Double] {
    var g = [Double](repeating: 0, count: 64)
    for (j, v) in cells { g[j] = v }
    return g
}

/// Probabilities for every digit and "not a digit": `given`, and `rest` for the others.
func probabilities(_ given: [Int64: Double], rest: Double = 0) -> [Int64: Double] {
    var p = [Int64: Double](uniqueKeysWithValues: (-1...9).map { (Int64($0), rest) })
    for (k, v) in given { p[k] = v }
    return p
}

final class MemoryRuleTests: XCTestCase {
    /// A model with no idea (1/11 for each class): the radius is 24 + 16 log10(11), 40.66.
    let even = probabilities([:], rest: 1.0 / 11)

    func memory(_ samples: [([Double], Int)]) throws -> PersonalMemory {
        var m = PersonalMemory()
        for (g, d) in samples { try m.add(grid: g, digit: d) }
        return m
    }

    func testEmptyMemoryAnswersNothing() throws {
        XCTAssertNil(try PersonalMemory().answer(grid: grid(), classProbability: even))
        XCTAssertTrue(PersonalMemory().isEmpty)
    }

    func testCloseSampleGivesItsDigit() throws {
        let m = try memory([(grid([3: 16]), 1), (grid([60: 16, 61: 16, 62: 16]), 4)])
        XCTAssertEqual(try m.answer(grid: grid([3: 16]), classProbability: even), 1)  // distance 0
        XCTAssertEqual(try m.answer(grid: grid([3: 12, 4: 2]), classProbability: even), 1)
        XCTAssertEqual(try m.answer(grid: grid([60: 16, 61: 16]), classProbability: even), 4)  // 16 from the 4, sqrt(768) from the 1
        // the model sure of another digit (p 1 for 7, 0 for 1): the radius is 24 + 4 log10(1e-6) = 0
        XCTAssertNil(try m.answer(grid: grid([3: 16]), classProbability: probabilities([7: 1])))
    }

    func testTieBetweenDigitsAnswersNothing() throws {
        let m = try memory([(grid([0: 4]), 1), (grid([63: 4]), 2), (grid([0: 16]), 1)])
        XCTAssertNil(try m.answer(grid: grid(), classProbability: even))  // 4 from a 1 and from a 2
        XCTAssertEqual(try m.answer(grid: grid([0: 1]), classProbability: even), 1)
        // two samples of the same digit at the same distance are no tie
        let same = try memory([(grid([0: 4]), 5), (grid([63: 4]), 5)])
        XCTAssertEqual(try same.answer(grid: grid(), classProbability: even), 5)
    }

    func testFarSampleAnswersNothing() throws {
        let m = try memory([(grid((0..<64).reduce(into: [:]) { $0[$1] = 16 }), 8)])
        XCTAssertNil(try m.answer(grid: grid(), classProbability: even))  // distance 128
    }

    func testRadiusIsStrictAndMovesWithTheProbabilities() throws {
        let m = try memory([(grid(), 3)])
        // distance exactly 24 (16, 16, 8): not inside the radius 24
        XCTAssertNil(try m.answer(grid: grid([0: 16, 1: 16, 2: 8]), classProbability: probabilities([3: 1])))
        XCTAssertEqual(try m.answer(grid: grid([0: 16, 1: 16, 2: 7.99]), classProbability: probabilities([3: 1])), 3)
        // the model sure of another digit and doubting 3 (p 0.01): the radius shrinks by 8
        let doubts = probabilities([7: 1, 3: 0.01])
        XCTAssertNil(try m.answer(grid: grid([0: 16.0]), classProbability: doubts))
        XCTAssertEqual(try m.answer(grid: grid([0: 15.99]), classProbability: doubts), 3)
        // the model unsure of its own answer (its top 0.1, "not a digit" included): the radius grows by 20
        let unsure = probabilities([-1: 0.1, 3: 0.1], rest: 0.08)
        let limit = 24 + 4 * log10(0.1) - 20 * log10(0.1)  // 40
        let b = (limit * limit - 6 * 256).squareRoot()  // six cells of 16 and one of b: the distance is the limit
        let sixteens = (0..<6).reduce(into: [Int: Double]()) { $0[$1] = 16 }
        XCTAssertNil(try m.answer(grid: grid(sixteens.merging([6: b + 1e-9]) { $1 }), classProbability: unsure))
        XCTAssertEqual(try m.answer(grid: grid(sixteens.merging([6: b - 1e-9]) { $1 }), classProbability: unsure), 3)
        // "not a digit" sure (p 1): its probability is the model's top, the radius 24 + 4 log10(floor) = 0
        XCTAssertNil(try m.answer(grid: grid(), classProbability: probabilities([-1: 1])))
        // a floor for the memory's digit: p 0 counts as 1e-6, so the radius is 0 there too
        XCTAssertNil(try m.answer(grid: grid(), classProbability: probabilities([7: 1, 3: 0])))
        XCTAssertEqual(try m.answer(grid: grid(), classProbability: probabilities([7: 0.5, 3: 1e-6])), 3)  // 6.02
    }

    func testRefusesBadGridsAndProbabilities() throws {
        let m = try memory([(grid(), 3)])
        XCTAssertThrowsError(try m.answer(grid: [Double](repeating: 0, count: 63), classProbability: even))
        XCTAssertThrowsError(try m.answer(grid: grid([5: 17]), classProbability: even))
        var missing = even
        missing[4] = nil
        XCTAssertThrowsError(try m.answer(grid: grid(), classProbability: missing)) {
            XCTAssertTrue("\($0)".hasPrefix("probabilities must map every digit 0..9"), "\($0)")
        }
        XCTAssertNotNil(try m.answer(grid: grid(), classProbability: probabilities([3: 1]).filter { $0.key != -1 }))
    }

    func testAddChecksAndKeepsTheNewest() throws {
        var m = PersonalMemory()
        XCTAssertThrowsError(try m.add(grid: grid(), digit: 10))
        XCTAssertThrowsError(try m.add(grid: grid(), digit: -1))
        XCTAssertThrowsError(try m.add(grid: grid(), digit: 1, modelSaid: 10))
        XCTAssertThrowsError(try m.add(grid: [Double](repeating: 0, count: 63), digit: 1)) {
            XCTAssertEqual($0 as? DigitsSVMError, .invalidArgument(
                "a grid has 64 values (8 rows of 8, row 0 at the top), not 63; give the output of preprocess"))
        }
        XCTAssertThrowsError(try m.add(grid: grid([0: .nan]), digit: 1))
        XCTAssertEqual(m.count, 0)
        for i in 0..<(PersonalMemory.maxSamples + 2) {
            try m.add(grid: grid([i % 64: Double(i % 17)]), digit: i % 10, modelSaid: i % 3 == 0 ? nil : (i + 1) % 10)
        }
        XCTAssertEqual(m.count, PersonalMemory.maxSamples)
        XCTAssertEqual(m.samples.first?.grid, grid([2: 2]))  // samples 0 and 1 were dropped
        XCTAssertEqual(m.samples.last?.digit, 1)
        m.clear()
        XCTAssertTrue(m.isEmpty)
    }

    func testConstantsArePythons() throws {
        let source = try String(contentsOf: pythonPackage.appendingPathComponent("memory.py"), encoding: .utf8)
        func value(_ name: String) throws -> String {
            let line = try XCTUnwrap(source.split(separator: "\n").first { $0.hasPrefix("\(name) = ") }, name)
            return String(line.dropFirst("\(name) = ".count))
        }
        XCTAssertEqual(Double(try value("RADIUS")), PersonalMemory.radius)
        XCTAssertEqual(Double(try value("PROB_WEIGHT")), PersonalMemory.probWeight)
        XCTAssertEqual(Double(try value("CONFIDENCE_WEIGHT")), PersonalMemory.confidenceWeight)
        XCTAssertEqual(Double(try value("PROB_FLOOR")), PersonalMemory.probFloor)
        XCTAssertEqual(Int(try value("MAX_SAMPLES")), PersonalMemory.maxSamples)
        XCTAssertEqual(try value("SCHEMA"), "\"\(PersonalMemory.schema)\"")
        XCTAssertEqual(Int(try value("SCHEMA_VERSION")), PersonalMemory.schemaVersion)
    }
}

final class MemoryFileTests: XCTestCase {
    func sampleMemory() throws -> PersonalMemory {
        var m = PersonalMemory()
        try m.add(grid: grid([0: 16, 9: 0.5, 63: 1e-05]), digit: 1, modelSaid: 7)
        try m.add(grid: grid([10: 0.1 + 0.2]), digit: 0)
        try m.add(grid: grid((0..<64).reduce(into: [:]) { $0[$1] = Double($1 % 17) }), digit: 9, modelSaid: 4)
        return m
    }

    func testRoundTrips() throws {
        let m = try sampleMemory()
        XCTAssertEqual(try PersonalMemory(jsonData: m.jsonData()), m)
        XCTAssertEqual(try JSONDecoder().decode(PersonalMemory.self, from: JSONEncoder().encode(m)), m)
        XCTAssertEqual(try PersonalMemory(jsonData: PersonalMemory().jsonData()), PersonalMemory())
    }

    func testWritesPythonsText() throws {
        var m = PersonalMemory()
        try m.add(grid: grid([1: 16, 2: 0.5, 3: 1e-05, 4: 0.30000000000000004]), digit: 2)
        let zeros = Array(repeating: "0.0", count: 59).joined(separator: ",")
        XCTAssertEqual(String(decoding: m.jsonData(), as: UTF8.self),
                       #"{"schema":"digits_svm.personal_memory","version":1,"samples":[{"grid":[0.0,16.0,0.5,1e-05,"#
                       + #"0.30000000000000004,\#(zeros)],"digit":2,"model_said":null}]}"#)
        XCTAssertEqual(String(decoding: PersonalMemory().jsonData(), as: UTF8.self),
                       #"{"schema":"digits_svm.personal_memory","version":1,"samples":[]}"#)
    }

    /// The memory's JSON with `change` applied to its document.
    func edited(_ change: (inout [String: Any]) -> Void) throws -> Data {
        var doc = try XCTUnwrap(JSONSerialization.jsonObject(with: sampleMemory().jsonData()) as? [String: Any])
        change(&doc)
        return try JSONSerialization.data(withJSONObject: doc)
    }

    func sample(_ doc: inout [String: Any], _ change: (inout [String: Any]) -> Void) {
        var samples = doc["samples"] as! [[String: Any]]
        change(&samples[1])
        doc["samples"] = samples
    }

    func refusal(_ data: Data) -> String? {
        do { _ = try PersonalMemory(jsonData: data, source: "memory.json"); return nil } catch {
            guard case let .memoryFile(message)? = error as? DigitsSVMError else { return "not a memoryFile error: \(error)" }
            let prefix = "memory.json is not a personal memory: ", suffix = "; save one with PersonalMemory.save (or the app's export)"
            XCTAssertTrue(message.hasPrefix(prefix) && message.hasSuffix(suffix), message)
            return String(message.dropFirst(prefix.count).dropLast(suffix.count))
        }
    }

    func testRefusals() throws {
        XCTAssertEqual(refusal(Data("{".utf8)), "it is not JSON")
        XCTAssertEqual(refusal(Data("[]".utf8)), "it must be an object with exactly the keys 'schema', 'version' and 'samples'")
        XCTAssertEqual(refusal(try edited { $0["extra"] = 1 }),
                       "it must be an object with exactly the keys 'schema', 'version' and 'samples'")
        XCTAssertEqual(refusal(try edited { $0["schema"] = "digits_svm.other" }),
                       "its schema is 'digits_svm.other', not 'digits_svm.personal_memory'")
        XCTAssertEqual(refusal(try edited { $0["version"] = 2 }), "its version is 2; this digits_svm reads version 1")
        XCTAssertEqual(refusal(try edited { $0["version"] = "1" }), "its version is '1'; this digits_svm reads version 1")
        XCTAssertNil(refusal(try edited { $0["version"] = 1.0 }))  // Python's 1.0 == 1
        XCTAssertEqual(refusal(try edited { $0["samples"] = [] as [Any] + Array(repeating: [:] as [String: Any], count: 501) }),
                       "'samples' must be a list of at most 500 samples")
        XCTAssertEqual(refusal(try edited { $0["samples"] = "none" }), "'samples' must be a list of at most 500 samples")
        XCTAssertEqual(refusal(try edited { sample(&$0) { $0["model_said"] = nil } }),
                       "samples[1] must be an object with exactly the keys 'grid', 'digit' and 'model_said'")
        XCTAssertEqual(refusal(try edited { sample(&$0) { $0["grid"] = Array(repeating: 0, count: 63) } }),
                       "samples[1].grid must be a list of 64 numbers")
        XCTAssertEqual(refusal(try edited { sample(&$0) { $0["grid"] = [17.5] + Array(repeating: 0, count: 63) } }),
                       "samples[1].grid[0] is 17.5; grid values are in 0..16")
        XCTAssertEqual(refusal(try edited { sample(&$0) { $0["grid"] = Array(repeating: 0, count: 63) + [-0.5] } }),
                       "samples[1].grid[63] is -0.5; grid values are in 0..16")
        XCTAssertEqual(refusal(try edited { sample(&$0) { $0["grid"] = [0, "1"] + Array(repeating: 0, count: 62) } }),
                       "samples[1].grid[1] must be a number, not str")
        XCTAssertEqual(refusal(try edited { sample(&$0) { $0["grid"] = [0, NSNull()] + Array(repeating: 0, count: 62) } }),
                       "samples[1].grid[1] must be a number, not NoneType")
        XCTAssertEqual(refusal(try edited { sample(&$0) { $0["digit"] = 10 } }), "samples[1].digit must be a digit 0..9, not 10")
        XCTAssertEqual(refusal(try edited { sample(&$0) { $0["digit"] = NSNull() } }),
                       "samples[1].digit must be a digit 0..9, not None")
        XCTAssertEqual(refusal(try edited { sample(&$0) { $0["model_said"] = -1 } }),
                       "samples[1].model_said must be a digit 0..9 or null (not a digit), not -1")
        XCTAssertEqual(refusal(try edited { sample(&$0) { $0["model_said"] = "7" } }),
                       "samples[1].model_said must be a digit 0..9 or null (not a digit), not '7'")
        // through JSONDecoder directly: the message names "the memory"
        XCTAssertThrowsError(try JSONDecoder().decode(PersonalMemory.self, from: Data(#"{"schema": 1}"#.utf8))) {
            XCTAssertEqual("\($0)", "the memory is not a personal memory: it must be an object with exactly the keys "
                + "'schema', 'version' and 'samples'; save one with PersonalMemory.save (or the app's export)")
        }
    }

    func testBoolsAreNotNumbersThroughJSONDecoder() throws {
        let zeros = Array(repeating: "0", count: 63).joined(separator: ",")
        func text(version: String = "1", digit: String = "1", first: String = "0") -> Data {
            Data(#"{"schema":"digits_svm.personal_memory","version":\#(version),"samples":[{"grid":[\#(first),\#(zeros)],"digit":\#(digit),"model_said":null}]}"#.utf8)
        }
        XCTAssertEqual(refusal(text(version: "true")), "its version is True; this digits_svm reads version 1")
        XCTAssertEqual(refusal(text(first: "true")), "samples[0].grid[0] must be a number, not bool")
        XCTAssertEqual(refusal(text(digit: "false")), "samples[0].digit must be a digit 0..9, not False")
        XCTAssertNil(refusal(text(version: "1.0")))
        // JSONDecoder does not tell 4.0 from 4 (Python refuses a digit 4.0; digits-grid, which reads JSON as Python does, too)
        XCTAssertEqual(try PersonalMemory(jsonData: text(digit: "4.0")).samples.map(\.digit), [4])
    }

    func testReadsFiveHundredSamples() throws {
        var m = PersonalMemory()
        for i in 0..<PersonalMemory.maxSamples { try m.add(grid: grid([i % 64: 16]), digit: i % 10) }
        XCTAssertEqual(try PersonalMemory(jsonData: m.jsonData()).count, PersonalMemory.maxSamples)
    }
}

final class MemoryAnswerTests: XCTestCase {
    func testDecideWithMemory() throws {
        var memory = PersonalMemory()
        let one = grid([4: 16, 12: 16, 20: 16, 28: 16, 36: 16, 44: 16, 52: 16, 60: 16])
        try memory.add(grid: one, digit: 1, modelSaid: 7)
        let p: [Int64: Double] = [-1: 0.01, 0: 0.005, 1: 0.1, 2: 0.005, 3: 0.005, 4: 0.005, 5: 0.005, 6: 0.005, 7: 0.85,
                                  8: 0.005, 9: 0.005]  // Python's docstring example
        let model = try DigitAnswer.decide(classLabel: 7, classProbability: p)
        XCTAssertEqual(model, DigitAnswer(digit: 7, probability: 0.85, label: 7))
        XCTAssertFalse(model.fromMemory)
        XCTAssertEqual(model.modelDigit, 7)
        let answer = try DigitAnswer.decide(classLabel: 7, classProbability: p, memory: memory, grid: one)
        XCTAssertEqual(answer, DigitAnswer(memoryDigit: 1, model: model))
        XCTAssertEqual([answer.digit, answer.modelDigit], [1, 7])
        XCTAssertEqual(answer.probability, 0.85)
        XCTAssertEqual(answer.label, 7)
        XCTAssertTrue(answer.fromMemory)
        // far from the memory, or an empty memory: the model's answer, "not a digit" included
        let far = grid((0..<64).reduce(into: [:]) { $0[$1] = 16 })
        XCTAssertEqual(try DigitAnswer.decide(classLabel: 7, classProbability: p, memory: memory, grid: far), model)
        XCTAssertEqual(try DigitAnswer.decide(classLabel: 7, classProbability: p, memory: PersonalMemory(), grid: one), model)
        let unsure = try DigitAnswer.decide(classLabel: 7, classProbability: p, minConfidence: 0.9, memory: memory, grid: far)
        XCTAssertNil(unsure.digit)
        // the memory turns a "not a digit" into the user's digit
        let rescued = try DigitAnswer.decide(classLabel: 7, classProbability: p, minConfidence: 0.9, memory: memory, grid: one)
        XCTAssertEqual([rescued.digit, rescued.modelDigit], [1, nil])
        // a model without probabilities: fine with an empty memory, refused with one
        XCTAssertEqual(try DigitAnswer.decide(classLabel: 7, classProbability: nil, memory: PersonalMemory(), grid: one).digit, 7)
        XCTAssertThrowsError(try DigitAnswer.decide(classLabel: 7, classProbability: nil, memory: memory, grid: one))
        XCTAssertThrowsError(try DigitAnswer.decide(classLabel: 7, classProbability: p, minConfidence: 2, memory: memory, grid: one))
    }
}
