/// A software stack on a family of chips (cuBLAS and Megatron on Hopper, XLA on TPU, CANN on
/// Ascend, …) and the efficiencies it achieves there, each a named parameter with its evidence.
///
/// Efficiencies belong to a chip and its software, never to a validation case: the same stack
/// parameters serve every scenario on those chips.
public struct SoftwareStack: Hashable, Sendable {
    public var name: String
    public var description: String?
    /// Catalog names of the chips the stack runs on.
    public var chips: [String]
    /// Lower-case words that select this stack from a scenario's `system.software`; empty for
    /// the default stack of its chips.
    public var matches: [String]
    public var parameters: [Parameter: Evidence]

    public init(
        name: String,
        description: String?,
        chips: [String],
        matches: [String],
        parameters: [Parameter: Evidence]
    ) {
        self.name = name
        self.description = description
        self.chips = chips
        self.matches = matches
        self.parameters = parameters
    }

    /// The efficiency parameters a stack may set.
    public enum Parameter: String, Hashable, Sendable, CaseIterable, Comparable {
        /// Fraction of the dense BF16 peak a large training GEMM sustains.
        case gemmEfficiencyBF16 = "gemm_efficiency_bf16"
        /// Fraction of the dense FP8 peak a large FP8 GEMM (block-scaled) sustains.
        case gemmEfficiencyFP8 = "gemm_efficiency_fp8"
        /// Fraction of the dense FP8 peak an FP8 weight-gradient GEMM sustains in training, where it
        /// differs from the forward and data-gradient GEMMs.
        case gemmEfficiencyFP8Wgrad = "gemm_efficiency_fp8_wgrad"
        /// Fraction of the dense FP4 peak a large FP4 GEMM sustains.
        case gemmEfficiencyFP4 = "gemm_efficiency_fp4"
        /// Fraction of the dense INT8 peak a large INT8 GEMM sustains.
        case gemmEfficiencyINT8 = "gemm_efficiency_int8"
        /// Fraction of the dense BF16 peak fused attention (forward and backward) sustains.
        case attentionEfficiency = "attention_efficiency"
        /// Fraction of the peak HBM bandwidth memory-bound kernels reach.
        case memoryBandwidthEfficiency = "memory_bandwidth_efficiency"
        /// Fraction of the peak HBM bandwidth the routed-expert kernel reaches streaming MXFP4 expert
        /// weights under expert parallelism, where it differs from other memory-bound kernels (a fused
        /// dispatch, grouped GEMM and combine kernel such as DeepGEMM's Mega MoE).
        case expertWeightBandwidthEfficiencyEP = "expert_weight_bandwidth_efficiency_ep"
        /// Fraction of the FP8 peak the same fused kernel reaches when compute-bound (large prefill
        /// passes), dispatch and combine included.
        case expertGEMMEfficiencyEP = "expert_gemm_efficiency_ep"
        /// Fixed time of the same fused kernel in decode, its dispatch and combine included (seconds).
        case fusedMoELayerOverheadEP = "fused_moe_layer_overhead_ep"
        /// A fused-MoE (grouped expert GEMM) layer's compute efficiency over the dense GEMM efficiency
        /// at the same precision, with whole experts on each rank and thousands of tokens (a fraction).
        case groupedGEMMEfficiencyRatio = "grouped_gemm_efficiency_ratio"
        /// The same for FP4 experts, where the stack measured them apart.
        case groupedGEMMEfficiencyRatioFP4 = "grouped_gemm_efficiency_ratio_fp4"
        /// Fraction of the per-direction scale-up link bandwidth collectives reach (bus bandwidth).
        case scaleUpEfficiency = "scale_up_efficiency"
        /// Fraction of the NIC line rate collectives across the scale-out network reach.
        case scaleOutEfficiency = "scale_out_efficiency"
        /// Latency of one collective (seconds).
        case collectiveLatency = "collective_latency"
        /// Fraction of the compute throughput left while communication kernels run alongside it
        /// (they occupy streaming multiprocessors of their own).
        case overlapComputeFraction = "overlap_compute_fraction"
        /// Fraction of the BF16 peak a compute-bound decode attention kernel sustains (MLA with many heads).
        case decodeAttentionEfficiency = "decode_attention_efficiency"
        /// The same for a sparse-attention decode kernel over selected entries (FlashMLA sparse, as
        /// DeepSeek-V3.2 and V4 run), which gathers its keys and sustains less than dense MLA.
        case sparseDecodeAttentionEfficiency = "sparse_decode_attention_efficiency"
        /// Fraction of a chip's memory the serving engine gives to weights and cache.
        case usableMemoryFraction = "usable_memory_fraction"
        /// Latency of one collective captured in a CUDA graph with one-shot kernels, as serving
        /// engines run decode (seconds).
        case graphCollectiveLatency = "graph_collective_latency"
        /// Fixed time of a whole decode MoE block beyond streaming the touched expert weights, with
        /// experts sharded by expert parallelism (seconds): routing, grouped GEMMs, activation, finalize.
        case moeLayerOverheadEP = "moe_layer_overhead_ep"
        /// The same with experts sharded by tensor parallelism.
        case moeLayerOverheadTP = "moe_layer_overhead_tp"
        /// Fixed time of a whole decode MLA attention module beyond streaming its weights and cache
        /// (seconds): projections, norms, rotary, attention, output.
        case latentAttentionLayerOverhead = "latent_attention_layer_overhead"
        /// Fixed time of one expert-parallel dispatch plus combine in decode (seconds).
        case expertAllToAllLatency = "expert_all_to_all_latency"
        /// Fixed time every kernel costs beyond its roofline (seconds): launch, prologue, tail.
        case kernelOverhead = "kernel_overhead"
        /// Element-wise kernels one decoder layer runs besides its GEMMs and attention (a count): the
        /// two residual add + RMSNorm, rotary embedding and cache write, activation, quantisation.
        case elementwiseKernelsPerLayer = "elementwise_kernels_per_layer"
        /// Kernels one DeepSeek-V4 decoder layer launches in a decode step (a count), for a layer with
        /// compressed sparse attention (ratio 4, with the lightning indexer): hyper-connection mixing,
        /// norms, the attention block with its compressor and indexer, the router and shared expert.
        /// The routed experts' kernels and the collectives are counted apart.
        case compressedLayerKernelsCSA = "compressed_layer_kernels_csa"
        /// The same for a heavily compressed layer (ratio 128, no indexer).
        case compressedLayerKernelsHCA = "compressed_layer_kernels_hca"
        /// The same for a sliding-window-only layer (ratio 0).
        case compressedLayerKernelsSWA = "compressed_layer_kernels_swa"
        /// Fixed time of one layer's hyper-connection kernels (mixing before and after both
        /// sub-layers, DeepSeek-V4's mHC) where the stack measured them as fused operators (seconds).
        case hyperConnectionLayerOverhead = "hyper_connection_layer_overhead"
        /// Their time per token for 4 streams of 4,096 (seconds), scaled to the model's width.
        case hyperConnectionTimePerToken = "hyper_connection_time_per_token"
        /// Query heads a sparse-attention decode kernel (FlashMLA sparse) processes at least (a count):
        /// a rank with fewer heads is padded to this many, and the padding is executed work.
        case sparseAttentionMinHeads = "sparse_attention_min_heads"
        /// Fixed time of each decode step outside the layers (seconds): sampling, logits processing
        /// and the scheduler work an overlap scheduler does not hide.
        case decodeStepOverhead = "decode_step_overhead"
        /// Prompt tokens one aggregated step takes at most (a count): the engine's chunked-prefill
        /// budget (`max_num_tokens`, `max_num_batched_tokens`, `chunked_prefill_size`).
        case prefillChunkTokens = "prefill_chunk_tokens"
        /// Latency a request's first token carries beyond the engine's steps (seconds): the API
        /// server's parsing and tokenization, the hand-off to the engine loop, detokenization and the
        /// first streamed chunk, as a benchmark client sees them at low load.
        case requestOverhead = "request_overhead"
        /// How the framework overlaps the data-parallel gradient reduction with backward passes (a
        /// count): 0 not at all (reduced after the last backward), 1 behind the last micro-batch's
        /// backward (the default when absent), 2 per virtual pipeline chunk, each chunk reduced as its
        /// last backward finishes (Megatron-Core's buckets), so only the last chunk's stays exposed.
        case gradientOverlap = "gradient_overlap"
        /// HBM bytes per attention-score element in a forward pass, for stacks that write the score
        /// matrix out (attention without FlashAttention): scores, softmax, dropout and its mask.
        case attentionScoreBytesForward = "attention_score_bytes_forward"
        /// The same for the backward pass.
        case attentionScoreBytesBackward = "attention_score_bytes_backward"
        /// Routed tokens on the busiest expert-parallel rank over the mean with the stack's expert
        /// load balancer (EPLB) on (a ratio of 1 or more).
        case expertImbalanceBalanced = "expert_imbalance_balanced"
        /// The same without rebalancing, routing as trained.
        case expertImbalanceUnbalanced = "expert_imbalance_unbalanced"
        /// The expert-parallel degree at which the two imbalance ratios were measured. At another
        /// degree their excess over 1 scales with log2(EP) / log2(this): the busiest of more ranks
        /// strays further from the mean.
        case expertImbalanceReferenceEP = "expert_imbalance_reference_ep"
        /// Time per prompt token of a DeepSeek-V4 ratio-4 layer's top-k selection in prefill, beyond the
        /// indexer's GEMMs (seconds), where the prompt has more candidate entries than the top-k.
        case indexerSelectionTimePerQuery = "indexer_selection_time_per_query"

        public static func < (lhs: Self, rhs: Self) -> Bool {
            (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
        }

        /// Whether the value is a fraction in (0, 1].
        public var isFraction: Bool { !isDuration && !isCount && !isRatio }

        /// Whether training predictions use this parameter.
        public var usedInTraining: Bool {
            ![
                .decodeAttentionEfficiency, .sparseDecodeAttentionEfficiency, .usableMemoryFraction,
                .graphCollectiveLatency, .moeLayerOverheadEP,
                .moeLayerOverheadTP, .latentAttentionLayerOverhead, .expertAllToAllLatency, .kernelOverhead,
                .elementwiseKernelsPerLayer, .decodeStepOverhead, .prefillChunkTokens, .requestOverhead,
                .expertImbalanceBalanced,
                .expertImbalanceUnbalanced, .expertImbalanceReferenceEP, .indexerSelectionTimePerQuery,
                .compressedLayerKernelsCSA,
                .compressedLayerKernelsHCA,
                .compressedLayerKernelsSWA, .sparseAttentionMinHeads, .expertWeightBandwidthEfficiencyEP,
                .hyperConnectionLayerOverhead, .hyperConnectionTimePerToken, .expertGEMMEfficiencyEP,
                .fusedMoELayerOverheadEP, .groupedGEMMEfficiencyRatio, .groupedGEMMEfficiencyRatioFP4,
            ].contains(self)
        }

        /// Whether serving predictions use this parameter.
        public var usedInServing: Bool {
            ![.gradientOverlap, .attentionScoreBytesForward, .attentionScoreBytesBackward, .gemmEfficiencyFP8Wgrad]
                .contains(self)
        }

        /// A ratio of 1 or more.
        public var isRatio: Bool { [.expertImbalanceBalanced, .expertImbalanceUnbalanced].contains(self) }

        /// Whether the parameter describes expert load imbalance (used only where a plan states its balancer).
        public var describesExpertImbalance: Bool { isRatio || self == .expertImbalanceReferenceEP }

        /// A time in seconds, written with a unit ("3 us").
        public var isDuration: Bool {
            [
                .collectiveLatency, .kernelOverhead, .graphCollectiveLatency, .moeLayerOverheadEP, .moeLayerOverheadTP,
                .latentAttentionLayerOverhead, .expertAllToAllLatency, .decodeStepOverhead,
                .hyperConnectionLayerOverhead, .hyperConnectionTimePerToken, .fusedMoELayerOverheadEP,
                .indexerSelectionTimePerQuery, .requestOverhead,
            ].contains(self)
        }

        /// A whole number of things.
        public var isCount: Bool {
            [
                .elementwiseKernelsPerLayer, .prefillChunkTokens, .gradientOverlap, .attentionScoreBytesForward,
                .attentionScoreBytesBackward, .compressedLayerKernelsCSA, .compressedLayerKernelsHCA,
                .compressedLayerKernelsSWA, .sparseAttentionMinHeads, .expertImbalanceReferenceEP,
            ].contains(self)
        }
    }

    /// A parameter's value and the evidence it rests on.
    public struct Evidence: Hashable, Sendable {
        public var value: Double
        /// What was measured, in words.
        public var evidence: String
        public var provenance: Provenance

        public init(value: Double, evidence: String, provenance: Provenance) {
            self.value = value
            self.evidence = evidence
            self.provenance = provenance
        }
    }

    /// The parameter's value, or nil when the stack has no evidence for it.
    public func value(_ parameter: Parameter) -> Double? { parameters[parameter]?.value }

    /// The GEMM efficiency at a compute precision, or nil when the stack has no evidence for GEMMs
    /// in that precision (FP16 and TF32 share BF16's evidence; FP6 shares FP8's).
    public func gemmEfficiency(_ precision: ComputePrecision) -> (value: Double, parameter: Parameter)? {
        let parameter: Parameter
        switch precision {
        case .fp8, .fp6: parameter = .gemmEfficiencyFP8
        case .fp4, .int4: parameter = .gemmEfficiencyFP4
        case .int8: parameter = .gemmEfficiencyINT8
        default: parameter = .gemmEfficiencyBF16
        }
        return value(parameter).map { ($0, parameter) }
    }
}
