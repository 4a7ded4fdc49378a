/// A search over aggregated serving plans: how an instance splits attention (tensor and data
/// parallelism) and experts (expert or tensor parallelism), and how many sequences each
/// attention-DP group decodes at once. Plans whose cache does not fit are rejected; the rest form
/// a Pareto front of throughput per chip against speed per user.
public struct ServingPlanSearch: Sendable {
    public var architecture: ModelArchitecture
    public var chip: Chip
    public var system: System?
    public var stack: SoftwareStack
    public var chips: Int
    public var base: ServingDeployment
    public var inputTokens: Int
    public var outputTokens: Int
    public var usableMemoryFraction: Double
    /// The TPOT objective, when there is one: each layout then also offers the largest batch that
    /// meets it, found by bisection between the powers of two.
    public var tpotObjective: Seconds?
    /// The busiest expert rank's load over the mean at an expert-parallel degree (1 when balanced).
    public var expertImbalance: @Sendable (Int) -> Double = { _ in 1 }

    public init(
        architecture: ModelArchitecture,
        chip: Chip,
        system: System?,
        stack: SoftwareStack,
        chips: Int,
        base: ServingDeployment,
        inputTokens: Int,
        outputTokens: Int,
        usableMemoryFraction: Double,
        tpotObjective: Seconds? = nil
    ) {
        self.architecture = architecture
        self.chip = chip
        self.system = system
        self.stack = stack
        self.chips = chips
        self.base = base
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.usableMemoryFraction = usableMemoryFraction
        self.tpotObjective = tpotObjective
    }

    /// One evaluated plan.
    public struct Point: Hashable, Sendable {
        /// The layout of the decoding instance (the only instance when aggregated).
        public var attentionTP: Int
        public var attentionDP: Int
        public var expertParallel: Int
        /// Sequences per attention-DP group.
        public var batch: Int
        public var tpot: Seconds
        public var ttft: Seconds
        /// Output tokens per second per chip, over all chips (both pools when disaggregated).
        public var throughputPerChip: Double
        /// Output tokens per second each user sees: `1 / TPOT`.
        public var throughputPerUser: Double
        /// The prefill pool when disaggregated; nil for aggregated serving.
        public var prefill: PrefillPool? = nil

        /// A prefill pool: its chips, layout and prompts per attention-DP group per pass.
        public struct PrefillPool: Hashable, Sendable {
            public var chips: Int
            public var attentionTP: Int
            public var attentionDP: Int
            public var expertParallel: Int
            public var promptsPerGroup: Int
        }

        public var isDisaggregated: Bool { prefill != nil }
        /// Chips in the decode pool when disaggregated; nil when aggregated (all chips decode).
        public var decodeChips: Int?
    }

    /// Every legal plan that fits, evaluated at batches 1, 2, 4, … up to the memory limit; layouts
    /// are evaluated in parallel, and the points come back in layout order.
    public func evaluate() -> [Point] {
        let context = inputTokens + outputTokens / 2
        let promptShare = Double(inputTokens) / Double(outputTokens)
        let search = self
        return layouts(chips: chips).parallelMap { deployment -> [Point] in
            let estimator = search.estimator(deployment)
            guard let limit = search.cacheLimit(estimator, context: context),
                let ttft = try? estimator.prefill(tokens: search.inputTokens, sequenceLength: search.inputTokens).total
            else { return [] }
            func point(_ batch: Int) -> Point? {
                let prompt = max(1, Int((Double(batch) * promptShare * deployment.tokensPerStep).rounded()))
                guard
                    let step = try? estimator.mixedStep(
                        batch: batch,
                        context: context,
                        promptTokens: prompt,
                        promptLength: search.inputTokens
                    ).total
                else { return nil }
                let tpot = step / deployment.tokensPerStep
                return Point(
                    attentionTP: deployment.attentionTP,
                    attentionDP: deployment.attentionDP,
                    expertParallel: deployment.moeEP,
                    batch: batch,
                    tpot: tpot,
                    ttft: ttft,
                    throughputPerChip: Double(batch * deployment.attentionDP) / Double(search.chips) / tpot.value,
                    throughputPerUser: 1 / tpot.value
                )
            }
            return search.batches(limit: limit, evaluate: point, tpot: { $0.tpot })
        }.flatMap { $0 }
    }

    /// The instance layouts for `ranks` ranks: attention tensor parallelism within the scale-up
    /// domain, the rest attention data parallelism; experts over all ranks or tensor-parallel.
    func layouts(chips: Int) -> [ServingDeployment] {
        let ranks = chips * base.ranksPerChip
        let isMoE = architecture.mixtureOfExpertsLayerCount > 0
        let domainRanks = (system?.chips ?? chip.scaleUp?.maxDomain ?? 1) * base.ranksPerChip
        let heads = architecture.tensorParallelHeads
        var result: [ServingDeployment] = []
        for tp in [1, 2, 4, 8, 16, 32, 64] where tp <= min(ranks, domainRanks) && ranks % tp == 0 && heads % tp == 0 {
            for ep in isMoE ? [1, ranks] : [1] {
                var deployment = base
                deployment.ranks = ranks
                deployment.attentionDP = ranks / tp
                deployment.moeEP = ep
                deployment.moeTP = ranks / ep
                deployment.expertImbalance = ep > 1 ? expertImbalance(ep) : 1
                result.append(deployment)
            }
        }
        return result
    }

    func estimator(_ deployment: ServingDeployment) -> ServingEstimator {
        ServingEstimator(architecture: architecture, chip: chip, system: system, stack: stack, deployment: deployment)
    }

    /// How many sequences of `context` tokens fit beside the weights on each rank; nil when none.
    func cacheLimit(_ estimator: ServingEstimator, context: Int) -> Int? {
        guard let capacity = chip.memory.capacity else { return nil }
        let free =
            capacity.value / Double(base.ranksPerChip) * usableMemoryFraction - estimator.weightBytesPerRank.value
        let perSequence = estimator.cacheBytesPerSequence(context: context).value
        guard free > perSequence, perSequence > 0 else { return nil }
        return Int(free / perSequence)
    }

    /// Disaggregated plans: the chips split into a prefill pool and a decode pool, each with its own
    /// layout. Splits step by `granularity` chips (a scale-up domain, or an eighth of the chips when
    /// they fit in one). Each decode plan is paired with the prefill plan that feeds the most prompts per
    /// second within the TTFT objective; output is the lesser of what the decode pool generates and
    /// what the prefill pool admits (prompts per second x output length).
    public func evaluateDisaggregated(ttftObjective: Seconds? = nil) -> [Point] {
        // Whole scale-up domains when the chips span several; inside one domain (a rack of 72, a
        // supernode) the pools split at an eighth of the chips, so each pool keeps the domain's links.
        let domain = system?.chips ?? chip.scaleUp?.maxDomain ?? 1
        var granularity = chips > domain ? domain : max(1, chips / 8)
        // At most `maximumSplits` split points, whatever the chip count: a budget on the search.
        let steps = (chips + granularity - 1) / granularity
        if steps > Self.maximumSplits {
            granularity *= (steps + Self.maximumSplits - 1) / Self.maximumSplits
        }
        guard granularity >= 1, chips >= 2 * granularity else { return [] }
        let context = inputTokens + outputTokens / 2
        var prefillByChips: [Int: (pool: Point.PrefillPool, promptsPerSecond: Double, ttft: Seconds)] = [:]
        var decodeByChips: [Int: [(deployment: ServingDeployment, batch: Int, tpot: Seconds)]] = [:]
        var points: [Point] = []
        for prefillChips in stride(from: granularity, to: chips, by: granularity) {
            let decodeChips = chips - prefillChips
            if prefillByChips[prefillChips] == nil {
                // Every (layout, prompts per pass) that fits and meets the TTFT objective; then the
                // shortest pass within 2% of the best admission rate, so TTFT is not traded for a
                // marginal gain in prompts per second.
                var options: [(pool: Point.PrefillPool, promptsPerSecond: Double, ttft: Seconds)] = []
                for deployment in layouts(chips: prefillChips) {
                    let e = estimator(deployment)
                    guard let limit = cacheLimit(e, context: inputTokens) else { continue }
                    for prompts in [1, 2, 4, 8, 16] where prompts <= limit {
                        guard
                            let time = try? e.prefill(tokens: prompts * inputTokens, sequenceLength: inputTokens)
                                .total,
                            time.value > 0
                        else { continue }
                        if let ttftObjective, time > ttftObjective { break }
                        options.append(
                            (
                                Point.PrefillPool(
                                    chips: prefillChips,
                                    attentionTP: deployment.attentionTP,
                                    attentionDP: deployment.attentionDP,
                                    expertParallel: deployment.moeEP,
                                    promptsPerGroup: prompts
                                ),
                                Double(prompts * deployment.attentionDP) / time.value, time
                            )
                        )
                    }
                }
                if let top = options.map(\.promptsPerSecond).max() {
                    prefillByChips[prefillChips] =
                        options.filter { $0.promptsPerSecond >= top * 0.98 }.min { $0.ttft < $1.ttft }
                }
            }
            guard let prefill = prefillByChips[prefillChips] else { continue }
            if decodeByChips[decodeChips] == nil {
                var plans: [(ServingDeployment, Int, Seconds)] = []
                for deployment in layouts(chips: decodeChips) {
                    let e = estimator(deployment)
                    guard let limit = cacheLimit(e, context: context) else { continue }
                    plans += batches(
                        limit: limit,
                        evaluate: { batch -> (ServingDeployment, Int, Seconds)? in
                            (try? e.decodeStep(batch: batch, context: context).total).map {
                                (deployment, batch, $0 / deployment.tokensPerStep)
                            }
                        },
                        tpot: { $0.2 }
                    )
                }
                decodeByChips[decodeChips] = plans
            }
            for plan in decodeByChips[decodeChips] ?? [] {
                let generated = Double(plan.batch * plan.deployment.attentionDP) / plan.tpot.value
                let admitted = prefill.promptsPerSecond * Double(outputTokens)
                points.append(
                    Point(
                        attentionTP: plan.deployment.attentionTP,
                        attentionDP: plan.deployment.attentionDP,
                        expertParallel: plan.deployment.moeEP,
                        batch: plan.batch,
                        tpot: plan.tpot,
                        ttft: prefill.ttft,
                        throughputPerChip: min(generated, admitted) / Double(chips),
                        throughputPerUser: 1 / plan.tpot.value,
                        prefill: prefill.pool,
                        decodeChips: decodeChips
                    )
                )
            }
        }
        return points
    }

    /// A layout's points at batches 1, 2, 4, … up to `limit`, and at `limit` itself; with a TPOT
    /// objective, also the largest batch between two powers of two that still meets it, so the
    /// best plan is not rounded down to a power of two.
    func batches<T>(limit: Int, evaluate: (Int) -> T?, tpot: (T) -> Seconds) -> [T] {
        var points: [T] = []
        var batch = 1
        var lastMeeting: Int?
        var firstMissing: Int?
        while batch <= limit {
            if let p = evaluate(batch) {
                points.append(p)
                if let objective = tpotObjective {
                    if tpot(p) <= objective { lastMeeting = batch } else if firstMissing == nil { firstMissing = batch }
                }
            }
            batch *= 2
        }
        // The largest batch that fits, which is where throughput peaks without an objective.
        if limit & (limit - 1) != 0, let p = evaluate(limit) {
            points.append(p)
            if let objective = tpotObjective, tpot(p) <= objective { lastMeeting = limit }
        }
        guard let objective = tpotObjective, var low = lastMeeting else { return points }
        var high = min(firstMissing ?? limit + 1, limit + 1) - 1
        var best: T?
        while low < high {
            let mid = (low + high + 1) / 2
            if let p = evaluate(mid), tpot(p) <= objective {
                low = mid
                best = p
            } else {
                high = mid - 1
            }
        }
        if let best, low != lastMeeting { points.append(best) }
        return points
    }

    /// The most prefill/decode splits a disaggregated search weighs; beyond it, splits coarsen.
    public static let maximumSplits = 64

    /// The plans no other plan beats on both throughput per chip and throughput per user, fastest
    /// per user first.
    public static func paretoFront(_ points: [Point]) -> [Point] {
        let sorted = points.sorted {
            $0.throughputPerUser != $1.throughputPerUser
                ? $0.throughputPerUser > $1.throughputPerUser : $0.throughputPerChip > $1.throughputPerChip
        }
        var front: [Point] = []
        var best = -Double.infinity
        for point in sorted where point.throughputPerChip > best {
            front.append(point)
            best = point.throughputPerChip
        }
        return front
    }

    /// The plan with the most throughput per chip that meets the objectives.
    public static func best(_ points: [Point], tpot: Seconds?, ttft: Seconds?) -> Point? {
        points.filter { p in (tpot.map { p.tpot <= $0 } ?? true) && (ttft.map { p.ttft <= $0 } ?? true) }
            .max { $0.throughputPerChip < $1.throughputPerChip }
    }

    /// When no plan meets the objectives: the one that misses them by the smallest factor (the
    /// larger of TPOT over its objective and TTFT over its), the higher throughput on a tie.
    public static func closest(_ points: [Point], tpot: Seconds?, ttft: Seconds?) -> Point? {
        func miss(_ p: Point) -> Double {
            max(tpot.map { p.tpot.value / $0.value } ?? 0, ttft.map { p.ttft.value / $0.value } ?? 0)
        }
        return points.min {
            (miss($0), -$0.throughputPerChip) < (miss($1), -$1.throughputPerChip)
        }
    }
}

extension ServingPlanSearch {
    /// Says why no serving plan is left: the weights and one sequence's cache against the memory
    /// each rank has (for the leanest layout), or the commonest reason the estimator refused.
    public func noPlanReason() -> String {
        let head =
            "No plan fits \(architecture.name) on \(chips) x \(chip.name), aggregated or split into prefill and decode pools"
        let candidates = layouts(chips: chips)
        guard !candidates.isEmpty else {
            return head + ": no attention tensor-parallel degree divides the ranks and the model's heads."
        }
        var failures: [String: Int] = [:]
        var leanest: (need: Double, have: Double)?
        let context = inputTokens + outputTokens / 2
        for deployment in candidates {
            let estimator = estimator(deployment)
            do {
                _ = try estimator.decodeStep(batch: 1, context: context)
            } catch {
                failures[error.message, default: 0] += 1
                continue
            }
            guard let capacity = chip.memory.capacity else {
                failures["\(chip.name) has no memory capacity in the catalog.", default: 0] += 1
                continue
            }
            let have = capacity.value / Double(base.ranksPerChip) * usableMemoryFraction
            let need =
                estimator.weightBytesPerRank.value + estimator.cacheBytesPerSequence(context: context).value
            if leanest.map({ need - have < $0.need - $0.have }) ?? true { leanest = (need, have) }
        }
        var parts: [String] = []
        if let leanest, leanest.need > leanest.have {
            let gib = { (bytes: Double) in formatNumber(bytes / 1_073_741_824, decimals: 1) }
            parts.append(
                "the model cannot be held: its leanest layout needs \(gib(leanest.need)) GiB per rank for the weights and one sequence's cache, and a rank has \(gib(leanest.have)) GiB usable (\(formatNumber(usableMemoryFraction * 100, decimals: 0))% of its memory); more chips, or a smaller weight format, would hold it"
            )
        }
        if let (reason, count) = failures.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) })
        {
            parts.append(
                "\(count) of \(candidates.count) layouts could not be estimated, most often because: \(reason)"
            )
        }
        guard !parts.isEmpty else { return head + "." }
        let text = head + ": " + parts.joined(separator: "; ")
        return text.hasSuffix(".") ? text : text + "."
    }
}
