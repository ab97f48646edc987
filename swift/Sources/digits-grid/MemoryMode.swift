// digits-grid's memory modes: the parity test's door to `PersonalMemory`. `--memory FILE`
// answers drawings with a memory file and the model's probabilities given on each line;
// `--write-memory OUT` writes a memory file from samples. Both read JSON as Python does.

import DigitsSVMKit
import Foundation

/// The memory in the file at `path`, read through the library's own `PersonalMemory(from:)`
/// with Python's view of the values, refused with Python's message.
///
/// - Throws: `DigitsSVMError.memoryFile` naming `path`.
func readMemory(path: String) throws -> PersonalMemory {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw DigitsSVMError.memoryFile("cannot read the personal memory \(path)")
    }
    let value: JSONValue
    do {
        value = try JSONValue.parse(String(decoding: data, as: UTF8.self))
    } catch is JSONValue.SyntaxError {
        throw DigitsSVMError.memoryFile("\(path) is not a personal memory: it is not JSON; save one with "
            + "PersonalMemory.save (or the app's export)")
    }
    return try PersonalMemory(from: JSONValueDecoder(value), source: path)
}

/// Why a line of a memory mode's input is not what the mode reads.
struct LineError: Error {
    let message: String
}

/// The fields of a line that must be a JSON object with exactly the keys `names`.
func objectFields(_ value: JSONValue, _ names: Set<String>) throws -> [String: JSONValue] {
    guard case let .object(pairs) = value, Set(pairs.map(\.key)) == names else {
        throw LineError(message: "each line must be an object with the keys \(names.sorted().joined(separator: ", "))")
    }
    return Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
}

/// `{"drawing": <drawing>, "probabilities": {"-1": p, "0": p, ...}}` (or `"grid": [64 values]`
/// in place of the drawing) -> the line `{"grid": [64 values], "memory": digit or null}`, or
/// `{"error": "..."}` where the drawing (or the memory's rule) is refused.
func memoryLine(_ line: String, memory: PersonalMemory, method: PreprocessingMethod, into out: inout [UInt8]) throws {
    let value: JSONValue
    do {
        value = try JSONValue.parse(line)
    } catch let error as JSONValue.SyntaxError {
        throw LineError(message: "a line is not JSON (\(error.message))")
    }
    let given: String
    if case let .object(pairs) = value, pairs.contains(where: { $0.key == "grid" }) { given = "grid" } else { given = "drawing" }
    let fields = try objectFields(value, [given, "probabilities"])
    guard case let .object(pairs)? = fields["probabilities"] else {
        throw LineError(message: #""probabilities" must be an object {"-1": p, "0": p, ...}"#)
    }
    var probabilities: [Int64: Double] = [:]
    for (key, value) in pairs {
        guard let label = Int64(key), let p = try? JSONValueDecoder(value).decode(Double.self) else {
            throw LineError(message: "probabilities[\(jsonString(key))] must be a number, under a class label")
        }
        probabilities[label] = p
    }
    do {
        let grid: [Double]
        if given == "grid" {
            guard let values = try? JSONValueDecoder(fields["grid"]!).decode([Double].self) else {
                throw LineError(message: #""grid" must be a list of numbers"#)
            }
            grid = values
        } else {
            grid = try Drawing(from: JSONValueDecoder(fields["drawing"]!)).grid(method: method)
        }
        let digit = try memory.answer(grid: grid, classProbability: probabilities)
        out += Array(#"{"grid": "#.utf8)
        gridArray(grid, into: &out)
        out += Array(#", "memory": \#(digit.map(String.init) ?? "null")}"#.utf8)
        out.append(UInt8(ascii: "\n"))
    } catch let error as DigitsSVMError {
        errorLine(error, into: &out)
    }
}

/// `memory` with the samples in `lines` added, each `{"grid": [64 values], "digit": d, "model_said": m or null}`.
///
/// - Throws: `LineError` for a line that is not such an object, `DigitsSVMError` for a
///   sample `PersonalMemory.add` refuses.
func memoryOfSamples(_ lines: AnySequence<String>, adding memory: PersonalMemory = PersonalMemory()) throws -> PersonalMemory {
    var memory = memory
    for line in lines {
        let value: JSONValue
        do {
            value = try JSONValue.parse(line)
        } catch let error as JSONValue.SyntaxError {
            throw LineError(message: "a line is not JSON (\(error.message))")
        }
        let fields = try objectFields(value, ["grid", "digit", "model_said"])
        let grid: [Double], digit: Int, said: Int?
        do {
            grid = try JSONValueDecoder(fields["grid"]!).decode([Double].self)
            digit = try JSONValueDecoder(fields["digit"]!).decode(Int.self)
            said = try JSONValueDecoder(fields["model_said"]!).decode(Int?.self)
        } catch is DecodingError {
            throw LineError(message: #"a sample is {"grid": [64 numbers], "digit": 0..9, "model_said": 0..9 or null}"#)
        }
        try memory.add(grid: grid, digit: digit, modelSaid: said)
    }
    return memory
}
