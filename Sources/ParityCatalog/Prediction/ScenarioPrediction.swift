public import ParityCore

/// What Parity predicts for one scenario: the SCHEMA metrics, the estimate behind them and the
/// assumptions it rests on.
public struct ScenarioPrediction: Sendable {
    public var id: String
    public var metrics: [Metric: Double]
    public var training: TrainingEstimate?
    public var notes: [String]
    /// Cost and energy figures, named with their unit (`cost_usd_low`, `energy_j_per_output_token`, …).
    public var economics: [(name: String, value: Double)] = []
    /// The resource that limits the prediction: compute, memory bandwidth, memory capacity,
    /// scale-up link, scale-out link or pipeline bubble.
    public var bottleneck: String?
    /// For serving: one decode step (with its chunked-prefill share when aggregated), per rank, by
    /// kind of work and by operation.
    public var servingStep: ServingEstimator.StepBreakdown?
    /// For disaggregated serving: one pass of the prefill pool, per rank.
    public var prefillPass: ServingEstimator.StepBreakdown?
    /// For serving: the plan the metrics are for, stated or searched.
    public var servingPlan: Plan?
    /// How many plans a search weighed to choose it; nil when the scenario stated the whole plan.
    public var plansWeighed: Int?
    /// Metrics rounded to the grid a source measured on (capacity to its tried levels), unrounded.
    public var unrounded: [Metric: Double] = [:]
    /// The chips predicted for, when the scenario left the count to Parity; nil when it stated one.
    public var chips: Int?
    /// Values Parity filled in, with their published ranges and sources.
    public var assumptions: [Assumption] = []
    /// Each metric's range over the assumptions' ranges (one at a time, combined in quadrature);
    /// the point estimate always lies inside.
    public var bands: [Metric: (low: Double, high: Double)] = [:]
    /// The stated load simulated request by request, when the workload states one.
    public var load: LoadSimulation?
}

extension ScenarioFile {
    /// Predicts the scenario's metrics.
    /// - Throws: `EstimationError` when the workload cannot honestly be predicted (missing facts,
    ///   an unsupported workload, a catalog without the evidence needed), with the reason.
    /// - Parameter bands: whether to compute the metrics' bands (each a few more predictions at the
    ///   chosen plan); validation, which compares point estimates, leaves them out.
    public func predict(catalog: Catalog, bands withBands: Bool = true) throws -> ScenarioPrediction {
        if !scenario.system.chipsStated { return try predictSized(catalog: catalog, bands: withBands) }
        var prediction: ScenarioPrediction
        switch scenario.workload {
        case .training(let training):
            prediction = try predictTraining(training, catalog: catalog)
        case .serving(let serving):
            prediction = try predictServing(serving, catalog: catalog)
        }
        prediction.economics = economics(prediction.metrics, notes: &prediction.notes)
        prediction.notes += chip.transferredSpecs.map { $0 + "." }
        if let note = unexpressedNote { prediction.notes.append(note) }
        if withBands {
            prediction.bands = widenedForUnexpressedFeatures(bands(around: prediction, catalog: catalog), prediction)
        }
        return prediction
    }

    func predictWithoutBands(catalog: Catalog) throws -> ScenarioPrediction {
        switch scenario.workload {
        case .training(let training): return try predictTraining(training, catalog: catalog)
        case .serving(let serving): return try predictServing(serving, catalog: catalog)
        }
    }

    /// The note for a model whose `model_spec` lists features Parity cannot count: the answer is
    /// approximate, each such feature taken to cost nothing and to widen the bands.
    var unexpressedNote: String? {
        guard !unexpressedFeatures.isEmpty else { return nil }
        let percent = Int((BandPriors.unexpressedFeature * 100).rounded())
        return
            "Approximate: model_spec.not_expressible lists features Parity does not count (\(unexpressedFeatures.joined(separator: "; "))). Each is taken to cost no time and no memory, and widens every band by \(percent)% either way (in quadrature); the answer is the stated architecture without them. Fix: describe the model with a config.json Parity reads to remove the doubt."
    }

    /// The bands with each unexpressed feature's share added in quadrature, both sides.
    func widenedForUnexpressedFeatures(
        _ bands: [Metric: (low: Double, high: Double)],
        _ point: ScenarioPrediction
    ) -> [Metric: (low: Double, high: Double)] {
        guard !unexpressedFeatures.isEmpty else { return bands }
        let share = BandPriors.unexpressedFeature * Double(unexpressedFeatures.count).squareRoot()
        var widened = bands
        for (metric, base) in point.metrics {
            let band = bands[metric] ?? (base, base)
            let extra = abs(base) * share
            let down = ((base - band.low) * (base - band.low) + extra * extra).squareRoot()
            let up = ((band.high - base) * (band.high - base) + extra * extra).squareRoot()
            widened[metric] = (base - down, base + up)
        }
        return widened
    }

    /// The resource a training step part stands for.
    static func resource(of part: String, crossesDomain: Bool) -> String {
        switch part {
        case "gemm", "attention", "recompute", "overlap_slowdown": "compute"
        case "elementwise", "optimizer": "memory bandwidth"
        case "tp_comm_exposed", "cp_comm_exposed": "scale-up link"
        case "ep_comm_exposed", "pp_sends": crossesDomain ? "scale-out link" : "scale-up link"
        case "dp_sync_exposed": "scale-out link"
        case "pipeline_bubble": "pipeline bubble"
        default: part
        }
    }

    /// Cost from the chip's hourly price range and energy from its TDP (accelerator only: hosts,
    /// network and cooling excluded).
    func economics(_ metrics: [Metric: Double], notes: inout [String]) -> [(name: String, value: Double)] {
        var out: [(String, Double)] = []
        let low = chip.hourlyPriceRange?.low
        let high = chip.hourlyPriceRange?.high
        let tdp = chip.power?.tdp?.value
        if let hours = metrics[.chipHours] {
            if let low, let high {
                out.append(("cost_usd_low", hours * low))
                out.append(("cost_usd_high", hours * high))
            }
            if let tdp { out.append(("energy_mwh", hours * tdp / 1e6)) }
        }
        if let rate = metrics[.outputTokensPerSecondPerChip] ?? metrics[.decodeTokensPerSecondPerChip], rate > 0 {
            if let low, let high {
                out.append(("cost_usd_per_million_output_tokens_low", low / (rate * 3_600) * 1e6))
                out.append(("cost_usd_per_million_output_tokens_high", high / (rate * 3_600) * 1e6))
            }
            if let tdp { out.append(("energy_j_per_output_token", tdp / rate)) }
        }
        if !out.isEmpty {
            let basis = chip.hourlyPriceBasis ?? "no price (cost not given)"
            notes.append("Cost uses \(basis), and energy the TDP, for the accelerators alone.")
        } else if chip.hourlyPriceRange == nil && tdp == nil {
            notes.append("No hourly price or TDP for \(chip.name) in the catalog: cost and energy are not given.")
        } else {
            notes.append(
                "Cost and energy are not given: they need the run's chip-hours (a training token budget) or an output rate, which this workload does not state."
            )
        }
        return out
    }

    func predictTraining(_ workload: Workload.Training, catalog: Catalog) throws -> ScenarioPrediction {
        var notes = modelAssumptions
        guard let sequenceLength = workload.sequenceLength else {
            throw EstimationError("\(scenario.id): workload.sequence_length is needed to predict a training step.")
        }
        guard let globalBatch = workload.resolvedGlobalBatch else {
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
        // Slices joined over the data-centre network are scale-up domains of their own.
        var trainingSystem = system
        if let slices = scenario.system.slices, slices > 1, var sliced = trainingSystem {
            sliced.chips = min(sliced.chips, max(1, scenario.system.chips / slices))
            trainingSystem = sliced
            notes.append(
                "\(slices) slices: collectives inside a slice use its scale-up links, across slices the scale-out network."
            )
        }
        let estimator = TrainingEstimator(
            architecture: architecture,
            chip: chip,
            system: trainingSystem,
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
            if plan.schedule == .interleaved && stated.vpp == nil && plan.pp > 1 {
                // An interleaved schedule without its number of virtual stages: the search's choice,
                // the fastest count that fits (or the fastest, when none does).
                var best: TrainingEstimate?
                var firstError: (any Error)?
                for vpp in 2...max(2, min(8, architecture.layers.count / plan.pp)) {
                    var candidate = plan
                    candidate.vpp = vpp
                    let e: TrainingEstimate
                    do { e = try estimator.estimate(plan: candidate) } catch {
                        if firstError == nil { firstError = error }
                        continue
                    }
                    // Fitting first, then the shorter step.
                    if let current = best,
                        current.fits && !e.fits || (current.fits == e.fits && current.stepTime <= e.stepTime)
                    {
                        continue
                    }
                    best = e
                }
                guard let best else {
                    throw firstError ?? EstimationError("\(scenario.id): no virtual-stage count fits the layers.")
                }
                estimate = best
                notes.append(
                    "vpp not stated for the interleaved schedule: \(best.plan.vpp) virtual stages, the fastest of 2-8 that \(best.fits ? "fits" : "runs (none fits)")."
                )
            } else if let open = try bestOpenTrainingPlan(stated, plan, estimator: estimator) {
                estimate = open.estimate
                notes.append(open.note)
            } else {
                estimate = try estimator.estimate(plan: plan)
            }
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
        var prediction = ScenarioPrediction(id: scenario.id, metrics: metrics, training: estimate, notes: notes)
        prediction.bottleneck = Self.resource(
            of: estimate.bottleneck,
            crossesDomain: scenario.system.chips > (system?.chips ?? 1)
        )
        return prediction
    }
}
