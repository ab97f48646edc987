// The user's own corrected drawings, consulted beside the model: Python's
// `digits_svm.memory.PersonalMemory`, with the same rule and the same JSON file, in plain
// Swift (tested on Linux). `DigitAnswer.decide(...memory:grid:)` combines it with the
// model's outputs; `DigitsRecognizer.answer(_:memory:)` is the Core ML glue.

import Foundation

/// The user's corrections: the grids of drawings the model got wrong, the digit the user
/// said for each, and what the model had answered.
///
/// A Core ML model cannot learn on the phone; the app remembers instead. When a new
/// drawing is close to one of the user's samples, the memory answers with that sample's
/// digit; otherwise the model answers as it always does. An empty memory changes nothing.
///
/// The rule (`answer(grid:classProbability:)`), for a grid `x` and the model's class
/// probabilities `p`:
/// 1. an empty memory answers nothing;
/// 2. for every sample `s`, in the order they were added, `d2 = sum over j = 0..<64, in that
///    order, of (x[j] - s[j])^2`, on the raw 0...16 values;
/// 3. `m[digit]` is the smallest `d2` of that digit's samples; `y` is the digit with the
///    smallest `m`; if another digit has the same `m`, the memory answers nothing;
/// 4. the radius is `T = radius + probWeight * log10(max(p[y], probFloor)) - confidenceWeight * log10(pTop)`,
///    `pTop` the model's largest probability over all its classes ("not a digit" included);
/// 5. the memory answers `y` if `T > 0` and `sqrt(m[y]) < T`.
///
/// The JSON file (`jsonData()`, `init(jsonData:)`, `Codable`) is Python's:
/// `{"schema": "digits_svm.personal_memory", "version": 1, "samples": [{"grid": [64 numbers],
/// "digit": 0...9, "model_said": 0...9 or null}, ...]}`, grids row by row, oldest sample first.
public struct PersonalMemory: Equatable, Sendable {
    /// The rule's radius, in grid units (Euclidean distance over 64 values 0...16).
    public static let radius = 24.0
    /// Grid units the radius shrinks per factor of ten by which the model doubts the memory's digit.
    public static let probWeight = 4.0
    /// Grid units the radius grows per factor of ten of the model's doubt in its own answer.
    public static let confidenceWeight = 20.0
    /// The smallest probability of the memory's digit the rule uses, so that its log is finite.
    public static let probFloor = 1e-6
    /// The most samples a memory holds; adding more drops the oldest.
    public static let maxSamples = 500
    /// The `"schema"` field of the memory's JSON, and its `"version"`.
    public static let schema = "digits_svm.personal_memory"
    public static let schemaVersion = 1

    /// One correction.
    public struct Sample: Equatable, Sendable {
        /// The drawing's grid: 64 values 0...16, row 0 first (what the model was given).
        public let grid: [Double]
        /// The digit the user said, 0...9.
        public let digit: Int
        /// What the model had answered, 0...9; nil: "not a digit", or not known.
        public let modelSaid: Int?
    }

    /// The samples, oldest first.
    public private(set) var samples: [Sample] = []

    /// An empty memory.
    public init() {}

    /// The number of samples.
    public var count: Int { samples.count }

    /// True when there is no sample (the memory then answers nothing).
    public var isEmpty: Bool { samples.isEmpty }

    /// Remember a correction: `grid` is a drawing the user said is `digit`. Beyond
    /// `maxSamples` the oldest sample is dropped.
    ///
    /// - Parameters:
    ///   - grid: the drawing's grid as the model got it (64 values 0...16, row 0 first).
    ///   - digit: what the user said, 0...9.
    ///   - modelSaid: what the model had answered (`DigitAnswer.modelDigit`); nil: "not a digit".
    /// - Throws: `DigitsSVMError.invalidArgument` for a grid that is not 64 values 0...16 or a
    ///   digit outside 0...9; nothing is added.
    public mutating func add(grid: [Double], digit: Int, modelSaid: Int? = nil) throws {
        try checkGrid(grid)
        guard (0...9).contains(digit) else {
            throw DigitsSVMError.invalidArgument("the digit must be 0...9, not \(digit)")
        }
        if let said = modelSaid, !(0...9).contains(said) {
            throw DigitsSVMError.invalidArgument("modelSaid must be a digit 0...9 or nil (not a digit), not \(said)")
        }
        samples.append(Sample(grid: grid, digit: digit, modelSaid: modelSaid))
        if samples.count > Self.maxSamples { samples.removeFirst(samples.count - Self.maxSamples) }
    }

    /// Forget every sample.
    public mutating func clear() {
        samples.removeAll()
    }

    /// The memory's digit for a grid, or nil to let the model answer (the rule above).
    ///
    /// - Parameters:
    ///   - grid: the drawing's grid, 64 values 0...16 (the one the model was given).
    ///   - classProbability: the model's `classProbability` for that grid: every digit
    ///     0...9, and -1 ("not a digit") where the model has that class.
    /// - Throws: `DigitsSVMError.invalidArgument` for a grid that is not 64 values 0...16, or
    ///   probabilities missing a digit.
    public func answer(grid: [Double], classProbability: [Int64: Double]) throws -> Int? {
        try checkGrid(grid)
        guard (0...9).allSatisfy({ classProbability[Int64($0)] != nil }) else {
            throw DigitsSVMError.invalidArgument(
                "probabilities must map every digit 0..9 (and -1 where the model has it) to its probability, "
                    + "as Core ML's classProbability does")
        }
        guard !samples.isEmpty else { return nil }
        var nearest = [Double](repeating: .infinity, count: 10)
        var present = [Bool](repeating: false, count: 10)
        for sample in samples {
            var d2 = 0.0
            for j in 0..<64 {
                let d = sample.grid[j] - grid[j]
                d2 += d * d
            }
            if !present[sample.digit] || d2 < nearest[sample.digit] { nearest[sample.digit] = d2 }
            present[sample.digit] = true
        }
        let digits = (0...9).filter { present[$0] }
        let best = digits.map { nearest[$0] }.min()!
        let closest = digits.filter { nearest[$0] == best }
        guard closest.count == 1 else { return nil }  // as close to the user's samples of another digit
        let y = closest[0]
        let pY = max(classProbability[Int64(y)]!, Self.probFloor)
        // the largest probability, NaN if any is NaN (as NumPy's max)
        let pTop = classProbability.values.reduce(-Double.infinity) { $0.isNaN || $1.isNaN ? .nan : max($0, $1) }
        let limit = Self.radius + Self.probWeight * log10(pY) - Self.confidenceWeight * log10(pTop)
        return limit > 0 && best.squareRoot() < limit ? y : nil
    }
}

// MARK: - The JSON file

extension PersonalMemory: Codable {
    /// A memory from its JSON file's bytes, checked as strictly as Python's
    /// `PersonalMemory.from_json`.
    ///
    /// - Parameters:
    ///   - jsonData: the file's bytes (UTF-8).
    ///   - source: what the messages call the file.
    /// - Throws: `DigitsSVMError.memoryFile` naming `source` and the first problem (not JSON,
    ///   another schema or version, more than `maxSamples` samples, a malformed sample:
    ///   `samples[3].grid[12] is 17.0; grid values are in 0..16`). Through `JSONDecoder`,
    ///   a digit written `3.0` reads as 3 (Python refuses it).
    public init(jsonData: Data, source: String = "the memory") throws {
        do {
            self = try JSONDecoder().decode(Document.self, from: jsonData).memory
        } catch let refusal as MemoryRefusal {
            throw refusal.error(source: source)
        } catch is DecodingError {
            throw MemoryRefusal("it is not JSON").error(source: source)
        }
    }

    /// The memory's JSON file, byte for byte what Python's `PersonalMemory.to_json` writes
    /// for the same samples (compact, grid values written as Python writes floats).
    public func jsonData() -> Data {
        var text = #"{"schema":"\#(Self.schema)","version":\#(Self.schemaVersion),"samples":["#
        for (i, sample) in samples.enumerated() {
            if i > 0 { text += "," }
            text += #"{"grid":["# + sample.grid.map { formatFloat($0) }.joined(separator: ",")
            text += #"],"digit":\#(sample.digit),"model_said":\#(sample.modelSaid.map(String.init) ?? "null")}"#
        }
        return Data((text + "]}").utf8)
    }

    /// Reads a memory, checked as `init(jsonData:)` checks it.
    ///
    /// - Throws: `DigitsSVMError.memoryFile` with the first problem.
    public init(from decoder: Decoder) throws {
        try self.init(from: decoder, source: "the memory")
    }

    /// Reads a memory; the messages call it `source`.
    package init(from decoder: Decoder, source: String) throws {
        do {
            self = try Self.read(decoder)
        } catch let refusal as MemoryRefusal {
            throw refusal.error(source: source)
        }
    }

    /// Writes the JSON file's fields (`jsonData()` writes them in Python's exact form).
    public func encode(to encoder: Encoder) throws {
        var object = encoder.container(keyedBy: AnyKey.self)
        try object.encode(Self.schema, forKey: AnyKey("schema"))
        try object.encode(Self.schemaVersion, forKey: AnyKey("version"))
        var list = object.nestedUnkeyedContainer(forKey: AnyKey("samples"))
        for sample in samples {
            var item = list.nestedContainer(keyedBy: AnyKey.self)
            try item.encode(sample.grid, forKey: AnyKey("grid"))
            try item.encode(sample.digit, forKey: AnyKey("digit"))
            try item.encode(sample.modelSaid, forKey: AnyKey("model_said"))  // null when nil
        }
    }

    /// The memory in `decoder`, checked in the order of Python's `from_json`.
    fileprivate static func read(_ decoder: Decoder) throws -> PersonalMemory {
        guard let doc = try? decoder.container(keyedBy: AnyKey.self),
              Set(doc.allKeys.map(\.stringValue)) == ["schema", "version", "samples"] else {
            throw MemoryRefusal("it must be an object with exactly the keys 'schema', 'version' and 'samples'")
        }
        let schema = try doc.decode(Raw.self, forKey: AnyKey("schema"))
        guard schema.string == Self.schema else {
            throw MemoryRefusal("its schema is \(schema.repr(60)), not '\(Self.schema)'")
        }
        let version = try doc.decode(Raw.self, forKey: AnyKey("version"))
        guard version.number == Double(Self.schemaVersion) else {
            throw MemoryRefusal("its version is \(version.repr(30)); this digits_svm reads version \(Self.schemaVersion)")
        }
        guard var list = try? doc.nestedUnkeyedContainer(forKey: AnyKey("samples")),
              let n = list.count, n <= Self.maxSamples else {
            throw MemoryRefusal("'samples' must be a list of at most \(Self.maxSamples) samples")
        }
        var memory = PersonalMemory()
        memory.samples.reserveCapacity(n)
        for i in 0..<n {
            let whereSample = "samples[\(i)]"
            guard let sample = try? list.nestedContainer(keyedBy: AnyKey.self),
                  Set(sample.allKeys.map(\.stringValue)) == ["grid", "digit", "model_said"] else {
                throw MemoryRefusal("\(whereSample) must be an object with exactly the keys 'grid', 'digit' and 'model_said'")
            }
            guard var values = try? sample.nestedUnkeyedContainer(forKey: AnyKey("grid")), values.count == 64 else {
                throw MemoryRefusal("\(whereSample).grid must be a list of 64 numbers")
            }
            var grid: [Double] = []
            grid.reserveCapacity(64)
            for j in 0..<64 {
                switch try values.decode(GridValue.self) {
                case let .value(v):
                    grid.append(v)
                case let .other(raw) where raw.number != nil:
                    throw MemoryRefusal("\(whereSample).grid[\(j)] is \(raw.repr(60)); grid values are in 0..16")
                case let .other(raw):
                    throw MemoryRefusal("\(whereSample).grid[\(j)] must be a number, not \(raw.typeName)")
                }
            }
            let digit = try sample.decode(Raw.self, forKey: AnyKey("digit"))
            guard let d = digit.integer, (0...9).contains(d) else {
                throw MemoryRefusal("\(whereSample).digit must be a digit 0..9, not \(digit.repr(30))")
            }
            let said = try sample.decode(Raw.self, forKey: AnyKey("model_said"))
            guard said.isNull || said.integer.map({ (0...9).contains($0) }) == true else {
                throw MemoryRefusal("\(whereSample).model_said must be a digit 0..9 or null (not a digit), not \(said.repr(30))")
            }
            memory.samples.append(Sample(grid: grid, digit: d, modelSaid: said.integer))
        }
        return memory
    }
}

/// Why a text is not a memory; `error(source:)` words it as Python's `MemoryFileError`.
private struct MemoryRefusal: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }

    func error(source: String) -> DigitsSVMError {
        .memoryFile("\(source) is not a personal memory: \(reason); save one with PersonalMemory.save (or the app's export)")
    }
}

/// The file's top level, read so that a refusal leaves `JSONDecoder` as it was thrown.
private struct Document: Decodable {
    let memory: PersonalMemory
    init(from decoder: Decoder) throws { memory = try PersonalMemory.read(decoder) }
}

/// Any key, so that unknown keys are seen.
private struct AnyKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { nil }
}

/// A grid value: a number 0...16 (never a bool), or what was there instead.
private enum GridValue: Decodable {
    case value(Double)
    case other(Raw)

    init(from decoder: Decoder) throws {
        if let v = try? decoder.singleValueContainer().decode(Double.self), v >= 0, v <= 16 {
            self = .value(v)
        } else {
            self = .other(try Raw(from: decoder))
        }
    }
}

/// Any value, with what the checks ask of it and how the messages quote it (Python's
/// `repr`, through a `QuotingDecoder`; its nearest wording through another decoder).
private struct Raw: Decodable {
    var isNull = false
    /// The value as a number (an int or a float, not a bool), Python's `float(value)`.
    var number: Double?
    /// The value as an integer (through `JSONDecoder`, also a float with an integer's value).
    var integer: Int?
    var string: String?
    var typeName: String
    private var quoted: String

    init(from decoder: Decoder) throws {
        let value = try decoder.singleValueContainer()
        isNull = value.decodeNil()
        if !isNull {
            number = try? value.decode(Double.self)
            integer = try? value.decode(Int.self)
            string = try? value.decode(String.self)
        }
        if let quoting = decoder as? any QuotingDecoder {
            (typeName, quoted) = (quoting.typeName, quoting.quotedValue(prefix: 60))
        } else if isNull {
            (typeName, quoted) = ("NoneType", "None")
        } else if let b = try? value.decode(Bool.self) {
            (typeName, quoted) = ("bool", b ? "True" : "False")
        } else if let s = string {
            (typeName, quoted) = ("str", "'\(s)'")
        } else if let n = number {
            let found = try Found(from: decoder)
            (typeName, quoted) = (found.typeName, found.quoted ?? formatFloat(n))
        } else {
            let found = try Found(from: decoder)
            (typeName, quoted) = (found.typeName, found.typeName == "list" ? "[...]" : "{...}")
        }
    }

    /// The value quoted, cut to its first `length` characters.
    func repr(_ length: Int) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: quoted.unicodeScalars.prefix(length))
        return String(scalars)
    }
}
