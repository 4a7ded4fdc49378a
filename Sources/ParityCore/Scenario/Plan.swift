/// A parallel plan, as a scenario states it; every field optional (nil: not stated).
public struct Plan: Hashable, Sendable {
    public var training: Training?
    /// Aggregated serving: prefill and decode on the same chips.
    public var serving: Pool?
    public var prefill: Pool?
    public var decode: Pool?

    public init(training: Training? = nil, serving: Pool? = nil, prefill: Pool? = nil, decode: Pool? = nil) {
        self.training = training
        self.serving = serving
        self.prefill = prefill
        self.decode = decode
    }

    public enum Schedule: String, Hashable, Sendable, CaseIterable {
        case oneFOneB = "1f1b"
        case interleaved, dualpipe
        case zeroBubble = "zero-bubble"
        case gpipe
    }

    public enum Recompute: String, Hashable, Sendable, CaseIterable {
        case none, selective, full
    }

    /// Expert-placement balancing.
    public enum ExpertBalancing: String, Hashable, Sendable, CaseIterable {
        /// No rebalancing: routing imbalance as trained.
        case disabled
        /// The stack's expert-parallel load balancer (EPLB).
        case enabled
        /// Ideal balance, as a simulation removes imbalance.
        case perfect
    }

    public struct Training: Hashable, Sendable {
        public var tp: Int?
        public var pp: Int?
        public var vpp: Int?
        public var ep: Int?
        public var dp: Int?
        public var cp: Int?
        public var sequenceParallel: Bool?
        public var zero: Int?
        public var schedule: Schedule?
        public var microBatch: Int?
        public var recompute: Recompute?
        public init() {}
    }

    /// One serving pool (aggregated, prefill or decode).
    public struct Pool: Hashable, Sendable {
        public var chips: Int?
        public var tp: Int?
        public var pp: Int?
        public var cp: Int?
        public var ep: Int?
        public var attentionDP: Int?
        public var batchPerChip: Int?
        /// Sequences decoded at once by each attention-DP group (what a plan search chooses).
        public var batchPerGroup: Int?
        public var maxNumTokens: Int?
        public var instances: Int?
        public var ranksPerChip: Int?
        public var redundantExperts: Int?
        public var sharedExpertReplicas: Int?
        public var twoBatchOverlap: Bool?
        public var expertBalancing: ExpertBalancing?
        public var batchTokens: Int?
        public init() {}
    }
}
