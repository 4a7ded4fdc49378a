import ParityCore

/// How far a low-confidence catalog input is taken to stray either way when it widens a band: a
/// stated prior, not a measurement (docs/defaults.md).
enum BandPriors {
    /// A stack parameter (efficiency, fixed time) whose evidence is of low confidence.
    static let lowConfidenceStackParameter = 0.25
    /// A stack parameter of medium confidence (one vendor measurement, or derived from one): about
    /// the spread of a kernel's efficiency over the shapes of one benchmark.
    static let mediumConfidenceStackParameter = 0.10

    static func stackParameter(_ confidence: Confidence) -> Double? {
        switch confidence {
        case .low: lowConfidenceStackParameter
        case .medium: mediumConfidenceStackParameter
        default: nil
        }
    }
    /// A chip's compute, memory bandwidth or link bandwidth whose source is of low confidence.
    static let lowConfidenceSpec = 0.15
    /// A model feature `model_spec.not_expressible` lists, counted as costing nothing: each widens
    /// every metric's band by this fraction, in quadrature with the others.
    static let unexpressedFeature = 0.15
}

extension ScenarioFile {
    /// The metrics' bands: the scenario predicted again on the plan the point estimate chose, once
    /// with each ranged assumption at its low and its high value and once with each low-confidence
    /// input moved either way by its prior; the shifts from the point estimate add in quadrature,
    /// each side apart. The point estimate always lies inside.
    func bands(around point: ScenarioPrediction, catalog: Catalog) -> [Metric: (low: Double, high: Double)] {
        let pinned = pinningPlan(of: point)
        var variants: [(file: ScenarioFile, catalog: Catalog)] = []
        for assumption in point.assumptions {
            for value in [assumption.low, assumption.high].compactMap({ $0 }) {
                if let variant = pinned.stating(assumption.key, value) { variants.append((variant, catalog)) }
            }
        }
        variants += pinned.lowConfidenceVariants(catalog: catalog)
        var down: [Metric: Double] = [:]
        var up: [Metric: Double] = [:]
        for (file, variantCatalog) in variants {
            guard let metrics = try? file.predictWithoutBands(catalog: variantCatalog).metrics else { continue }
            for (metric, base) in point.metrics {
                guard let shifted = metrics[metric], shifted.isFinite else { continue }
                let shift = shifted - base
                if shift < 0 {
                    down[metric, default: 0] += shift * shift
                } else {
                    up[metric, default: 0] += shift * shift
                }
            }
        }
        var bands: [Metric: (low: Double, high: Double)] = [:]
        for (metric, base) in point.metrics {
            bands[metric] = (base - (down[metric] ?? 0).squareRoot(), base + (up[metric] ?? 0).squareRoot())
        }
        return bands
    }

    /// The scenario with an assumed value stated; nil for a key that cannot be stated so.
    func stating(_ key: String, _ value: Double) -> ScenarioFile? {
        guard case .serving(var serving) = scenario.workload else { return nil }
        switch key {
        case "workload.speculative.acceptance":
            guard var speculative = serving.speculative else { return nil }
            speculative.acceptance = value
            serving.speculative = speculative
        case "plan.eplb":
            // Low is perfect balance, high the measured imbalance without a balancer.
            var variant = self
            let balancing: Plan.ExpertBalancing = value <= 1 ? .perfect : .disabled
            for role in PoolRole.allCases where variant.scenario.plan[role]?.expertBalancing == nil {
                variant.scenario.plan[role]?.expertBalancing = balancing
            }
            return variant
        case "workload.input_tokens":
            serving.inputTokens = Int(value)
            // The other length stays at its default when it was assumed too.
            if serving.outputTokens == nil { serving.outputTokens = Self.defaultOutputTokens }
        case "workload.output_tokens":
            serving.outputTokens = Int(value)
            if serving.inputTokens == nil { serving.inputTokens = Self.defaultInputTokens }
        default: return nil
        }
        var variant = self
        variant.scenario.workload = .serving(serving)
        return variant
    }

    /// The scenario with the plan the prediction ran on stated in full, so that a band moves the
    /// inputs and not the plan.
    func pinningPlan(of point: ScenarioPrediction) -> ScenarioFile {
        var pinned = self
        if let plan = point.servingPlan, case .serving(var serving) = scenario.workload {
            pinned.scenario.plan = plan
            serving.disaggregated = plan.serving == nil
            pinned.scenario.workload = .serving(serving)
        }
        if let p = point.training?.plan {
            var t = Plan.Training()
            (t.tp, t.pp, t.vpp, t.ep, t.dp, t.cp) = (p.tp, p.pp, p.vpp, p.ep, p.dp, p.cp)
            (t.sequenceParallel, t.zero, t.schedule) = (p.sequenceParallel, p.zero, p.schedule)
            (t.microBatch, t.recompute) = (p.microBatch, p.recompute)
            pinned.scenario.plan.training = t
        }
        return pinned
    }

    /// The scenario, or the catalog, with one uncertain input moved down and then up by its prior:
    /// the stack's low- and medium-confidence efficiencies and fixed times, and the chip's
    /// low-confidence compute and memory bandwidth.
    func lowConfidenceVariants(catalog: Catalog) -> [(file: ScenarioFile, catalog: Catalog)] {
        var variants: [(ScenarioFile, Catalog)] = []
        let training: Bool
        if case .training = scenario.workload { training = true } else { training = false }
        if let stack = try? catalog.stack(for: chip, software: scenario.system.software).stack {
            for (parameter, evidence) in stack.parameters.sorted(by: { $0.key < $1.key })
            where !parameter.isCount && !parameter.isRatio && !parameter.describesExpertImbalance
                && (training ? parameter.usedInTraining : parameter.usedInServing)
            {
                guard let prior = BandPriors.stackParameter(evidence.provenance.confidence) else { continue }
                for sign in [-1.0, 1.0] {
                    var moved = stack
                    var value = evidence.value * (1 + sign * prior)
                    // An efficiency is a fraction of a peak; it cannot pass the peak.
                    if evidence.value <= 1 && !parameter.isDuration { value = min(value, 1) }
                    moved.parameters[parameter]?.value = value
                    variants.append((self, catalog.replacing(moved)))
                }
            }
        }
        let r = BandPriors.lowConfidenceSpec
        for (confidence, scale) in [
            (
                chip.compute.provenance.confidence,
                { (c: inout Chip, f: Double) in
                    c.compute.dense = c.compute.dense.mapValues { $0 * f }
                }
            ),
            (
                chip.memory.provenance.confidence,
                { (c: inout Chip, f: Double) in
                    c.memory.bandwidth = c.memory.bandwidth.map { $0 * f }
                }
            ),
        ] as [(Confidence, (inout Chip, Double) -> Void)] where confidence == .low {
            for factor in [1 - r, 1 + r] {
                var file = self
                scale(&file.chip, factor)
                variants.append((file, catalog))
            }
        }
        return variants
    }
}

extension Catalog {
    /// The catalog with `stack` in place of the stack of the same name; a stack transferred to a chip
    /// that has none of its own is added, so that the chip takes it.
    func replacing(_ stack: SoftwareStack) -> Catalog {
        var copy = self
        if let index = copy.stacks.firstIndex(where: { $0.name == stack.name }) {
            copy.stacks[index] = stack
        } else {
            copy.stacks.append(stack)
        }
        return copy
    }
}
