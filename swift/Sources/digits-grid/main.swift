// digits-grid: drawings in the shared stroke JSON format, one per line on stdin -> one line
// per drawing on stdout: the 8x8 grid as a JSON array of 64 numbers (row 0 first), or
// {"error": "..."} where digits_svm.preprocess_strokes refuses the drawing.

import DigitsSVMKit
import Foundation

let usage = """
    usage: digits-grid [--method normalized|seed]

    Reads drawings in the stroke JSON format ({"strokes": [[[x, y], ...], ...], "line_width": 5,
    "scale": 2} or a bare list of strokes), one per line, on stdin; writes one line per drawing
    on stdout: a JSON array of the 64 grid values (row 0 at the top), or {"error": "..."}.
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("digits-grid: \(message)\n".utf8))
    exit(2)
}

var method = PreprocessingMethod.normalized
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

// One write per drawing, so a caller may send a line and wait for its answer.
while let line = readLine(strippingNewline: true) {
    let answer: String
    do {
        let grid = try preprocess(Drawing(json: line), method: method)
        answer = "[" + grid.map { String(Int($0)) }.joined(separator: ",") + "]\n"
    } catch let error as DigitsSVMError {
        answer = "{\"error\": " + jsonString(error.message) + "}\n"
    }
    FileHandle.standardOutput.write(Data(answer.utf8))
}
