/// One scenario file (scenarios/SCHEMA.md): a model on a system doing a workload, optionally
/// with a parallel plan and what was measured when it ran for real.
public struct Scenario: Hashable, Sendable {
    public var id: String
    public var title: String?
    /// The `model` key as written (a catalog name or a path relative to the scenario).
    public var model: String?
    public var system: SystemSpec
    public var workload: Workload
    public var plan: Plan
    public var expected: Expected?
    /// Systems to run the same workload on for `parity compare` (the `compare.systems` key), first
    /// the reference.
    public var compareSystems: [String]

    public init(
        id: String,
        title: String?,
        model: String?,
        system: SystemSpec,
        workload: Workload,
        plan: Plan,
        expected: Expected?,
        compareSystems: [String] = []
    ) {
        self.id = id
        self.title = title
        self.model = model
        self.system = system
        self.workload = workload
        self.plan = plan
        self.expected = expected
        self.compareSystems = compareSystems
    }

    /// The `system` block.
    public struct SystemSpec: Hashable, Sendable {
        public var chip: String
        public var chips: Int
        public var node: String?
        public var software: String?
        public var slices: Int?
        /// False when the scenario leaves `chips` out: Parity then sizes the deployment and says so.
        public var chipsStated = true
        public init(chip: String, chips: Int, node: String?, software: String?, slices: Int?) {
            self.chip = chip
            self.chips = chips
            self.node = node
            self.software = software
            self.slices = slices
        }
    }
}

/// The work a scenario describes.
public enum Workload: Hashable, Sendable {
    case training(Training)
    case serving(Serving)

    public var kind: String {
        switch self {
        case .training: "training"
        case .serving: "serving"
        }
    }

    /// A pre-training run.
    public struct Training: Hashable, Sendable {
        public var tokens: Double?
        public var sequenceLength: Int?
        public var globalBatch: Int?
        public var globalBatchTokens: Double?
        public var precision: Precision?
        public init() {}

        /// Sequences per step: `global_batch`, or `global_batch_tokens` over the sequence length.
        public var resolvedGlobalBatch: Int? {
            if let globalBatch { return globalBatch }
            guard let tokens = globalBatchTokens, let sequenceLength, sequenceLength > 0 else { return nil }
            return Int((tokens / Double(sequenceLength)).rounded())
        }
    }

    /// Serving under latency objectives.
    public struct Serving: Hashable, Sendable {
        public var inputTokens: Int?
        public var outputTokens: Int?
        public var decodeContextTokens: Int?
        public var cachedInputFraction: Double?
        public var concurrency: Int?
        public var numRequests: Int?
        /// Open-loop arrivals per second (instead of a concurrency).
        public var requestRatePerSecond: Double?
        public var arrival: Arrival?
        /// A request trace file (arrival times, input and output lengths), as the scenario names it.
        public var trace: String?
        public var weightsPrecision: Precision?
        public var attentionPrecision: Precision?
        public var kvCachePrecision: Precision?
        public var ttftSLOMilliseconds: Double?
        public var tpotSLOMilliseconds: Double?
        public var sloPercentile: Double?
        public var speculative: Speculative?
        public var disaggregated: Bool?
        public var attentionFFNDisaggregated: Bool?
        public init() {}
    }

    /// How a serving load's requests arrive.
    public enum Arrival: String, Hashable, Sendable, CaseIterable {
        /// `concurrency` in flight, each finished request replaced at once.
        case closed
        /// Every request at once.
        case burst
        /// Open-loop Poisson arrivals at `request_rate_per_s`.
        case poisson
        /// The arrivals and lengths of `trace`.
        case trace
    }

    /// Draft tokens per step and their acceptance rate (MTP or a draft model).
    /// Speculative decoding: draft tokens verified per step and the fraction accepted. A source that
    /// names its method (MTP, DSpark, EAGLE) but not its draft length leaves `tokens` nil, and decode
    /// is then not predicted.
    public struct Speculative: Hashable, Sendable {
        public var tokens: Int?
        public var acceptance: Double?
        public var method: String?
        public init(tokens: Int?, acceptance: Double?, method: String? = nil) {
            self.tokens = tokens
            self.acceptance = acceptance
            self.method = method
        }
    }
}
