public import ParityCore

extension CachedStepCost {
    /// Step times from the serving estimator: each shape priced op by op as one pass of the
    /// instance, every attention-DP rank carrying the same load. A shape the estimator cannot price
    /// costs infinite time; ``ServingSimulator`` callers check one shape first with ``probe(_:)``.
    public init(estimator: ServingEstimator) {
        self.init { shape in
            (try? estimator.step(
                decodeSequences: shape.decodeSequences,
                context: shape.decodeContext,
                prefillTokens: shape.prefillTokens,
                promptLength: shape.promptLength
            ).total.value) ?? .infinity
        }
    }

    /// Prices a representative mixed step, so an estimator that lacks evidence fails with its
    /// own message before a simulation starts.
    public static func probe(_ estimator: ServingEstimator, inputTokens: Int) throws(EstimationError) {
        _ = try estimator.step(
            decodeSequences: 1,
            context: inputTokens,
            prefillTokens: inputTokens,
            promptLength: inputTokens
        )
    }
}
