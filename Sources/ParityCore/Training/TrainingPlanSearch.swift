/// A search over training plans: tensor, context, pipeline, data and expert parallelism, pipeline
/// schedule (1F1B, interleaved, DualPipe), micro-batch, ZeRO stage and recomputation, keeping
/// plans that divide the model, the chips and the batch and fit in memory, fastest first.
public struct TrainingPlanSearch: Sendable {
    public var estimator: TrainingEstimator
    /// The most plans evaluated; beyond it an even sample of the candidates is (the budget).
    public var maximumPlans: Int

    /// The default budget: every candidate of any real system fits well inside it.
    public static let defaultMaximumPlans = 50_000

    public init(estimator: TrainingEstimator, maximumPlans: Int = defaultMaximumPlans) {
        self.estimator = estimator
        self.maximumPlans = max(1, maximumPlans)
    }

    /// The candidates within the budget: all of them, or every k-th so that the sample spans them.
    public func budgetedCandidates() -> (plans: [TrainingPlan], all: Int) {
        let all = candidates()
        guard all.count > maximumPlans else { return (all, all.count) }
        let step = (all.count + maximumPlans - 1) / maximumPlans
        return (stride(from: 0, to: all.count, by: step).map { all[$0] }, all.count)
    }

    /// Every legal plan, fitting or not.
    public func candidates() -> [TrainingPlan] {
        let a = estimator.architecture
        let chips = estimator.chips
        let domain = estimator.system?.chips ?? estimator.chip.scaleUp?.maxDomain ?? 1
        let heads = a.tensorParallelHeads
        let experts: Int? = a.layers.compactMap { layer -> Int? in
            if case .mixtureOfExperts(let moe) = layer.feedForward { return moe.experts }
            return nil
        }.first
        let layers = a.layers.count
        // Context parallelism only pays for long sequences; micro-batches beyond one only when the
        // per-rank batch allows them.
        let contextOptions = [1, 2, 4, 8, 16, 32].filter { $0 == 1 || estimator.sequenceLength / $0 >= 4_096 }
        var plans: [TrainingPlan] = []
        for cp in contextOptions where chips % cp == 0 {
            for tp in [1, 2, 4, 8, 16] where tp <= domain && heads % tp == 0 && chips % (tp * cp) == 0 {
                for pp in [1, 2, 4, 8, 16, 32, 64] where chips % (tp * cp * pp) == 0 && layers >= pp {
                    let dp = chips / (tp * cp * pp)
                    guard estimator.globalBatch % dp == 0 else { continue }
                    let perRank = estimator.globalBatch / dp
                    let expertOptions: [Int] =
                        experts.map { e in
                            [1, 8, 16, 32, 64, 128, 256].filter { e % $0 == 0 && (dp * tp * cp) % $0 == 0 }
                        }
                        ?? [1]
                    var schedules: [(Plan.Schedule, Int)] = [(.oneFOneB, 1)]
                    if pp > 1 {
                        if layers % (pp * 2) == 0 { schedules.append((.interleaved, 2)) }
                        if experts != nil && pp % 2 == 0 { schedules.append((.dualpipe, 1)) }
                    }
                    let microBatches = [1, 2].filter { perRank % $0 == 0 }
                    for ep in expertOptions {
                        for (schedule, vpp) in schedules {
                            for microBatch in microBatches {
                                // ZeRO-3 (FSDP) re-gathers parameters every micro-batch, which
                                // pipeline schedules do not support; it is offered without PP.
                                for zero in dp > 1 ? (pp == 1 ? [1, 3] : [1]) : [0] {
                                    for recompute in [Plan.Recompute.none, .selective, .full] {
                                        plans.append(
                                            TrainingPlan(
                                                tp: tp,
                                                pp: pp,
                                                vpp: vpp,
                                                ep: ep,
                                                dp: dp,
                                                cp: cp,
                                                zero: zero,
                                                schedule: schedule,
                                                microBatch: microBatch,
                                                recompute: recompute
                                            )
                                        )
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return plans
    }

    /// Every candidate estimated, over all cores, in candidate order: the estimates, and why the
    /// others could not be estimated.
    /// - Parameter progress: called with (plans done, plans in all) as the work proceeds.
    public func evaluate(progress: (@Sendable (Int, Int) -> Void)? = nil) -> (
        estimates: [TrainingEstimate], candidates: Int, failures: [String: Int]
    ) {
        let plans = budgetedCandidates().plans
        let estimator = self.estimator
        let total = plans.count
        @Sendable func attempt(_ plan: TrainingPlan) -> Result<TrainingEstimate, EstimationError> {
            do {
                return .success(try estimator.estimate(plan: plan))
            } catch {
                return .failure(error)
            }
        }
        var report: (@Sendable (Int) -> Void)?
        if let progress { report = { done in progress(done, total) } }
        let outcomes = plans.parallelMap(progress: report, attempt)
        var estimates: [TrainingEstimate] = []
        var failures: [String: Int] = [:]
        for outcome in outcomes {
            switch outcome {
            case .success(let estimate): estimates.append(estimate)
            case .failure(let error): failures[error.message, default: 0] += 1
            }
        }
        return (estimates, plans.count, failures)
    }

    /// Says why no plan is left: no legal layout, estimation refused (the commonest reason), or
    /// memory (how close the leanest plan came).
    public func noPlanReason(estimates: [TrainingEstimate], candidates: Int, failures: [String: Int]) -> String {
        let head = "No legal plan fits \(estimator.architecture.name) on \(estimator.chips) x \(estimator.chip.name)"
        if candidates == 0 {
            return head
                + ": no layout of TP, PP and DP divides the chips, the attention heads and the global batch of \(estimator.globalBatch)."
        }
        var parts = ["\(candidates) plans considered"]
        if let leanest = estimates.min(by: { $0.memoryPerChip < $1.memoryPerChip }) {
            let capacity = leanest.memoryCapacity.map { formatNumber($0.value / 1_073_741_824, decimals: 1) } ?? "?"
            parts.append(
                "\(estimates.count) estimated, none within memory (leanest: \(formatNumber(leanest.memoryPerChip.value / 1_073_741_824, decimals: 1)) GiB per chip of \(capacity) GiB)"
            )
        }
        if let (reason, _) = failures.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }) {
            parts.append("\(failures.values.reduce(0, +)) could not be estimated, most often because: \(reason)")
        }
        return head + ": " + parts.joined(separator: "; ") + (parts.last?.hasSuffix(".") == true ? "" : ".")
    }

    /// The fastest plan that fits.
    /// - Throws: `EstimationError` saying why when no legal plan fits.
    public func best() throws(EstimationError) -> TrainingEstimate {
        let (estimates, count, failures) = evaluate()
        let fitting = estimates.filter(\.fits)
        guard
            let best = fitting.min(by: {
                ($0.stepTime.value, $0.plan.zero, $0.memoryPerChip.value)
                    < ($1.stepTime.value, $1.plan.zero, $1.memoryPerChip.value)
            })
        else {
            throw EstimationError(noPlanReason(estimates: estimates, candidates: count, failures: failures))
        }
        return best
    }
}
