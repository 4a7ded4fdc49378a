/// What a source measured, and how it defines its numbers (SCHEMA.md `expected`).
public struct Expected: Hashable, Sendable {
    public var source: String?
    /// Metric name → published value.
    public var metrics: [Metric: Double]
    /// Published numbers no metric name covers: name → (value, unit).
    public var otherMetrics: [String: OtherMetric]
    public var lowerBounds: [Metric]
    /// The peak MFU divides by; nil when the source is silent (`unstated`).
    public var mfuPrecision: Precision?
    public var attentionFLOPs: AttentionFLOPs?
    public var flopsIncludeRecompute: Bool?
    public var throughputCounts: ThroughputCounts?
    public var latencyStatistic: LatencyStatistic?
    /// The concurrency levels a capacity sweep tried: the source's `max_concurrency` is the largest
    /// level that ran, so a prediction is compared at the largest level it reaches.
    public var maxConcurrencyLevels: [Int] = []
    public var notes: String?
    public var tolerance: Double?

    public init() {
        metrics = [:]
        otherMetrics = [:]
        lowerBounds = []
    }

    public struct OtherMetric: Hashable, Sendable {
        public var value: Double
        public var unit: String?
        public init(value: Double, unit: String?) {
            self.value = value
            self.unit = unit
        }
    }

    public enum AttentionFLOPs: String, Hashable, Sendable, CaseIterable { case causal, full, none }
    public enum ThroughputCounts: String, Hashable, Sendable, CaseIterable {
        case output, input
        case inputAndOutput = "input+output"
    }
    public enum LatencyStatistic: String, Hashable, Sendable, CaseIterable { case mean, median, p90, p99 }
}

/// The metric names of SCHEMA.md. Names are fixed; values are plain numbers in the unit the name gives.
public enum Metric: String, Hashable, Sendable, CaseIterable, Comparable {
    case stepTime = "step_time_s"
    case tokensPerSecondPerChip = "tokens_per_s_per_chip"
    case modelTFLOPsPerChip = "model_tflops_per_chip"
    case mfu
    case chipHours = "chip_hours"
    case days
    case memoryPerChip = "memory_per_chip_gib"
    case prefillTokensPerSecondPerChip = "prefill_tokens_per_s_per_chip"
    case decodeTokensPerSecondPerChip = "decode_tokens_per_s_per_chip"
    case outputTokensPerSecondPerChip = "output_tokens_per_s_per_chip"
    case ttft = "ttft_ms"
    case tpot = "tpot_ms"
    case maxConcurrency = "max_concurrency"

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}
