/// One serving instance as it runs: how its ranks split attention and experts, what precision its
/// weights and cache hold, and how many sequences each rank decodes at once.
public struct ServingDeployment: Hashable, Sendable {
    /// Ranks in the instance (GPUs, or dies where a package holds several ranks).
    public var ranks: Int
    /// Attention data-parallel groups; attention and dense layers are sharded `ranks / attentionDP` ways.
    public var attentionDP: Int
    /// Expert parallelism and expert tensor parallelism: `moeEP × moeTP = ranks`.
    public var moeEP: Int
    public var moeTP: Int
    /// Redundant expert replicas across the instance (EPLB), which add weights but not work.
    public var redundantExperts: Int
    /// Precision of the dense (non-expert) weights and GEMMs.
    public var densePrecision: Precision
    /// Precision of the routed experts' weights and GEMMs.
    public var expertPrecision: Precision
    /// Whether weights are dequantised to BF16 for the GEMM (weight-only quantisation).
    public var weightOnly: Bool
    /// Bytes per cached element of the KV cache.
    public var kvBytesPerElement: Double
    /// Whether the step splits into two micro-batches whose communication overlaps the other's computation.
    public var twoBatchOverlap: Bool
    /// Draft tokens verified per step (MTP) and the probability each is accepted.
    public var draftTokens: Int
    public var acceptance: Double
    /// Ranks each chip runs (Ascend 910C: 2, one per die); peaks, bandwidth and links split among them.
    public var ranksPerChip: Int
    /// Routed tokens on the busiest expert-parallel rank over the mean (1 when balanced): that rank's
    /// expert work and all-to-all traffic set the pace of the step.
    public var expertImbalance: Double
    /// Attention-DP groups that share one prompt in prefill (context parallelism): each holds a slice
    /// of its tokens, and every layer all-gathers the slices' cache entries. 1 when groups prefill
    /// prompts of their own.
    public var contextParallel: Int = 1

    public init(
        ranks: Int,
        attentionDP: Int = 1,
        moeEP: Int = 1,
        moeTP: Int? = nil,
        redundantExperts: Int = 0,
        densePrecision: Precision = .bf16,
        expertPrecision: Precision? = nil,
        weightOnly: Bool = false,
        kvBytesPerElement: Double = 2,
        twoBatchOverlap: Bool = false,
        draftTokens: Int = 0,
        acceptance: Double = 0,
        ranksPerChip: Int = 1,
        expertImbalance: Double = 1
    ) {
        precondition(ranks >= 1 && attentionDP >= 1 && moeEP >= 1, "A deployment has at least one rank in each group.")
        self.ranks = ranks
        self.attentionDP = attentionDP
        self.moeEP = moeEP
        self.moeTP = moeTP ?? max(1, ranks / moeEP)
        self.redundantExperts = redundantExperts
        self.densePrecision = densePrecision
        self.expertPrecision = expertPrecision ?? densePrecision
        self.weightOnly = weightOnly
        self.kvBytesPerElement = kvBytesPerElement
        self.twoBatchOverlap = twoBatchOverlap
        self.draftTokens = draftTokens
        self.acceptance = acceptance
        self.ranksPerChip = max(1, ranksPerChip)
        self.expertImbalance = max(1, expertImbalance)
    }

    /// Tensor parallelism of attention and dense layers.
    public var attentionTP: Int { max(1, ranks / attentionDP) }

    /// Tokens a decode step yields per sequence, the mean accepted length: `1 + tokens x acceptance`,
    /// where acceptance is the share of draft tokens accepted, `(accepted length - 1) / tokens`, as
    /// engines report it and scenarios state it.
    public var tokensPerStep: Double { 1 + Double(draftTokens) * acceptance }
}
