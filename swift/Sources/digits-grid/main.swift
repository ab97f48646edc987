// digits-grid: drawings in the shared stroke JSON format, one per line on stdin -> one line
// per drawing on stdout: the 8x8 grid as a JSON array of 64 numbers (row 0 first), or
// {"error": "..."} where digits_svm.preprocess_strokes refuses the drawing, with its message
// (the JSON is read as Python reads it: ReadDrawing.swift). With a personal memory, the
// same drawings answered by it (MemoryMode.swift).

import DigitsSVMKit
import Foundation

let usage = """
    usage: digits-grid [--method normalized|seed] [--memory FILE]
           digits-grid [--memory FILE] --write-memory OUT

    Reads drawings in the stroke JSON format ({"strokes": [[[x, y], ...], ...], "line_width": 5,
    "scale": 2} or a bare list of strokes), one per line, on stdin; writes one line per drawing
    on stdout: a JSON array of the 64 grid values (row 0 at the top), or {"error": "..."}.

    --memory FILE: each line is {"drawing": <drawing>, "probabilities": {"-1": p, "0": p, ...}}
    (the model's classProbability for the drawing's grid), or {"grid": [64 values], "probabilities":
    ...}; each answer is
    {"grid": [64 values], "memory": digit or null}, the personal memory FILE's answer.
    --write-memory OUT: each line is {"grid": [64 values], "digit": d, "model_said": m or null};
    writes the personal memory of those samples (added to FILE's, with --memory) to OUT, the JSON
    file Python reads.
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("digits-grid: \(message)\n".utf8))
    exit(2)
}

var method = PreprocessingMethod.normalized
var memoryPath: String?
var writePath: String?
var arguments = CommandLine.arguments.dropFirst()
while let arg = arguments.popFirst() {
    switch arg {
    case "-h", "--help":
        print(usage)
        exit(0)
    case "--method":
        guard let name = arguments.popFirst(), let m = PreprocessingMethod(rawValue: name) else {
            fail("--method needs one of normalized, seed")
        }
        method = m
    case "--memory":
        guard let path = arguments.popFirst() else { fail("--memory needs a file") }
        memoryPath = path
    case "--write-memory":
        guard let path = arguments.popFirst() else { fail("--write-memory needs a file") }
        writePath = path
    default:
        fail("unknown argument \(arg); \(usage.split(separator: "\n")[0])")
    }
}

/// A JSON string literal.
func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

/// A grid's 64 values (integers 0...16) as a JSON array.
func gridArray(_ grid: [Double], into out: inout [UInt8]) {
    out.append(UInt8(ascii: "["))
    for (i, v) in grid.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        guard v >= 0, v < 100, v == v.rounded(.towardZero) else {  // never for these grids
            out += Array((v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : "\(v)").utf8)
            continue
        }
        let n = Int(v)
        if n >= 10 { out.append(UInt8(ascii: "0") + UInt8(n / 10)) }
        out.append(UInt8(ascii: "0") + UInt8(n % 10))
    }
    out.append(UInt8(ascii: "]"))
}

/// The line of a refusal: `{"error": "..."}`.
func errorLine(_ error: DigitsSVMError, into out: inout [UInt8]) {
    out += Array(("{\"error\": " + jsonString(error.message) + "}\n").utf8)
}

/// The lines of stdin.
let stdinLines = AnySequence { AnyIterator { readLine(strippingNewline: true) } }

var memory: PersonalMemory?
if let memoryPath {
    do {
        memory = try readMemory(path: memoryPath)
    } catch let error as DigitsSVMError {
        fail(error.message)
    } catch {
        fail("\(memoryPath): \(error)")
    }
}

if let writePath {
    do {
        let written = try memoryOfSamples(stdinLines, adding: memory ?? PersonalMemory())
        try written.jsonData().write(to: URL(fileURLWithPath: writePath), options: .atomic)
    } catch let error as LineError {
        fail(error.message)
    } catch let error as DigitsSVMError {
        fail(error.message)
    } catch {
        fail("cannot write \(writePath): \(error.localizedDescription)")
    }
    exit(0)
}

// One write per drawing, so a caller may send a line and wait for its answer.
var out: [UInt8] = []
out.reserveCapacity(512)
for line in stdinLines {
    out.removeAll(keepingCapacity: true)
    if let memory {
        do {
            try memoryLine(line, memory: memory, method: method, into: &out)
        } catch let error as LineError {
            fail(error.message)
        } catch {
            fail("\(error)")
        }
    } else {
        do {
            gridArray(try readDrawing(line).grid(method: method), into: &out)
            out.append(UInt8(ascii: "\n"))
        } catch let error as DigitsSVMError {
            errorLine(error, into: &out)
        } catch {
            fail("\(error)")
        }
    }
    out.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, stdout) }
    fflush(stdout)
}
