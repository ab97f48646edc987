// One line of digits-grid's input to a `Drawing`, refused where and as Python refuses it.

import DigitsSVMKit

/// The drawing in `text`, read as `digits_svm.strokes.loads_json` and `parse_strokes` read it.
///
/// - Throws: `DigitsSVMError.strokes` with the Python library's message.
func readDrawing(_ text: String) throws -> Drawing {
    if let plain = plainDrawing(text) {  // the usual drawing, without JSONValues
        try Drawing.checkPointCount(plain.pointCount)
        return plain
    }
    try Drawing.checkJSONDepth(text.utf8)
    let value: JSONValue
    do {
        value = try JSONValue.parse(text)
    } catch let error as JSONValue.SyntaxError {
        throw DigitsSVMError.notJSON(error.message)
    }
    return try Drawing(from: JSONValueDecoder(value))
}
