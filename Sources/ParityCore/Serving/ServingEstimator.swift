/// Predicts the time of one decode step and of one prefill on a serving instance, op by op:
/// each GEMM and attention kernel costs `max(FLOPs / (peak × η), bytes / (HBM × η_mem))` plus a fixed
/// kernel overhead, and collectives cost α–β time over the link they cross.
///
/// Decode reads every dense weight once per step, the weights of the routed experts the step's tokens
/// touch (`E/ep × (1 − (1 − k/E)^T)` per rank for `T` tokens in the instance), and each sequence's
/// KV cache; MLA runs weight-absorbed. Attention-DP instances exchange tokens with expert ranks by
/// all-to-all; tensor-parallel ones all-reduce. Two-batch overlap hides communication behind the
/// other micro-batch's computation.
public struct ServingEstimator: Sendable {
    public var architecture: ModelArchitecture {
        didSet { layerGroups = Self.groups(architecture.layers) }
    }
    /// The model's distinct layers and how often each occurs, in order of first occurrence.
    private(set) var layerGroups: [(layer: ModelArchitecture.Layer, count: Int)]
    public var chip: Chip
    public var system: System?
    public var stack: SoftwareStack
    public var deployment: ServingDeployment

    public init(
        architecture: ModelArchitecture,
        chip: Chip,
        system: System?,
        stack: SoftwareStack,
        deployment: ServingDeployment
    ) {
        self.architecture = architecture
        self.layerGroups = Self.groups(architecture.layers)
        self.chip = chip
        self.system = system
        self.stack = stack
        self.deployment = deployment
    }

    static func groups(_ layers: [ModelArchitecture.Layer]) -> [(layer: ModelArchitecture.Layer, count: Int)] {
        var groups: [(layer: ModelArchitecture.Layer, count: Int)] = []
        var index: [ModelArchitecture.Layer: Int] = [:]
        for layer in layers {
            if let i = index[layer] {
                groups[i].count += 1
            } else {
                index[layer] = groups.count
                groups.append((layer, 1))
            }
        }
        return groups
    }

    /// Time spent in one step, by kind of work (seconds per step).
    public struct StepBreakdown: Hashable, Sendable {
        public var denseGEMM: Seconds = .zero
        public var expertGEMM: Seconds = .zero
        public var attention: Seconds = .zero
        public var lmHead: Seconds = .zero
        /// Norms, rotary embedding, activation and the other element-wise kernels between GEMMs.
        public var elementwise: Seconds = .zero
        /// Fixed per-step work outside the layers: sampling, logits processing, scheduling.
        public var stepOverhead: Seconds = .zero
        /// Computation slowed by communication kernels running beside it (two-batch overlap).
        public var overlapSlowdown: Seconds = .zero
        public var communication: Seconds = .zero
        public var communicationHidden: Seconds = .zero
        public var overhead: Seconds = .zero
        /// Costs left out for lack of evidence, in words.
        public var omissions: [String] = []
        /// Of the time above, how much is limited by memory traffic rather than compute.
        public var memoryBound: Seconds = .zero
        /// The step's operations, summed over layers: what a roofline plot places.
        public var ops: [Op] = []
        /// The achievable HBM bandwidth the memory-bound times assume.
        public var memoryBandwidth: BytesPerSecond = BytesPerSecond(0)
        public init() {}

        /// One kind of operation of the step, over all layers, per rank.
        public struct Op: Hashable, Sendable {
            public var name: String
            public var flops: Double
            public var bytes: Double
            /// max(compute time, memory time), without fixed overheads.
            public var time: Seconds
            /// The achievable compute rate the op runs at when compute-bound.
            public var computeRate: FLOPsPerSecond
            /// FLOPs per byte of memory traffic.
            public var intensity: Double { bytes > 0 ? flops / bytes : .infinity }
            /// FLOP/s achieved over the op's time.
            public var achieved: Double { time.value > 0 ? flops / time.value : 0 }
            public var computeBound: Bool { flops / computeRate.value >= time.value * 0.999_999 }
        }

        mutating func record(_ name: String, flops: Double, bytes: Double, time: Seconds, rate: FLOPsPerSecond) {
            if let i = ops.firstIndex(where: { $0.name == name }) {
                ops[i].flops += flops
                ops[i].bytes += bytes
                ops[i].time = ops[i].time + time
            } else {
                ops.append(Op(name: name, flops: flops, bytes: bytes, time: time, computeRate: rate))
            }
        }

        /// The average of this step and `other`, taken `weight` of the time.
        func blended(with other: StepBreakdown, weight: Double) -> StepBreakdown {
            func mix(_ a: Seconds, _ b: Seconds) -> Seconds { a * (1 - weight) + b * weight }
            var r = self
            r.denseGEMM = mix(denseGEMM, other.denseGEMM)
            r.expertGEMM = mix(expertGEMM, other.expertGEMM)
            r.attention = mix(attention, other.attention)
            r.lmHead = mix(lmHead, other.lmHead)
            r.elementwise = mix(elementwise, other.elementwise)
            r.stepOverhead = mix(stepOverhead, other.stepOverhead)
            r.overlapSlowdown = mix(overlapSlowdown, other.overlapSlowdown)
            r.communication = mix(communication, other.communication)
            r.communicationHidden = mix(communicationHidden, other.communicationHidden)
            r.overhead = mix(overhead, other.overhead)
            r.memoryBound = mix(memoryBound, other.memoryBound)
            r.omissions = Array(Set(omissions + other.omissions)).sorted()
            r.ops = []
            for op in ops {
                r.record(
                    op.name,
                    flops: op.flops * (1 - weight),
                    bytes: op.bytes * (1 - weight),
                    time: op.time * (1 - weight),
                    rate: op.computeRate
                )
            }
            for op in other.ops {
                r.record(
                    op.name,
                    flops: op.flops * weight,
                    bytes: op.bytes * weight,
                    time: op.time * weight,
                    rate: op.computeRate
                )
            }
            return r
        }

        /// This step's work followed by `other`'s: times, FLOPs and bytes add.
        func adding(_ other: StepBreakdown) -> StepBreakdown {
            var r = self
            r.denseGEMM = denseGEMM + other.denseGEMM
            r.expertGEMM = expertGEMM + other.expertGEMM
            r.attention = attention + other.attention
            r.lmHead = lmHead + other.lmHead
            r.elementwise = elementwise + other.elementwise
            r.stepOverhead = stepOverhead + other.stepOverhead
            r.overlapSlowdown = overlapSlowdown + other.overlapSlowdown
            r.communication = communication + other.communication
            r.communicationHidden = communicationHidden + other.communicationHidden
            r.overhead = overhead + other.overhead
            r.memoryBound = memoryBound + other.memoryBound
            r.omissions = Array(Set(omissions + other.omissions)).sorted()
            for op in other.ops {
                r.record(op.name, flops: op.flops, bytes: op.bytes, time: op.time, rate: op.computeRate)
            }
            if other.memoryBandwidth.value > 0 { r.memoryBandwidth = other.memoryBandwidth }
            return r
        }

        /// The step's times, FLOPs and bytes `factor` times over (a step run as several equal passes).
        func scaled(by factor: Double) -> StepBreakdown {
            var r = self
            r.denseGEMM = denseGEMM * factor
            r.expertGEMM = expertGEMM * factor
            r.attention = attention * factor
            r.lmHead = lmHead * factor
            r.elementwise = elementwise * factor
            r.stepOverhead = stepOverhead * factor
            r.overlapSlowdown = overlapSlowdown * factor
            r.communication = communication * factor
            r.communicationHidden = communicationHidden * factor
            r.overhead = overhead * factor
            r.memoryBound = memoryBound * factor
            r.ops = ops.map { op in
                var o = op
                o.flops *= factor
                o.bytes *= factor
                o.time = op.time * factor
                return o
            }
            return r
        }

        public var total: Seconds {
            denseGEMM + expertGEMM + attention + lmHead + elementwise + communication + overhead + stepOverhead
                + overlapSlowdown
        }

        public var parts: [(name: String, time: Seconds)] {
            [
                ("dense_gemm", denseGEMM), ("expert_gemm", expertGEMM), ("attention", attention), ("lm_head", lmHead),
                ("elementwise", elementwise), ("communication_exposed", communication), ("kernel_overhead", overhead),
                ("step_overhead", stepOverhead), ("overlap_slowdown", overlapSlowdown),
            ]
        }
    }

    struct Rates {
        var dense: FLOPsPerSecond
        var expert: FLOPsPerSecond
        var attention: FLOPsPerSecond
        var prefillAttention: FLOPsPerSecond
        /// Decode attention over selected entries (sparse kernels), where the stack measured it apart.
        var sparseAttention: FLOPsPerSecond?
        /// The lightning indexer's scores: an 8-bit GEMM-like kernel where the chip has an 8-bit
        /// peak and the stack a GEMM efficiency for it, else the attention rate.
        var indexer: FLOPsPerSecond?
        var memory: BytesPerSecond
        var overhead: Seconds
    }

    func parameter(_ p: SoftwareStack.Parameter) throws(EstimationError) -> Double {
        guard let v = stack.value(p) else {
            throw EstimationError("Stack '\(stack.name)' has no evidence for \(p.rawValue) on \(chip.name).")
        }
        return v
    }

    func rate(_ precision: Precision, weightOnly: Bool) throws(EstimationError) -> FLOPsPerSecond {
        let compute: ComputePrecision = weightOnly ? .bf16 : precision.computePrecision
        let peak = chip.peak(compute) ?? (compute == .bf16 ? chip.peak(.fp16) : nil)
        guard let peak else {
            throw EstimationError("\(chip.name) has no dense \(compute.rawValue) peak in the catalog.")
        }
        guard let efficiency = stack.gemmEfficiency(compute) else {
            throw EstimationError(
                "Stack '\(stack.name)' has no evidence for \(compute.rawValue) GEMM efficiency on \(chip.name)."
            )
        }
        return peak * efficiency.value / Double(deployment.ranksPerChip)
    }

    func rates() throws(EstimationError) -> Rates {
        guard let bandwidth = chip.memory.bandwidth else {
            throw EstimationError("\(chip.name) has no memory bandwidth in the catalog.")
        }
        guard let bf16 = chip.peak(.bf16) ?? chip.peak(.fp16) else {
            throw EstimationError("\(chip.name) has no dense BF16 peak in the catalog.")
        }
        let dies = Double(deployment.ranksPerChip)
        let decodeAttention: Double
        if let v = stack.value(.decodeAttentionEfficiency) {
            decodeAttention = v
        } else {
            decodeAttention = try parameter(.attentionEfficiency)
        }
        return Rates(
            dense: try rate(deployment.densePrecision, weightOnly: deployment.weightOnly),
            expert: try rate(deployment.expertPrecision, weightOnly: deployment.weightOnly) * expertGEMMFactor,
            attention: bf16 * decodeAttention / dies,
            prefillAttention: bf16 * (stack.value(.attentionEfficiency) ?? 1) / dies,
            sparseAttention: stack.value(.sparseDecodeAttentionEfficiency).map { bf16 * $0 / dies },
            indexer: indexerRate(dies: dies),
            memory: bandwidth * (try parameter(.memoryBandwidthEfficiency)) / dies,
            overhead: Seconds(stack.value(.kernelOverhead) ?? 0)
        )
    }

    /// How much slower routed experts' grouped GEMMs compute than a dense GEMM of the precision:
    /// the stack's measured ratio, 1 where the stack has no such evidence. (The same tables show
    /// experts sharded by tensor parallelism slower still, 0.25-0.53 of whole experts at TP8; applied,
    /// that took Ant Group's H20 TP8 prefill from within 30% to 45-68% slow, so it is left out.)
    var expertGEMMFactor: Double {
        let d = deployment
        let compute: ComputePrecision = d.weightOnly ? .bf16 : d.expertPrecision.computePrecision
        return (compute == .fp4 ? stack.value(.groupedGEMMEfficiencyRatioFP4) : nil)
            ?? stack.value(.groupedGEMMEfficiencyRatio) ?? 1
    }

    /// The faster of the chip's FP8 and INT8 GEMM rates under this stack, for the indexer's scores
    /// (DeepSeek computes them in FP8, its V4 indexer keys in FP4; CANN runs them in INT8).
    func indexerRate(dies: Double) -> FLOPsPerSecond? {
        var best: FLOPsPerSecond?
        for precision in [ComputePrecision.fp8, .int8] {
            guard let peak = chip.peak(precision), let efficiency = stack.gemmEfficiency(precision) else { continue }
            let rate = peak * efficiency.value / dies
            if rate.value > (best?.value ?? 0) { best = rate }
        }
        return best
    }

    /// One operation of `kernels` kernels: the slower of its compute and its memory traffic, plus
    /// the fixed overhead of each kernel.
    func kernel(
        _ name: String,
        flops: Double,
        bytes: Double,
        rate: FLOPsPerSecond,
        rates: Rates,
        breakdown: inout StepBreakdown,
        kernels: Int = 1,
        overhead: Seconds? = nil,
        bandwidth: BytesPerSecond? = nil
    ) -> Seconds {
        let compute = flops / rate.value
        let memory = bytes / (bandwidth ?? rates.memory).value
        if memory > compute { breakdown.memoryBound = breakdown.memoryBound + Seconds(memory) }
        breakdown.memoryBandwidth = rates.memory
        breakdown.record(name, flops: flops, bytes: bytes, time: Seconds(max(compute, memory)), rate: rate)
        guard let overhead else {
            breakdown.overhead = breakdown.overhead + rates.overhead * Double(kernels)
            return Seconds(max(compute, memory))
        }
        // A module's measured fixed cost sits on top of its weight streaming; once the module is
        // compute-bound the fixed work overlaps the arithmetic.
        let total = max(compute, memory + overhead.value)
        breakdown.overhead = breakdown.overhead + Seconds(total - max(compute, memory))
        return Seconds(max(compute, memory))
    }

    /// A decode module's measured fixed cost, spread over its kernels in place of their per-kernel
    /// overhead; nil outside decode or without evidence.
    func moduleOverhead(_ parameter: SoftwareStack.Parameter, kernels: Int, prefill: Bool) -> Seconds? {
        guard !prefill, let value = stack.value(parameter) else { return nil }
        return Seconds(value / Double(kernels))
    }

    public func links() throws(EstimationError) -> (up: Link, out: Link?, domain: Int) {
        let latency: Seconds
        if let graph = stack.value(.graphCollectiveLatency) {
            latency = Seconds(graph)
        } else {
            latency = Seconds(try parameter(.collectiveLatency))
        }
        let domain = (system?.chips ?? chip.scaleUp?.maxDomain ?? 1) * deployment.ranksPerChip
        var up = system?.scaleUp.achievableBandwidthPerDirection
        if up == nil, let bidirectional = system?.scaleUp.bidirectionalBandwidth ?? chip.scaleUp?.bidirectionalBandwidth
        {
            up = bidirectional / 2 * (try parameter(.scaleUpEfficiency))
        }
        var out: Link?
        if let achievable = system?.scaleOut?.achievableBandwidth {
            out = Link(name: "scale-out", bandwidth: achievable, latency: latency)
        } else if let line = system?.scaleOut?.bandwidth ?? chip.scaleOut?.bandwidth,
            let e = stack.value(.scaleOutEfficiency)
        {
            out = Link(name: "scale-out", bandwidth: line * e, latency: latency)
        }
        let upLink = Link(
            name: "scale-up",
            bandwidth: (up ?? BytesPerSecond(1)) / Double(deployment.ranksPerChip),
            latency: latency
        )
        if deployment.ranks > 1 && up == nil {
            throw EstimationError(
                "\(chip.name): no scale-up bandwidth in the catalog for \(system?.name ?? "its system")."
            )
        }
        return (upLink, out, max(1, domain))
    }

    func bytesPerWeight(_ p: Precision) -> Double { p.bytesPerElement }

    /// What one forward pass processes per attention-DP rank: decode tokens of running sequences
    /// and, with chunked prefill, prompt tokens in the same pass.
    struct Load: Equatable {
        var decodeSequences: Double = 0
        /// Decode tokens: one per sequence, plus the draft tokens verified with speculative decoding.
        var decodeTokens: Double = 0
        var context: Int = 1
        var prefillTokens: Double = 0
        var promptLength: Int = 1
        var tokens: Double { decodeTokens + prefillTokens }
        var prefillSequences: Double { prefillTokens / Double(max(1, promptLength)) }
    }

    /// The time of one decode step with `batch` sequences per attention-DP rank at `context` tokens.
    public func decodeStep(batch: Int, context: Int) throws(EstimationError) -> StepBreakdown {
        try mixedStep(batch: batch, context: context, promptTokens: 0, promptLength: 1)
    }

    /// One step of aggregated serving, averaged over steps: `batch` decoding sequences per
    /// attention-DP rank, and on average `promptTokens` prompt tokens of `promptLength`-token prompts
    /// prefilled in the same passes, so weights stream once for both.
    ///
    /// Prompts arrive in pieces: a whole prompt, or a chunk of the step's token budget (`tokenBudget`,
    /// else the stack's `prefill_chunk_tokens`) less the decode tokens, when the prompt is longer. When fewer prompt tokens arrive per step than one piece holds, only
    /// that share of steps carries a piece and the rest decode alone; the average of the two is what
    /// a benchmark's mean TPOT measures. Spreading the prompt tokens evenly over every step instead
    /// would, for a mixture of experts, stream far more experts per step than either kind of step does.
    public func mixedStep(
        batch: Int,
        context: Int,
        promptTokens: Int,
        promptLength: Int,
        tokenBudget: Int? = nil
    ) throws(EstimationError) -> StepBreakdown {
        var load = Load()
        load.decodeSequences = Double(batch)
        load.decodeTokens = Double(batch) * Double(deployment.draftTokens + 1)
        load.context = context
        load.promptLength = promptLength
        // The step's token budget (the plan's, else the engine default) holds the decode tokens too.
        let budget = tokenBudget.map(Double.init) ?? stack.value(.prefillChunkTokens)
        let chunk = budget.map { min(Double(promptLength), max(1, $0 - load.decodeTokens)) }
        guard promptTokens > 0, let chunk, Double(promptTokens) < chunk else {
            load.prefillTokens = Double(promptTokens)
            return try step(load)
        }
        var share = Double(promptTokens) / chunk
        // Attention-DP ranks step together through the experts' all-to-all: a step waits for any rank
        // that carries a chunk, so the instance's steps carry one whenever any of its groups does.
        if deployment.attentionDP > 1 && deployment.moeEP > 1 {
            share = 1 - power(1 - share, deployment.attentionDP)
        }
        let decodeOnly = try step(load)
        load.prefillTokens = chunk
        let mixed = try step(load)
        return decodeOnly.blended(with: mixed, weight: share)
    }

    /// One engine step as a request-level simulator sees it, per attention-DP rank:
    /// `decodeSequences` sequences decode at mean `context` while `prefillTokens` prompt tokens of
    /// `promptLength`-token prompts are prefilled in the same pass.
    public func step(
        decodeSequences: Int,
        context: Int,
        prefillTokens: Int,
        promptLength: Int
    ) throws(EstimationError) -> StepBreakdown {
        var load = Load()
        load.decodeSequences = Double(decodeSequences)
        load.decodeTokens = Double(decodeSequences) * Double(deployment.draftTokens + 1)
        load.context = max(1, context)
        load.prefillTokens = Double(prefillTokens)
        load.promptLength = max(1, promptLength)
        return try step(load)
    }

    /// The time to prefill `tokens` prompt tokens per attention-DP rank, in sequences of `sequenceLength`.
    public func prefill(tokens: Int, sequenceLength: Int) throws(EstimationError) -> StepBreakdown {
        var load = Load()
        load.prefillTokens = Double(tokens)
        load.promptLength = sequenceLength
        return try step(load)
    }

    /// Which layers a pass runs: all of them, or, for two-batch overlap, the mixture-of-experts
    /// layers apart from the rest (dense layers, drafts and the LM head run once on the whole batch).
    enum PassPart { case all, moeLayers, rest }

    /// One step. With two-batch overlap the MoE layers run as two micro-batches of half the tokens,
    /// each streaming the layers' weights with its own kernels, one's communication hidden behind the
    /// other's computation; dense layers, drafts, the LM head and the step's fixed work run once.
    func step(_ load: Load) throws(EstimationError) -> StepBreakdown {
        guard deployment.twoBatchOverlap, load.tokens >= 2 else { return try pass(load, part: .all) }
        var half = load
        half.decodeSequences /= 2
        half.decodeTokens /= 2
        half.prefillTokens /= 2
        let moe = try pass(half, part: .moeLayers).scaled(by: 2)
        return moe.adding(try pass(load, part: .rest))
    }

    func pass(_ load: Load, part: PassPart) throws(EstimationError) -> StepBreakdown {
        if load.prefillTokens > 0 && stack.value(.attentionEfficiency) == nil {
            throw EstimationError(
                "Stack '\(stack.name)' has no evidence for attention_efficiency (prefill) on \(chip.name)."
            )
        }
        let prefill = load.decodeTokens == 0
        let a = architecture

        let h = Double(a.hiddenSize)
        let d = deployment
        let tp = Double(d.attentionTP)
        let r = try rates()
        let links = try links()
        var b = StepBreakdown()
        if !prefill, stack.value(.sparseDecodeAttentionEfficiency) == nil, a.layers.contains(where: isSparse) {
            b.omissions.append(
                "No evidence for sparse_decode_attention_efficiency in '\(stack.name)': sparse attention decodes at the dense rate."
            )
        }
        if stack.value(.kernelOverhead) == nil {
            b.omissions.append(
                "No evidence for kernel_overhead in '\(stack.name)': fixed per-kernel costs are not counted."
            )
        }
        if stack.value(.elementwiseKernelsPerLayer) == nil {
            b.omissions.append(
                "No evidence for elementwise_kernels_per_layer in '\(stack.name)': norms, rotary and activation kernels are not counted."
            )
        }
        let hasCompressed = a.layers.contains { if case .compressed = $0.attention { true } else { false } }
        let counts: [SoftwareStack.Parameter] = [
            .compressedLayerKernelsCSA, .compressedLayerKernelsHCA, .compressedLayerKernelsSWA,
        ]
        if prefill, stack.value(.indexerSelectionTimePerQuery) == nil,
            a.layers.contains(where: { layer in
                if case .compressed(let c) = layer.attention {
                    return c.isIndexed && load.promptLength / max(1, c.compressRatio) > c.indexerTopK
                }
                return false
            })
        {
            b.omissions.append(
                "No evidence for indexer_selection_time_per_query in '\(stack.name)': DeepSeek-V4's top-k selection in prefill is not counted beyond the indexer's scores."
            )
        }
        if hasCompressed && counts.contains(where: { stack.value($0) == nil }) {
            b.omissions.append(
                "No evidence for compressed_layer_kernels_* in '\(stack.name)': DeepSeek-V4's hyper-connection, compressor and indexer kernels are counted as the generic element-wise kernels."
            )
        }
        let denseBytes = bytesPerWeight(d.densePrecision)
        let expertBytes = bytesPerWeight(d.expertPrecision)
        let crossesNodes = d.ranks > links.domain
        let commLink = crossesNodes ? (links.out ?? links.up) : links.up
        if crossesNodes && links.out == nil {
            throw EstimationError.noScaleOut("An instance of \(d.ranks) ranks", domain: links.domain, chip: chip.name)
        }
        // With speculative decoding a step first drafts its tokens one at a time through the
        // multi-token-prediction module: a decoder layer on one token per sequence, then the LM head.
        let overlap = part == .moeLayers
        // The fused expert-parallel kernel's measured figures, where they apply: the same for every layer.
        let fusedBandwidth = try expertStreamingBandwidth()
        let fusedComputeRate = fusedExpertRate()
        // Identical layers under the same load cost the same: each distinct one is costed once and
        // counted as often as it occurs (DeepSeek-V3's 58 MoE layers are one).
        var distinct: [(layer: ModelArchitecture.Layer, load: Load, count: Int)] = layerGroups.filter { group in
            let isMoE = if case .mixtureOfExperts = group.layer.feedForward { true } else { false }
            switch part {
            case .all: return true
            case .moeLayers: return isMoE
            case .rest: return !isMoE
            }
        }.map { ($0.layer, load, $0.count) }
        var draftPasses = 0
        if !prefill, part != .moeLayers, d.draftTokens > 0, let mtp = a.multiTokenPrediction {
            var draft = Load()
            draft.decodeSequences = load.decodeSequences
            draft.decodeTokens = load.decodeSequences
            draft.context = load.context
            draftPasses = d.draftTokens
            distinct.append((mtp.layer, draft, draftPasses))
        }
        for (layer, layerLoad, count) in distinct {
            let load = layerLoad
            let earlier = b
            b = StepBreakdown()
            defer { b = earlier.adding(b.scaled(by: Double(count))) }
            let m = load.tokens
            let instanceTokens = m * Double(d.attentionDP)
            var compute = Seconds.zero
            // Kernels this layer's operations launch, for the layer counts some stacks give whole.
            var layerKernels = 0
            var attentionOverhead: Seconds?
            if case .latent = layer.attention {
                attentionOverhead = moduleOverhead(.latentAttentionLayerOverhead, kernels: 2, prefill: prefill)
            }
            // Modules whose fixed cost was measured whole already include their element-wise kernels.
            var measuredModules = attentionOverhead == nil ? 0 : 1
            // Attention block.
            let projectionFLOPs = m * layer.projectionFLOPsPerToken(hidden: a.hiddenSize) / tp
            let projectionBytes = Double(layer.parameters(hidden: a.hiddenSize).attention) * denseBytes / tp
            if projectionFLOPs > 0 {
                let time = kernel(
                    "attention projections",
                    flops: projectionFLOPs,
                    bytes: projectionBytes,
                    rate: r.dense,
                    rates: r,
                    breakdown: &b,
                    kernels: 2,  // the QKV and output projections
                    overhead: attentionOverhead
                )
                b.denseGEMM = b.denseGEMM + time
                compute = compute + time
                layerKernels += 2
            }
            if prefill && d.contextParallel > 1 {
                // Context parallelism: each group holds a slice of the prompt and gathers every slice's
                // cache entries of the layer before attending to them.
                let cache =
                    load.prefillSequences * Double(d.contextParallel)
                    * layer.cacheBytes(atContext: load.promptLength, bytesPerElement: d.kvBytesPerElement)
                let gather = Collective.allGather(bytes: Bytes(cache), ranks: d.contextParallel, link: commLink)
                b.communication = b.communication + gather
            }
            for part in attentionParts(layer, load) {
                // The indexer's scores run apart, at the 8-bit GEMM rate, once the chip and stack
                // have one; heads are sharded over attention TP like the rest.
                let indexer =
                    r.indexer == nil
                    ? 0
                    : part.prefill
                        ? load.prefillSequences * layer.prefillIndexerFLOPs(sequence: load.promptLength)
                        : load.decodeTokens * layer.decodeIndexerFLOPs(context: load.context)
                let time = kernel(
                    part.prefill ? "attention core (prefill)" : "attention core (decode)",
                    flops: (part.flops - indexer) / tp * (part.prefill ? 1 : headPadding(layer)),
                    bytes: part.bytes / kvSharding(layer, tp: d.attentionTP),
                    rate: part.prefill
                        ? r.prefillAttention : isSparse(layer) ? (r.sparseAttention ?? r.attention) : r.attention,
                    rates: r,
                    breakdown: &b,
                    overhead: part.prefill ? nil : attentionOverhead
                )
                b.attention = b.attention + time
                compute = compute + time
                layerKernels += 1
                if indexer > 0, let rate = r.indexer {
                    // Engines replicate the indexer on every attention-TP rank (vLLM, SGLang).
                    let scores = kernel(
                        part.prefill ? "indexer scores (prefill)" : "indexer scores (decode)",
                        flops: indexer,
                        bytes: 0,
                        rate: rate,
                        rates: r,
                        breakdown: &b
                    )
                    b.attention = b.attention + scores
                    compute = compute + scores
                    layerKernels += 1
                }
                if part.prefill, let perQuery = stack.value(.indexerSelectionTimePerQuery),
                    case .compressed(let c) = layer.attention, c.isIndexed,
                    load.promptLength / max(1, c.compressRatio) > c.indexerTopK
                {
                    // Selecting each query's top-k entries from the scores: the engine's measured time
                    // per query beyond the indexer's GEMMs, repeated on every attention-TP rank.
                    let selection = Seconds(perQuery * load.prefillTokens)
                    b.record("indexer selection (prefill)", flops: 0, bytes: 0, time: selection, rate: r.dense)
                    b.attention = b.attention + selection
                    compute = compute + selection
                }
            }
            // Feed-forward block.
            var comm = Seconds.zero
            switch layer.feedForward {
            case .dense(let mlp):
                let time = kernel(
                    "dense MLP",
                    flops: m * mlp.flopsPerToken(hidden: a.hiddenSize) / tp,
                    bytes: Double(mlp.parameters(hidden: a.hiddenSize)) * denseBytes / tp,
                    rate: r.dense,
                    rates: r,
                    breakdown: &b,
                    kernels: 2  // up (with gate) and down projections
                )
                b.denseGEMM = b.denseGEMM + time
                compute = compute + time
                layerKernels += 2
                if d.attentionTP > 1 {
                    comm =
                        comm + Collective.allReduce(bytes: Bytes(m * h * 2), ranks: d.attentionTP, link: commLink) * 2
                }
            case .mixtureOfExperts(let moe):
                let k = Double(moe.topK)
                let e = Double(moe.experts)
                // Router and shared experts run on every token of the rank.
                let shared = moe.sharedParameters(hidden: a.hiddenSize) + moe.routerParameters(hidden: a.hiddenSize)
                let sharedFLOPs =
                    m * (2 * h * e + Double(2 * moe.sharedMatrices * a.hiddenSize * moe.sharedIntermediateSize)) / tp
                let sharedTime = kernel(
                    "router and shared experts",
                    flops: sharedFLOPs,
                    bytes: Double(shared) * denseBytes / tp,
                    rate: r.dense,
                    rates: r,
                    breakdown: &b,
                    kernels: moe.sharedIntermediateSize > 0 ? 3 : 1  // router, shared up and down
                )
                // Routed experts: balanced work, weights of the experts touched.
                let perExpert = Double(moe.parametersPerExpert(hidden: a.hiddenSize))
                // The busiest expert-parallel rank receives `expertImbalance` times the mean.
                let imbalance = d.moeEP > 1 ? d.expertImbalance : 1
                let expertFLOPs = instanceTokens * k * 2 * perExpert / Double(d.ranks) * imbalance
                let localExperts = (e + Double(d.redundantExperts)) / Double(d.moeEP)
                let touched =
                    localExperts * (1 - power(max(0, 1 - k / e), Int((instanceTokens * imbalance).rounded())))
                let fused = fusedBandwidth != nil
                let moeOverhead = moduleOverhead(
                    fused ? .fusedMoELayerOverheadEP : d.moeEP > 1 ? .moeLayerOverheadEP : .moeLayerOverheadTP,
                    kernels: 1,
                    prefill: prefill
                )
                if moeOverhead != nil { measuredModules += 1 }
                let fusedRate = fused ? fusedComputeRate : nil
                let expertTime = kernel(
                    "routed experts",
                    flops: expertFLOPs,
                    bytes: touched * perExpert * expertBytes / Double(d.moeTP),
                    rate: fusedRate ?? r.expert,
                    rates: r,
                    breakdown: &b,
                    overhead: moeOverhead,
                    bandwidth: fusedBandwidth
                )
                b.denseGEMM = b.denseGEMM + sharedTime
                b.expertGEMM = b.expertGEMM + expertTime
                compute = compute + sharedTime + expertTime
                // Routed experts are counted apart from the engine's per-layer counts.
                layerKernels += moe.sharedIntermediateSize > 0 ? 3 : 1
                if d.attentionDP > 1 && d.moeEP > 1, fused {
                    // The fused kernel does the dispatch and combine inside, overlapped with its GEMMs:
                    // its measured rate already holds them.
                } else if d.attentionDP > 1 && d.moeEP > 1 {
                    let dispatch: Double =
                        [.fp8, .fp4, .nvfp4, .mxfp4, .mxfp4a8, .int8].contains(d.expertPrecision) ? 1 : 2
                    // Copies inside the scale-up domain go over its links, the rest over the NICs; prefill's
                    // throughput kernels send a token once per remote domain and forward it inside
                    // (node-limited routing caps the domains), decode's latency kernels send every copy.
                    comm =
                        comm
                        + (try ExpertAllToAll.dispatchAndCombine(
                            tokens: m * imbalance,
                            hidden: a.hiddenSize,
                            dispatchBytes: dispatch,
                            moe: moe,
                            ranks: d.ranks,
                            ranksPerDomain: links.domain,
                            scaleUp: links.up,
                            scaleOut: links.out,
                            forwardsInsideDomain: prefill
                        ))
                    if !prefill, let fixed = stack.value(.expertAllToAllLatency) {
                        // The measured dispatch plus combine replaces the two generic collective latencies.
                        comm = comm + Seconds(fixed) - commLink.latency * 2
                    }
                } else if d.attentionDP > 1 && d.ranks > 1 {
                    // Experts sharded by tensor parallelism under data-parallel attention: every rank
                    // gathers all groups' tokens before the experts and reduce-scatters after them.
                    comm =
                        comm + Collective.allGather(
                            bytes: Bytes(instanceTokens * h * 2),
                            ranks: d.ranks,
                            link: commLink
                        ) * 2
                } else if d.ranks > 1 {
                    comm = comm + Collective.allReduce(bytes: Bytes(m * h * 2), ranks: d.ranks, link: commLink)
                }
                if d.attentionTP > 1 {
                    comm = comm + Collective.allReduce(bytes: Bytes(m * h * 2), ranks: d.attentionTP, link: commLink)
                }
            case .none:
                if d.attentionTP > 1 {
                    comm = comm + Collective.allReduce(bytes: Bytes(m * h * 2), ranks: d.attentionTP, link: commLink)
                }
            }
            if a.residualStreams > 1, let fixed = stack.value(.hyperConnectionLayerOverhead),
                let perToken = stack.value(.hyperConnectionTimePerToken)
            {
                // The stack measured the fused hyper-connection operators (two before and two after
                // the sub-layers); their time per token grows with the residual width.
                let width = Double(a.residualStreams * a.hiddenSize) / Double(4 * 4_096)
                let time = Seconds(fixed + perToken * width * m)
                b.record("hyper-connections", flops: 0, bytes: 0, time: time, rate: r.dense)
                b.elementwise = b.elementwise + time
                compute = compute + time
                layerKernels += 4
            }
            // Element-wise kernels: each reads and writes the rank's activations once in BF16. Whole
            // measured modules (MLA attention with its rotary and norms; an MoE block with its
            // activation) keep their own; the two residual add + RMSNorm kernels always remain.
            let passes = stack.value(.elementwiseKernelsPerLayer).map { max(2, Int($0.rounded()) - measuredModules) }
            var elementwise: (name: String, kernels: Int, passes: Int)?
            if let whole = compressedLayerKernels(layer) {
                // The stack counted this layer's launches from the engine's code: the ones the
                // operations above do not launch are hyper-connection mixing, norms, rotary, cache
                // writes, the compressor and the indexer, each with its fixed cost. Many are small
                // GEMMs or fused passes, so the activation traffic stays that of the generic count.
                elementwise = ("element-wise, compressor and indexer", max(0, whole - layerKernels), passes ?? 0)
            } else if let passes {
                elementwise = ("element-wise", passes, passes)
            }
            if let elementwise {
                let time = kernel(
                    elementwise.name,
                    flops: 0,
                    bytes: Double(elementwise.passes) * m * h * 2 * 2,
                    rate: r.dense,
                    rates: r,
                    breakdown: &b,
                    kernels: elementwise.kernels
                )
                b.elementwise = b.elementwise + time
                compute = compute + time
            }
            if overlap {
                let exposed = max(.zero, comm - compute)
                b.communication = b.communication + exposed
                b.communicationHidden = b.communicationHidden + (comm - exposed)
                // Prefill's all-to-all kernels take streaming multiprocessors from the computation they
                // overlap; decode's low-latency kernels issue their RDMA writes and free every SM
                // (DeepSeek's profile-data README), so decode keeps its full compute rate.
                if prefill, let remaining = stack.value(.overlapComputeFraction) {
                    b.overlapSlowdown = b.overlapSlowdown + min(compute, comm) * (1 / remaining - 1)
                }
            } else {
                b.communication = b.communication + comm
            }
        }
        guard part != .moeLayers else { return b }
        // LM head on the positions that produce logits.
        let logitTokens = load.decodeTokens + load.prefillSequences
        let head = kernel(
            "LM head",
            flops: logitTokens * a.headFLOPsPerToken.value / tp,
            bytes: Double(a.vocabularySize * a.hiddenSize) * Precision.bf16.bytesPerElement / tp,
            rate: r.dense,
            rates: r,
            breakdown: &b
        )
        b.lmHead = head
        for _ in 0..<draftPasses {
            b.lmHead =
                b.lmHead
                + kernel(
                    "LM head",
                    flops: load.decodeSequences * a.headFLOPsPerToken.value / tp,
                    bytes: Double(a.vocabularySize * a.hiddenSize) * Precision.bf16.bytesPerElement / tp,
                    rate: r.dense,
                    rates: r,
                    breakdown: &b
                )
        }
        if !prefill {
            if let fixed = stack.value(.decodeStepOverhead) {
                b.stepOverhead = Seconds(fixed)
            } else {
                b.omissions.append(
                    "No evidence for decode_step_overhead in '\(stack.name)': sampling and scheduling are not counted."
                )
            }
        }
        return b
    }

    /// KV-cache sharding over attention tensor parallelism: GQA splits KV heads (replicating when
    /// there are fewer heads than ranks); MLA, compressed and recurrent caches are replicated.
    func kvSharding(_ layer: ModelArchitecture.Layer, tp: Int) -> Double {
        if case .standard(let s) = layer.attention { return Double(min(tp, s.keyValueHeads)) }
        return 1
    }

    /// Attention-core FLOPs and cache bytes of one layer for the step: the decode tokens against
    /// their cache, and the prompts' causal attention and cache writes.
    /// The rate routed-expert weights stream at, where the stack measured its fused expert-parallel
    /// MoE kernel (DeepGEMM's Mega MoE: FP8 activations, MXFP4 weights, dispatch and combine inside)
    /// apart from other memory-bound kernels; nil to use the generic rate.
    func expertStreamingBandwidth() throws(EstimationError) -> BytesPerSecond? {
        let d = deployment
        guard d.moeEP > 1, !d.weightOnly, d.expertPrecision == .mxfp4a8,
            let efficiency = stack.value(.expertWeightBandwidthEfficiencyEP),
            let peak = chip.memory.bandwidth
        else { return nil }
        return peak * efficiency / Double(d.ranksPerChip)
    }

    /// The fused expert-parallel kernel's measured compute rate (a fraction of the FP8 peak), where
    /// the stack has it.
    func fusedExpertRate() -> FLOPsPerSecond? {
        guard let efficiency = stack.value(.expertGEMMEfficiencyEP), let peak = chip.peak(.fp8) else { return nil }
        return peak * efficiency / Double(deployment.ranksPerChip)
    }

    /// The kernels a DeepSeek-V4 layer launches in decode, as the stack counted them for the
    /// layer's kind of attention; nil for other layers or without that evidence.
    func compressedLayerKernels(_ layer: ModelArchitecture.Layer) -> Int? {
        guard case .compressed(let c) = layer.attention else { return nil }
        let parameter: SoftwareStack.Parameter =
            c.compressRatio == 0
            ? .compressedLayerKernelsSWA : c.isIndexed ? .compressedLayerKernelsCSA : .compressedLayerKernelsHCA
        return stack.value(parameter).map { Int($0.rounded()) }
    }

    /// Whether the layer's decode attention runs a sparse kernel over selected entries: DeepSeek-V4's
    /// layers (FlashMLA sparse with the window and compressed entries in one call) and V3.2's.
    func isSparse(_ layer: ModelArchitecture.Layer) -> Bool {
        switch layer.attention {
        case .compressed: true
        case .latent(let l): l.indexer != nil
        default: false
        }
    }

    /// How much more decode attention work a sparse-attention kernel executes than the heads need:
    /// kernels that take a minimum number of query heads pad a rank's heads up to it.
    func headPadding(_ layer: ModelArchitecture.Layer) -> Double {
        let heads: Int
        switch layer.attention {
        case .compressed(let c): heads = c.heads
        case .latent(let l) where l.indexer != nil: heads = l.heads
        default: return 1
        }
        guard let minimum = stack.value(.sparseAttentionMinHeads) else { return 1 }
        let perRank = max(1, heads / deployment.attentionTP)
        return max(1, minimum / Double(perRank))
    }

    func attentionParts(_ layer: ModelArchitecture.Layer, _ load: Load) -> [(
        flops: Double, bytes: Double, prefill: Bool
    )] {
        let kv = deployment.kvBytesPerElement
        var parts: [(flops: Double, bytes: Double, prefill: Bool)] = []
        if load.decodeTokens > 0 {
            let flops = load.decodeTokens * layer.decodeCoreFLOPs(context: load.context)
            var bytes = load.decodeSequences * layer.cacheBytes(atContext: load.context, bytesPerElement: kv)
            switch layer.attention {
            case .gatedDeltaNet, .mamba2: bytes *= 2 * 4 / kv  // FP32 state read and written
            default: break
            }
            if flops > 0 || bytes > 0 { parts.append((flops, bytes, false)) }
        }
        if load.prefillTokens > 0 {
            let sequences = load.prefillSequences
            let flops = sequences * layer.prefillCoreFLOPs(sequence: load.promptLength, counting: .causal)
            let written = sequences * layer.cacheBytes(atContext: load.promptLength, bytesPerElement: kv)
            if flops > 0 || written > 0 { parts.append((flops, written, true)) }
        }
        return parts
    }

    /// Weight bytes one rank holds.
    public var weightBytesPerRank: Bytes {
        let a = architecture
        let d = deployment
        let p = a.parameters
        let dense = Double(p.total - p.routedExperts - p.embedding - p.head) * d.densePrecision.bytesPerElement
        let tables = Double(p.embedding + p.head) * Precision.bf16.bytesPerElement
        let expertsPerRank =
            Double(p.routedExperts) * (1 + Double(d.redundantExperts) / Double(max(1, expertCount)))
            / Double(d.moeEP * d.moeTP)
        return Bytes((dense + tables) / Double(d.attentionTP) + expertsPerRank * d.expertPrecision.bytesPerElement)
    }

    var expertCount: Int {
        for layer in architecture.layers {
            if case .mixtureOfExperts(let moe) = layer.feedForward { return moe.experts }
        }
        return 0
    }

    /// Cache bytes one sequence holds on one rank at `context` tokens.
    public func cacheBytesPerSequence(context: Int) -> Bytes {
        var total = 0.0
        for layer in architecture.layers {
            let single = ModelArchitecture(
                name: "",
                family: "",
                hiddenSize: architecture.hiddenSize,
                vocabularySize: 1,
                tiedEmbeddings: true,
                layers: [layer]
            )
            total +=
                single.cacheBytes(atContext: context, bytesPerElement: deployment.kvBytesPerElement).value
                / kvSharding(layer, tp: deployment.attentionTP)
        }
        return Bytes(total)
    }
}
