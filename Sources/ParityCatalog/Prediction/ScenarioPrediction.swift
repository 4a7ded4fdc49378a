public import ParityCore

/// What Parity predicts for one scenario: the SCHEMA metrics, the estimate behind them and the
/// assumptions it rests on.
public struct ScenarioPrediction: Sendable {
    public var id: String
    public var metrics: [Metric: Double]
    public var training: TrainingEstimate?
    public var notes: [String]
}

extension ScenarioFile {
    /// Predicts the scenario's metrics.
    /// - Throws: `EstimationError` when the workload cannot honestly be predicted (missing facts,
    ///   an unsupported workload, a catalog without the evidence needed), with the reason.
    public func predict(catalog: Catalog) throws -> ScenarioPrediction {
        switch scenario.workload {
        case .training(let training):
            return try predictTraining(training, catalog: catalog)
        case .serving(let serving):
            return try predictServing(serving, catalog: catalog)
        }
    }

    func predictTraining(_ workload: Workload.Training, catalog: Catalog) throws -> ScenarioPrediction {
        var notes = modelAssumptions
        guard let sequenceLength = workload.sequenceLength else {
            throw EstimationError("\(scenario.id): workload.sequence_length is needed to predict a training step.")
        }
        let globalBatch: Int
        if let batch = workload.globalBatch {
            globalBatch = batch
        } else if let tokens = workload.globalBatchTokens {
            globalBatch = Int((tokens / Double(sequenceLength)).rounded())
        } else {
            throw EstimationError(
                "\(scenario.id): workload.global_batch (or global_batch_tokens) is needed for the number of micro-batches per step."
            )
        }
        let precision = workload.precision ?? .bf16
        if workload.precision == nil { notes.append("workload.precision not stated: bf16 assumed.") }
        let (stack, stackNote) = try catalog.stack(for: chip, software: scenario.system.software)
        if let stackNote { notes.append(stackNote) }
        let expected = scenario.expected
        var conventions = TrainingEstimator.Conventions()
        switch expected?.attentionFLOPs {
        case .some(.full): conventions.attention = .full
        case .some(.none): conventions.excludeAttention = true
        default: conventions.attention = .causal
        }
        conventions.includeRecompute = expected?.flopsIncludeRecompute ?? false
        if let p = expected?.mfuPrecision {
            conventions.mfuPrecision = p
        } else if expected?.metrics[.mfu] != nil {
            notes.append("MFU peak not stated by the source: the BF16 dense peak is used.")
        }
        let estimator = TrainingEstimator(
            architecture: architecture,
            chip: chip,
            system: system,
            stack: stack,
            chips: scenario.system.chips,
            sequenceLength: sequenceLength,
            globalBatch: globalBatch,
            precision: precision,
            tokens: workload.tokens,
            conventions: conventions
        )
        let estimate: TrainingEstimate
        if let stated = scenario.plan.training {
            let plan = try TrainingPlan.resolve(stated, chips: scenario.system.chips)
            estimate = try estimator.estimate(plan: plan)
        } else {
            estimate = try TrainingPlanSearch(estimator: estimator).best()
            notes.append("No plan stated: the fastest legal plan that fits was searched.")
        }
        notes += estimate.notes
        if !estimate.fits {
            notes.append(
                "The plan needs \(formatNumber(estimate.memoryPerChip.value / 1_073_741_824, decimals: 1)) GiB per chip, more than the chip holds."
            )
        }
        var metrics: [Metric: Double] = [
            .stepTime: estimate.stepTime.value,
            .tokensPerSecondPerChip: estimate.tokensPerSecondPerChip,
            .modelTFLOPsPerChip: estimate.modelTFLOPsPerChip,
            .mfu: estimate.mfu,
            .memoryPerChip: estimate.memoryPerChip.value / 1_073_741_824,
        ]
        if let hours = estimate.chipHours { metrics[.chipHours] = hours }
        if let days = estimate.days { metrics[.days] = days }
        return ScenarioPrediction(id: scenario.id, metrics: metrics, training: estimate, notes: notes)
    }
}
