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

    public init(
        architecture: ModelArchitecture,
        chip: Chip,
        system: System?,
        stack: SoftwareStack,
        chips: Int,
        base: ServingDeployment,
        inputTokens: Int,
        outputTokens: Int,
        usableMemoryFraction: Double
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
    }

    /// One evaluated plan.
    public struct Point: Hashable, Sendable {
        public var attentionTP: Int
        public var attentionDP: Int
        public var expertParallel: Int
        /// Sequences per attention-DP group.
        public var batch: Int
        public var tpot: Seconds
        public var ttft: Seconds
        /// Output tokens per second per chip.
        public var throughputPerChip: Double
        /// Output tokens per second each user sees: `1 / TPOT`.
        public var throughputPerUser: Double
    }

    /// Every legal plan that fits, evaluated at batches 1, 2, 4, … up to the memory limit.
    public func evaluate() -> [Point] {
        let ranks = chips * base.ranksPerChip
        let isMoE = architecture.mixtureOfExpertsLayerCount > 0
        let domainRanks = (system?.chips ?? chip.scaleUp?.maxDomain ?? 1) * base.ranksPerChip
        let heads: Int =
            architecture.layers.compactMap { layer -> Int? in
                switch layer.attention {
                case .standard(let s): s.queryHeads
                case .latent(let l): l.heads
                case .compressed(let c): c.heads
                default: nil
                }
            }.first ?? 1
        let context = inputTokens + outputTokens / 2
        let promptShare = Double(inputTokens) / Double(outputTokens)
        var points: [Point] = []
        for tp in [1, 2, 4, 8, 16, 32, 64] where tp <= min(ranks, domainRanks) && ranks % tp == 0 && heads % tp == 0 {
            let dp = ranks / tp
            for ep in isMoE ? [1, ranks] : [1] {
                var deployment = base
                deployment.ranks = ranks
                deployment.attentionDP = dp
                deployment.moeEP = ep
                deployment.moeTP = ranks / ep
                let estimator = ServingEstimator(
                    architecture: architecture,
                    chip: chip,
                    system: system,
                    stack: stack,
                    deployment: deployment
                )
                guard let capacity = chip.memory.capacity else { continue }
                let free =
                    capacity.value / Double(base.ranksPerChip) * usableMemoryFraction
                    - estimator.weightBytesPerRank.value
                let perSequence = estimator.cacheBytesPerSequence(context: context).value
                guard free > perSequence, perSequence > 0 else { continue }
                let limit = Int(free / perSequence)
                guard let ttft = try? estimator.prefill(tokens: inputTokens, sequenceLength: inputTokens).total else {
                    continue
                }
                var batch = 1
                while batch <= limit {
                    let prompt = max(1, Int((Double(batch) * promptShare).rounded()))
                    if let step = try? estimator.mixedStep(
                        batch: batch,
                        context: context,
                        promptTokens: prompt,
                        promptLength: inputTokens
                    ).total {
                        let tpot = step / deployment.tokensPerStep
                        points.append(
                            Point(
                                attentionTP: tp,
                                attentionDP: dp,
                                expertParallel: ep,
                                batch: batch,
                                tpot: tpot,
                                ttft: ttft,
                                throughputPerChip: Double(batch * dp) / Double(chips) / tpot.value,
                                throughputPerUser: 1 / tpot.value
                            )
                        )
                    }
                    batch *= 2
                }
            }
        }
        return points
    }

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
}
