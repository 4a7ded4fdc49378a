/// What Parity predicts for a training run, with the breakdown of one optimizer step.
public struct TrainingEstimate: Hashable, Sendable {
    public var plan: TrainingPlan
    public var stack: String
    /// Seconds per optimizer step.
    public var stepTime: Seconds
    public var tokensPerSecondPerChip: Double
    /// Model FLOPs per token as the source counts them (attention convention, recompute or not).
    public var modelFLOPsPerToken: FLOPs
    public var modelTFLOPsPerChip: Double
    /// Model FLOPs utilisation against `mfuPeak`.
    public var mfu: Double
    public var mfuPeak: FLOPsPerSecond
    public var chipHours: Double?
    public var days: Double?
    public var memoryPerChip: Bytes
    public var memoryCapacity: Bytes?
    public var breakdown: Breakdown
    /// The largest part of the step.
    public var bottleneck: String
    /// Assumptions and conventions behind the numbers, in words.
    public var notes: [String]

    /// Whether the plan fits in the chip's memory.
    public var fits: Bool { memoryCapacity.map { memoryPerChip <= $0 } ?? true }

    /// One optimizer step, split by where its time goes (seconds, on the slowest pipeline stage).
    public struct Breakdown: Hashable, Sendable {
        /// Dense and expert GEMMs, forward and backward.
        public var gemm: Seconds = .zero
        /// Attention cores (fused kernels), forward and backward.
        public var attention: Seconds = .zero
        /// Memory-bound element-wise work (norms, activations, residuals).
        public var elementwise: Seconds = .zero
        /// Recomputed forward work.
        public var recompute: Seconds = .zero
        /// Tensor-parallel collectives left exposed.
        public var tensorParallel: Seconds = .zero
        /// Context-parallel KV exchange left exposed.
        public var contextParallel: Seconds = .zero
        /// Expert-parallel all-to-all left exposed.
        public var expertParallel: Seconds = .zero
        /// Expert-parallel all-to-all hidden behind computation.
        public var expertParallelHidden: Seconds = .zero
        /// Computation slowed by communication kernels sharing the chip.
        public var overlapSlowdown: Seconds = .zero
        /// Pipeline sends between stages.
        public var pipelineSends: Seconds = .zero
        /// Idle pipeline time (fill and drain).
        public var bubble: Seconds = .zero
        /// Data-parallel gradient and parameter synchronisation left exposed.
        public var dataParallel: Seconds = .zero
        /// Data-parallel synchronisation hidden behind the backward pass.
        public var dataParallelHidden: Seconds = .zero
        /// The optimizer update.
        public var optimizer: Seconds = .zero

        public init() {}

        /// The named parts that add up to the step time, in a stable order.
        public var parts: [(name: String, time: Seconds)] {
            [
                ("gemm", gemm), ("attention", attention), ("elementwise", elementwise), ("recompute", recompute),
                ("tp_comm_exposed", tensorParallel), ("cp_comm_exposed", contextParallel),
                ("ep_comm_exposed", expertParallel), ("overlap_slowdown", overlapSlowdown), ("pp_sends", pipelineSends),
                ("pipeline_bubble", bubble),
                ("dp_sync_exposed", dataParallel), ("optimizer", optimizer),
            ]
        }

        /// Communication hidden behind computation (not part of the step time).
        public var hidden: [(name: String, time: Seconds)] {
            [("ep_comm_hidden", expertParallelHidden), ("dp_sync_hidden", dataParallelHidden)]
        }
    }
}
