public import ParityCore

/// Plan searches for a scenario's workload, on its chip and system.
extension ScenarioFile {
    /// Every aggregated serving plan that fits, its Pareto front and the best under the objectives.
    public func servingSearch(catalog: Catalog) throws -> (
        points: [ServingPlanSearch.Point], front: [ServingPlanSearch.Point], best: ServingPlanSearch.Point?,
        notes: [String]
    ) {
        guard case .serving(let stated) = scenario.workload else {
            throw EstimationError("\(scenario.id): not a serving workload.")
        }
        let (lengths, _, lengthNotes) = completedLengths(stated)
        let (serving, _, draftNotes) = completedSpeculation(lengths)
        let assumed = lengthNotes + draftNotes + [unexpressedNote].compactMap { $0 }
        guard let input = serving.inputTokens, let output = serving.outputTokens else {
            throw EstimationError("\(scenario.id): a serving search needs input_tokens and output_tokens.")
        }
        var notes = assumed
        let (stack, stackNote) = try catalog.stack(for: chip, software: scenario.system.software)
        if let stackNote { notes.append(stackNote) }
        guard let usable = stack.value(.usableMemoryFraction) else {
            throw EstimationError("Stack '\(stack.name)' has no evidence for usable_memory_fraction.")
        }
        // The base deployment carries precisions, drafts and balance; each layout replaces its split.
        var chipsOnly = Plan.Pool()
        chipsOnly.chips = scenario.system.chips
        chipsOnly.tp = 1
        chipsOnly.ep = scenario.system.chips * chip.ranksPerChip
        let base = try pool(chipsOnly, serving: serving, stack: stack, role: "serving", notes: &notes)
        var search = ServingPlanSearch(
            architecture: architecture,
            chip: chip,
            system: system,
            stack: stack,
            chips: scenario.system.chips,
            base: base.deployment,
            inputTokens: input,
            outputTokens: output,
            usableMemoryFraction: usable,
            tpotObjective: serving.tpotSLOMilliseconds.map { Seconds.milli($0) }
        )
        // The balancer as a plan-less prediction takes it: on, where the stack measured it.
        if stack.value(.expertImbalanceBalanced) != nil {
            search.expertImbalance = { ep in stack.expertImbalance(balanced: true, ep: ep)?.value ?? 1 }
        }
        // A workload that says whether prefill and decode share chips is searched only that way.
        let aggregated = serving.disaggregated == true ? [] : search.evaluate()
        let disaggregated =
            serving.disaggregated == false
            ? []
            : search.evaluateDisaggregated(ttftObjective: serving.ttftSLOMilliseconds.map { Seconds.milli($0) })
        let points = aggregated + disaggregated
        guard !points.isEmpty else {
            throw EstimationError(search.noPlanReason())
        }
        let best = ServingPlanSearch.best(
            points,
            tpot: serving.tpotSLOMilliseconds.map { Seconds.milli($0) },
            ttft: serving.ttftSLOMilliseconds.map { Seconds.milli($0) }
        )
        notes.append(
            "\(aggregated.count) aggregated plans and \(disaggregated.count) disaggregated ones (prefill and decode pools split by whole scale-up domains, or by eighths of one)."
        )
        notes.append("TTFT is one pass of the prefill batch, without queueing behind other requests.")
        return (points, ServingPlanSearch.paretoFront(points), best, notes)
    }

    /// Every legal training plan, evaluated; the fastest that fits first.
    /// - Parameter progress: called with (plans done, plans in all), from worker threads.
    public func trainingSearch(
        catalog: Catalog,
        maximumPlans: Int = TrainingPlanSearch.defaultMaximumPlans,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> (
        ranked: [TrainingEstimate], evaluated: Int, notes: [String]
    ) {
        guard case .training(let workload) = scenario.workload else {
            throw EstimationError("\(scenario.id): not a training workload.")
        }
        guard let sequenceLength = workload.sequenceLength else {
            throw EstimationError("\(scenario.id): workload.sequence_length is needed to search training plans.")
        }
        guard let globalBatch = workload.resolvedGlobalBatch else {
            throw EstimationError("\(scenario.id): workload.global_batch is needed to search training plans.")
        }
        var notes: [String] = [unexpressedNote].compactMap { $0 }
        let (stack, stackNote) = try catalog.stack(for: chip, software: scenario.system.software)
        if let stackNote { notes.append(stackNote) }
        if workload.precision == nil { notes.append("workload.precision not stated: bf16 assumed.") }
        let estimator = TrainingEstimator(
            architecture: architecture,
            chip: chip,
            system: system,
            stack: stack,
            chips: scenario.system.chips,
            sequenceLength: sequenceLength,
            globalBatch: globalBatch,
            precision: workload.precision ?? .bf16,
            tokens: workload.tokens,
            conventions: .init()
        )
        let search = TrainingPlanSearch(estimator: estimator, maximumPlans: maximumPlans)
        let (estimates, candidates, failures) = search.evaluate(progress: progress)
        let all = search.budgetedCandidates().all
        if all > candidates {
            notes.append(
                "\(all) legal plans, more than the budget of \(maximumPlans) (--max-plans): an even sample of \(candidates) was weighed, so a better plan may lie between them."
            )
        }
        // Fastest first; ties go to the lower ZeRO stage (ZeRO-3's gathers hide behind computation
        // whenever they can, so on time alone it can only tie), then the leaner plan, then candidate
        // order, so output is stable.
        let ranked = estimates.enumerated().filter { $0.element.fits }
            .sorted {
                ($0.element.stepTime.value, $0.element.plan.zero, $0.element.memoryPerChip.value, $0.offset)
                    < ($1.element.stepTime.value, $1.element.plan.zero, $1.element.memoryPerChip.value, $1.offset)
            }
            .map(\.element)
        guard !ranked.isEmpty else {
            throw EstimationError(search.noPlanReason(estimates: estimates, candidates: candidates, failures: failures))
        }
        return (ranked, estimates.count, notes)
    }
}
