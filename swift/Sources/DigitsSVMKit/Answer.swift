// What the app shows for a drawing: a digit with its probability, or "not a digit", or the
// digit the user's personal memory gives. The rules live here, in one place, in plain Swift
// (tested on Linux); the Core ML glue in CoreML.swift only feeds them the model's outputs.

import Foundation

/// The answer to one drawing.
public struct DigitAnswer: Equatable, Sendable {
    /// The digit 0...9, or nil: "not a digit".
    public let digit: Int?
    /// The model's probability of its label, 0...1 (nil for a model without probabilities).
    public let probability: Double?
    /// The model's `classLabel`, also when the answer is "not a digit".
    public let label: Int64
    /// True when the user's `PersonalMemory` gave `digit` (`probability` and `label` are
    /// still the model's).
    public let fromMemory: Bool
    /// The model's own answer: `digit` unless the memory answered. Record it as
    /// `modelSaid` when the user corrects the answer.
    public let modelDigit: Int?

    /// The model's answer.
    public init(digit: Int?, probability: Double?, label: Int64) {
        self.digit = digit
        self.probability = probability
        self.label = label
        self.fromMemory = false
        self.modelDigit = digit
    }

    /// The memory's answer `digit` in place of the model's answer `model`.
    public init(memoryDigit digit: Int, model: DigitAnswer) {
        self.digit = digit
        self.probability = model.probability
        self.label = model.label
        self.fromMemory = true
        self.modelDigit = model.modelDigit
    }

    /// True unless the answer is "not a digit".
    public var isDigit: Bool { digit != nil }

    // MARK: - The "not a digit" rule (docs/xcode.md, section "Not a digit")

    /// The threshold below which the answer is "not a digit": Python's
    /// `digits_svm.confidence.DEFAULT_MIN_CONFIDENCE`, chosen for the `app` preset
    /// (docs/model.md). A model records the one it was trained with in its metadata,
    /// `confidence.min_confidence`, which `DigitsRecognizer` prefers.
    public static let defaultMinConfidence = 0.72

    /// The label of the "not a digit" class (the `app` preset learns it from drawings that
    /// are not digits; Python's `digits_svm.NOT_A_DIGIT`).
    public static let notADigitLabel: Int64 = -1

    /// Decide from the model's outputs: "not a digit" when `classLabel` is -1 or when
    /// `classProbability[classLabel]` is below `minConfidence`; otherwise the label, with
    /// its probability. A model without probabilities (`classProbability` nil) answers its
    /// label with no probability.
    ///
    /// - Throws: `DigitsSVMError.invalidArgument` if `minConfidence` is not in 0...1.
    public static func decide(classLabel: Int64, classProbability: [Int64: Double]?,
                              minConfidence: Double = defaultMinConfidence) throws -> DigitAnswer {
        guard (0.0...1.0).contains(minConfidence) else {
            throw DigitsSVMError.invalidArgument(
                "minConfidence must be a probability between 0 and 1, got \(formatFloat(minConfidence))")
        }
        let probability = classProbability.map { $0[classLabel] ?? 0 }
        let rejected = classLabel == notADigitLabel || (probability.map { $0 < minConfidence } ?? false)
        return DigitAnswer(digit: rejected ? nil : Int(classLabel), probability: probability, label: classLabel)
    }

    /// Decide from the model's outputs and the user's corrections: the model's answer (as
    /// `decide(classLabel:classProbability:minConfidence:)`), replaced by the memory's digit
    /// where `memory.answer(grid:classProbability:)` gives one (`fromMemory` is then true).
    /// An empty memory changes nothing. Python's `predict_with_confidence(..., memory=)`.
    ///
    /// - Parameters:
    ///   - grid: the grid the model was given (the memory measures distances on it).
    /// - Throws: `DigitsSVMError.invalidArgument` for a threshold outside 0...1, a bad grid,
    ///   probabilities missing a digit, or a non-empty memory with a model without
    ///   probabilities (the memory's rule needs them).
    public static func decide(classLabel: Int64, classProbability: [Int64: Double]?,
                              minConfidence: Double = defaultMinConfidence,
                              memory: PersonalMemory, grid: [Double]) throws -> DigitAnswer {
        let model = try decide(classLabel: classLabel, classProbability: classProbability, minConfidence: minConfidence)
        guard !memory.isEmpty else { return model }
        guard let classProbability else {
            throw DigitsSVMError.invalidArgument("the personal memory needs the model's classProbability, and this model "
                + "has none; retrain with --probability (or --preset app)")
        }
        guard let digit = try memory.answer(grid: grid, classProbability: classProbability) else { return model }
        return DigitAnswer(memoryDigit: digit, model: model)
    }
}

/// Check a grid before it goes to the model: 64 finite values 0...16 (row 0 at the top).
///
/// - Throws: `DigitsSVMError.invalidArgument` naming what is wrong (values are never clipped).
public func checkGrid(_ grid: [Double]) throws {
    guard grid.count == 64 else {
        throw DigitsSVMError.invalidArgument(
            "a grid has 64 values (8 rows of 8, row 0 at the top), not \(grid.count); give the output of preprocess")
    }
    if let bad = grid.firstIndex(where: { !($0 >= 0 && $0 <= 16) }) {
        throw DigitsSVMError.invalidArgument("grid value \(formatFloat(grid[bad])) at row \(bad / 8), column \(bad % 8) "
            + "is outside 0...16; the preprocessing was skipped or broken")
    }
}
