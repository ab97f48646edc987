// The thin glue between a grid and DigitsSVM.mlmodel. Compiled only where Core ML exists
// (Apple platforms); the rules it applies, `DigitAnswer.decide` and `PersonalMemory.answer`,
// are plain Swift.

#if canImport(CoreML)
import CoreML

/// The model's input: the grid as an `MLMultiArray` of shape [8, 8], Double, row 0 at the top.
///
/// - Throws: `DigitsSVMError.invalidArgument` for a grid that is not 64 values 0...16.
public func modelInput(_ grid: [Double]) throws -> MLMultiArray {
    try checkGrid(grid)
    let array = try MLMultiArray(shape: [8, 8], dataType: .double)
    for row in 0..<8 {
        for col in 0..<8 {
            array[[NSNumber(value: row), NSNumber(value: col)]] = NSNumber(value: grid[row * 8 + col])
        }
    }
    return array
}

/// A loaded DigitsSVM.mlmodel, answering drawings with the method its metadata names.
public struct DigitsRecognizer {
    public let model: MLModel
    /// The model's `preprocessing.method` metadata (`.normalized` if it names none).
    public let method: PreprocessingMethod
    /// The "not a digit" threshold: the one given, else the model's `confidence.min_confidence`
    /// metadata, else `DigitAnswer.defaultMinConfidence`.
    public var minConfidence: Double

    /// - Parameters:
    ///   - model: e.g. `DigitsSVM(configuration: MLModelConfiguration()).model`.
    ///   - minConfidence: the threshold; nil takes the one the model records.
    public init(model: MLModel, minConfidence: Double? = nil) {
        self.model = model
        let metadata = model.modelDescription.metadata[.creatorDefinedKey] as? [String: String]
        self.method = metadata?["preprocessing.method"].flatMap(PreprocessingMethod.init(rawValue:)) ?? .normalized
        let recorded = metadata?["confidence.min_confidence"].flatMap { Double($0) }
        self.minConfidence = minConfidence ?? recorded ?? DigitAnswer.defaultMinConfidence
    }

    /// The model's outputs for a grid: its `classLabel` and `classProbability` (nil for a
    /// model without probabilities).
    public func outputs(grid: [Double]) throws -> (classLabel: Int64, classProbability: [Int64: Double]?) {
        let input = try MLDictionaryFeatureProvider(dictionary: ["input": MLFeatureValue(multiArray: modelInput(grid))])
        let output = try model.prediction(from: input)
        let description = model.modelDescription
        let labelName = description.predictedFeatureName ?? "classLabel"
        let probabilityName = description.predictedProbabilitiesName ?? "classProbability"
        let label = output.featureValue(for: labelName)?.int64Value ?? DigitAnswer.notADigitLabel
        let probabilities = output.featureValue(for: probabilityName)?.dictionaryValue.reduce(into: [Int64: Double]()) {
            if let key = ($1.key as? Int64) ?? ($1.key as? NSNumber)?.int64Value { $0[key] = $1.value.doubleValue }
        }
        return (label, probabilities)
    }

    /// The answer for a grid of 64 values 0...16.
    public func answer(grid: [Double]) throws -> DigitAnswer {
        let (label, probabilities) = try outputs(grid: grid)
        return try DigitAnswer.decide(classLabel: label, classProbability: probabilities, minConfidence: minConfidence)
    }

    /// The answer for a grid, where the user's corrections come first
    /// (`DigitAnswer.decide(classLabel:classProbability:minConfidence:memory:grid:)`).
    public func answer(grid: [Double], memory: PersonalMemory) throws -> DigitAnswer {
        let (label, probabilities) = try outputs(grid: grid)
        return try DigitAnswer.decide(classLabel: label, classProbability: probabilities, minConfidence: minConfidence,
                                      memory: memory, grid: grid)
    }

    /// The answer for a drawing: rendered and preprocessed as the model was trained.
    public func answer(_ drawing: Drawing) throws -> DigitAnswer {
        try answer(grid: drawing.grid(method: method))
    }

    /// The answer for a drawing, where the user's corrections come first. To remember a
    /// correction of it, keep its grid: `drawing.grid(method: recognizer.method)`.
    public func answer(_ drawing: Drawing, memory: PersonalMemory) throws -> DigitAnswer {
        try answer(grid: drawing.grid(method: method), memory: memory)
    }

    /// The answer for a crop's ink levels (see `InkBuffer(rgba:width:height:ink:)`).
    public func answer(ink: InkBuffer) throws -> DigitAnswer {
        try answer(grid: ink.grid(method: method))
    }

    /// The answer for a crop's ink levels, where the user's corrections come first.
    public func answer(ink: InkBuffer, memory: PersonalMemory) throws -> DigitAnswer {
        try answer(grid: ink.grid(method: method), memory: memory)
    }
}
#endif
