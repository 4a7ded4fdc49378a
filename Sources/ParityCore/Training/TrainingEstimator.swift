/// Predicts one training step from first principles: per-stage compute at the stack's achieved
/// efficiencies, α–β collectives over the system's links, pipeline bubbles by schedule, and the
/// overlap each schedule allows.
///
/// - Compute: GEMM FLOPs at the precision's dense peak × `gemm_efficiency`, attention at the BF16
///   peak × `attention_efficiency`, element-wise traffic at HBM bandwidth × `memory_bandwidth_efficiency`.
///   Backward is twice the forward.
/// - Tensor parallelism: two all-reduces per layer forward and two backward (or the equal-volume
///   all-gather / reduce-scatter pairs of sequence parallelism) over the scale-up link, exposed.
/// - Expert parallelism: dispatch (FP8 when training in FP8, else BF16) and BF16 combine, forward and
///   backward; traffic crossing nodes goes over the NICs with node-limited routing where the model
///   has it. DualPipe hides it behind the other micro-batch's computation.
/// - Pipeline: 1F1B and GPipe idle `(pp−1)` stage-times, interleaved `(pp−1)/vpp`, DualPipe `(pp/2−1)`,
///   zero-bubble none.
/// - Data parallelism: gradient reduce-scatter (FP32) and parameter all-gather (BF16) with a
///   distributed optimizer, or an FP32 all-reduce without. The reduction hides behind the backward
///   passes left after a layer's last micro-batch (one micro-batch, or a round of `pp` where the stack
///   reduces virtual chunks as they finish), the gather behind the first forward passes.
public struct TrainingEstimator: Sendable {
    public var architecture: ModelArchitecture
    public var chip: Chip
    public var system: System?
    public var stack: SoftwareStack
    public var chips: Int
    public var sequenceLength: Int
    public var globalBatch: Int
    public var precision: Precision
    public var tokens: Double?
    public var conventions: Conventions

    /// How the source counts model FLOPs.
    public struct Conventions: Hashable, Sendable {
        public var attention: AttentionCounting
        public var includeRecompute: Bool
        public var mfuPrecision: Precision
        /// The source counts weight FLOPs only (`attention_flops: none`, the 6N convention).
        public var excludeAttention: Bool
        public init(
            attention: AttentionCounting = .causal,
            includeRecompute: Bool = false,
            mfuPrecision: Precision = .bf16,
            excludeAttention: Bool = false
        ) {
            self.attention = attention
            self.includeRecompute = includeRecompute
            self.mfuPrecision = mfuPrecision
            self.excludeAttention = excludeAttention
        }
    }

    public init(
        architecture: ModelArchitecture,
        chip: Chip,
        system: System?,
        stack: SoftwareStack,
        chips: Int,
        sequenceLength: Int,
        globalBatch: Int,
        precision: Precision,
        tokens: Double?,
        conventions: Conventions
    ) {
        self.architecture = architecture
        self.chip = chip
        self.system = system
        self.stack = stack
        self.chips = chips
        self.sequenceLength = sequenceLength
        self.globalBatch = globalBatch
        self.precision = precision
        self.tokens = tokens
        self.conventions = conventions
    }

    func parameter(_ p: SoftwareStack.Parameter) throws(EstimationError) -> Double {
        guard let v = stack.value(p) else {
            throw EstimationError("Stack '\(stack.name)' has no evidence for \(p.rawValue) on \(chip.name).")
        }
        return v
    }

    func peak(_ precision: ComputePrecision) throws(EstimationError) -> FLOPsPerSecond {
        if let p = chip.peak(precision) { return p }
        if precision == .bf16, let p = chip.peak(.fp16) { return p }
        throw EstimationError("\(chip.name) has no dense \(precision.rawValue) peak in the catalog.")
    }

    /// The links a chip's collectives cross.
    struct Links {
        var scaleUp: Link
        var scaleOut: Link?
        var domain: Int
    }

    func links() throws(EstimationError) -> Links {
        let latency = Seconds(try parameter(.collectiveLatency))
        let domain = system?.chips ?? chip.scaleUp?.maxDomain ?? 1
        var upBandwidth = system?.scaleUp.achievableBandwidthPerDirection
        if upBandwidth == nil,
            let bidirectional = system?.scaleUp.bidirectionalBandwidth ?? chip.scaleUp?.bidirectionalBandwidth
        {
            upBandwidth = bidirectional / 2 * (try parameter(.scaleUpEfficiency))
        }
        let up = Link(name: "scale-up", bandwidth: upBandwidth ?? BytesPerSecond(1), latency: latency)
        var out: Link?
        if let achievable = system?.scaleOut?.achievableBandwidth {
            out = Link(name: "scale-out", bandwidth: achievable, latency: latency)
        } else if let line = system?.scaleOut?.bandwidth ?? chip.scaleOut?.bandwidth {
            out = Link(name: "scale-out", bandwidth: line * (try parameter(.scaleOutEfficiency)), latency: latency)
        }
        if upBandwidth == nil && domain > 1 {
            throw EstimationError(
                "\(chip.name): no scale-up bandwidth in the catalog for \(system?.name ?? "its system")."
            )
        }
        return Links(scaleUp: up, scaleOut: out, domain: max(domain, 1))
    }

    /// The link a group of `ranks` ranks spaced `stride` apart crosses.
    func link(ranks: Int, stride: Int, _ links: Links) throws(EstimationError) -> Link {
        if ranks * stride <= links.domain { return links.scaleUp }
        guard let out = links.scaleOut else {
            throw EstimationError.noScaleOut(
                "A group of \(ranks) ranks",
                domain: links.domain,
                chip: chip.name
            )
        }
        return out
    }

    public func estimate(plan: TrainingPlan) throws(EstimationError) -> TrainingEstimate {
        let a = architecture
        let h = a.hiddenSize
        let s = sequenceLength
        guard plan.chips == chips else {
            throw EstimationError("The plan uses \(plan.chips) chips; the system has \(chips).")
        }
        guard globalBatch % (plan.dp * plan.microBatch) == 0 || globalBatch >= plan.dp * plan.microBatch else {
            throw EstimationError("Global batch \(globalBatch) is smaller than dp x micro_batch.")
        }
        guard s % plan.cp == 0 else { throw EstimationError("Sequence \(s) does not split over cp = \(plan.cp).") }
        guard (plan.dp * plan.cp * plan.tp) % plan.ep == 0 else {
            throw EstimationError(
                "ep = \(plan.ep) does not divide the \(plan.dp * plan.cp * plan.tp) data-, context- and tensor-parallel ranks of a stage."
            )
        }
        guard a.layers.count >= plan.pp * plan.vpp else {
            throw EstimationError("\(a.layers.count) layers cannot fill pp x vpp = \(plan.pp * plan.vpp) stages.")
        }
        let gemmPrecision = precision.computePrecision
        let gemmRate = try peak(gemmPrecision) * (try parameter(gemmEfficiencyParameter(gemmPrecision)))
        // Weight-gradient GEMMs, where the stack measured them apart (FP8 wgrad reduces over the token
        // dimension and runs slower than forward and data-gradient GEMMs).
        let wgradRate: FLOPsPerSecond
        if gemmPrecision == .fp8, let wgrad = stack.value(.gemmEfficiencyFP8Wgrad) {
            wgradRate = try peak(.fp8) * wgrad
        } else {
            wgradRate = gemmRate
        }
        // Low-precision recipes keep the embedding and output head in BF16.
        let headRate =
            gemmPrecision == .bf16 || gemmPrecision == .fp16 || gemmPrecision == .fp32 || gemmPrecision == .tf32
            ? gemmRate : try peak(.bf16) * (try parameter(.gemmEfficiencyBF16))
        let attentionRate = try peak(.bf16) * (try parameter(.attentionEfficiency))
        guard let hbm = chip.memory.bandwidth else {
            throw EstimationError("\(chip.name) has no memory bandwidth in the catalog.")
        }
        let memoryRate = hbm * (try parameter(.memoryBandwidthEfficiency))
        let links = try links()
        let tokens = plan.microBatch * s / plan.cp  // per chip per micro-batch
        let tokenCount = Double(tokens)
        let tp = Double(plan.tp)
        let activationBytes = 2.0  // BF16 activations

        // Ranks inside one scale-up domain along the data-parallel dimension.
        let ranksPerDomain = max(1, links.domain / (plan.tp * plan.cp))
        let tpLink = try link(ranks: plan.tp, stride: 1, links)
        let cpLink = try link(ranks: plan.cp, stride: plan.tp, links)

        // One layer's time per micro-batch on its stage, and where it goes.
        func cost(of layer: ModelArchitecture.Layer) throws(EstimationError) -> (Seconds, TrainingEstimate.Breakdown) {
            var b = TrainingEstimate.Breakdown()
            let gemmForward = tokenCount * layer.weightFLOPsPerToken(hidden: h) / tp
            // Without sequence parallelism every tensor-parallel rank runs the norms, dropouts and
            // residual adds on the whole hidden state (Korthikanti et al. 2022: 10 s b h of the
            // 34 s b h bytes a GPT layer stores are not split).
            let replicated = plan.tp > 1 && !plan.sequenceParallel ? 5 * Double(h) * (1 - 1 / tp) : 0
            let elementwiseForward =
                tokenCount * (Double(layer.activationElementsPerToken(hidden: h)) / tp + replicated)
                * activationBytes * 2
            b.gemm = FLOPs(2 * gemmForward) / gemmRate + FLOPs(gemmForward) / wgradRate
            b.elementwise = Bytes(3 * elementwiseForward) / memoryRate
            // Attention core: fused (FlashAttention) at the attention efficiency over the causal half,
            // or, on stacks that write the score matrix out, batched GEMMs over the whole square plus
            // the scores' trips through memory.
            let attentionForward: Seconds
            let attentionBackward: Seconds
            if let forwardBytes = stack.value(.attentionScoreBytesForward),
                let backwardBytes = stack.value(.attentionScoreBytesBackward),
                case .standard(let standard) = layer.attention
            {
                let flops = tokenCount * layer.trainingCoreFLOPsPerToken(sequence: s, counting: .full) / tp
                let scores = tokenCount * Double(s) * Double(standard.queryHeads) / tp
                attentionForward = FLOPs(flops) / gemmRate + Bytes(forwardBytes * scores) / memoryRate
                attentionBackward = FLOPs(2 * flops) / gemmRate + Bytes(backwardBytes * scores) / memoryRate
            } else {
                let flops = tokenCount * layer.trainingCoreFLOPsPerToken(sequence: s, counting: .causal) / tp
                attentionForward = FLOPs(flops) / attentionRate
                attentionBackward = FLOPs(2 * flops) / attentionRate
            }
            b.attention = attentionForward + attentionBackward
            switch plan.recompute {
            case .full:
                b.recompute = FLOPs(gemmForward) / gemmRate + attentionForward + Bytes(elementwiseForward) / memoryRate
            case .selective:
                b.recompute = attentionForward
            case .none: break
            }
            let compute = b.gemm + b.attention + b.elementwise + b.recompute
            if plan.tp > 1 {
                let bytes = Bytes(tokenCount * Double(h) * activationBytes)
                // Two all-reduces forward and two backward (sequence parallelism moves the same volume).
                b.tensorParallel = Collective.allReduce(bytes: bytes, ranks: plan.tp, link: tpLink) * 4
            }
            if plan.cp > 1, case .standard(let attention) = layer.attention {
                let kvBytes = Bytes(tokenCount * Double(attention.keyWidth + attention.valueWidth) * activationBytes)
                // Ring exchange of K and V, forward and backward (twice the volume), overlapped with attention.
                let exchange = Collective.allGather(bytes: kvBytes * Double(plan.cp), ranks: plan.cp, link: cpLink) * 3
                b.contextParallel = max(.zero, exchange - b.attention)
            }
            if plan.ep > 1, case .mixtureOfExperts(let moe) = layer.feedForward {
                let a2a = try expertAllToAll(
                    moe: moe,
                    tokens: tokenCount,
                    plan: plan,
                    links: links,
                    ranksPerDomain: ranksPerDomain
                )
                if plan.schedule == .dualpipe {
                    b.expertParallel = max(.zero, a2a - compute)
                    b.expertParallelHidden = a2a - b.expertParallel
                    // Communication kernels take streaming multiprocessors from the computation they overlap.
                    let remaining = stack.value(.overlapComputeFraction) ?? 1
                    b.overlapSlowdown = min(compute, a2a) * (1 / remaining - 1)
                } else {
                    b.expertParallel = a2a
                }
            }
            return (compute + b.overlapSlowdown + b.tensorParallel + b.contextParallel + b.expertParallel, b)
        }
        var layerTimes: [Seconds] = []
        var breakdownPerLayer: [TrainingEstimate.Breakdown] = []
        for layer in a.layers {
            let (time, b) = try cost(of: layer)
            layerTimes.append(time)
            breakdownPerLayer.append(b)
        }
        // The last stage also runs the head and its loss, and any multi-token-prediction modules: each
        // one more decoder layer, its input projection and the shared head again.
        let headForward = tokenCount * a.headFLOPsPerToken.value / tp
        let head = FLOPs(3 * headForward) / headRate
        var tail = TrainingEstimate.Breakdown()
        tail.gemm = head
        var tailTime = head
        if let mtp = a.multiTokenPrediction, mtp.modules > 0 {
            let (time, b) = try cost(of: mtp.layer)
            let projection = FLOPs(3 * tokenCount * 2 * Double(mtp.extraParameters) / tp) / gemmRate
            let modules = Double(mtp.modules)
            tailTime = tailTime + (time + projection + head) * modules
            tail = tail + b * modules
            tail.gemm = tail.gemm + (projection + head) * modules
        }

        // Stages: contiguous layers balanced so the slowest stage is as fast as it can be, the last
        // stage carrying the head (and MTP modules) with fewer layers, as frameworks let one set it.
        let stages = plan.pp
        let perStage = balancedStages(layerTimes.map(\.value), into: stages, lastExtra: tailTime.value)
        var stageTimes: [Seconds] = []
        var stageBreakdowns: [TrainingEstimate.Breakdown] = []
        var start = 0
        for (index, count) in perStage.enumerated() {
            var time = Seconds.zero
            var b = TrainingEstimate.Breakdown()
            for i in start..<(start + count) {
                time = time + layerTimes[i]
                b = b + breakdownPerLayer[i]
            }
            if index == stages - 1 {
                time = time + tailTime
                b = b + tail
            }
            if stages > 1 {
                let pipeLink = try link(ranks: 2, stride: links.domain, links)
                let send =
                    Collective.send(bytes: Bytes(tokenCount * Double(h) * activationBytes / tp), link: pipeLink) * 2
                time = time + send
                b.pipelineSends = send
            }
            stageTimes.append(time)
            stageBreakdowns.append(b)
            start += count
        }
        let slowest = stageTimes.indices.max { stageTimes[$0] < stageTimes[$1] } ?? 0
        let stageTime = stageTimes[slowest]
        let microBatches = Double(globalBatch) / Double(plan.dp * plan.microBatch)
        let bubbleStages: Double
        switch plan.schedule {
        case .oneFOneB, .gpipe: bubbleStages = Double(plan.pp - 1)
        case .interleaved: bubbleStages = Double(plan.pp - 1) / Double(plan.vpp)
        case .dualpipe: bubbleStages = max(0, Double(plan.pp) / 2 - 1)
        case .zeroBubble: bubbleStages = 0
        }
        var breakdown = stageBreakdowns[slowest] * microBatches
        breakdown.bubble = stageTime * bubbleStages

        // Data parallelism and the optimizer.
        let parameters = a.parameters
        let expertParameters = Double(parameters.routedExperts)
        let denseParameters = Double(parameters.total) - expertParameters
        let denseShard = denseParameters / Double(plan.tp * plan.pp)
        let expertShard = expertParameters / Double(plan.ep * plan.pp)
        let expertDataParallel = max(1, plan.dp * plan.cp * plan.tp / plan.ep)
        let dataParallel = plan.dp * plan.cp
        // Data-parallel collectives run hierarchically: among the group's ranks inside a scale-up domain
        // over its links, then across domains on each rank's share over the NICs.
        func hierarchical(
            _ bytes: Double,
            ranks: Int,
            stride: Int,
            _ collective: (Bytes, Int, Link) -> Seconds
        ) throws(EstimationError) -> Seconds {
            // Members `stride` chips apart: the dense group (context-parallel ranks included) is strided by
            // tensor parallelism, the expert group by expert parallelism.
            let inside = max(1, min(ranks, links.domain / max(1, stride)))
            if inside >= ranks { return collective(Bytes(bytes), ranks, links.scaleUp) }
            guard let out = links.scaleOut else {
                throw EstimationError.noScaleOut(
                    "A group of \(ranks) ranks",
                    domain: links.domain,
                    chip: chip.name
                )
            }
            let outside = (ranks + inside - 1) / inside
            return collective(Bytes(bytes), inside, links.scaleUp)
                + collective(Bytes(bytes / Double(inside)), outside, out)
        }
        // Gradients are reduce-scattered (FP32) or all-reduced; with a distributed optimizer the updated
        // BF16 parameters are all-gathered before the next step's forward.
        func gradientSync(_ shard: Double, ranks: Int, stride: Int) throws(EstimationError) -> Seconds {
            guard ranks > 1, shard > 0 else { return .zero }
            if plan.zero >= 1 {
                return try hierarchical(shard * 4, ranks: ranks, stride: stride) {
                    Collective.allGather(bytes: $0, ranks: $1, link: $2)
                }
            }
            return try hierarchical(shard * 4, ranks: ranks, stride: stride) {
                Collective.allReduce(bytes: $0, ranks: $1, link: $2)
            }
        }
        func parameterGather(_ shard: Double, ranks: Int, stride: Int) throws(EstimationError) -> Seconds {
            guard ranks > 1, shard > 0, plan.zero >= 1 else { return .zero }
            return try hierarchical(shard * 2, ranks: ranks, stride: stride) {
                Collective.allGather(bytes: $0, ranks: $1, link: $2)
            }
        }
        let reduceTime =
            try gradientSync(denseShard, ranks: dataParallel, stride: plan.tp)
            + gradientSync(expertShard, ranks: expertDataParallel, stride: plan.ep)
        let fullGather =
            try parameterGather(denseShard, ranks: dataParallel, stride: plan.tp)
            + parameterGather(expertShard, ranks: expertDataParallel, stride: plan.ep)
        // ZeRO-3 keeps parameters sharded and gathers them again for every micro-batch's forward and
        // backward, prefetched behind the stage's computation; there is no gather after the optimizer.
        let gatherTime = plan.zero >= 3 ? Seconds.zero : fullGather
        var shardedGathers = Seconds.zero
        var shardedExposed = Seconds.zero
        if plan.zero >= 3 {
            shardedGathers = fullGather * 2 * microBatches
            shardedExposed = max(.zero, shardedGathers - stageTime * microBatches)
        }
        // Gradients of a layer are final after its last micro-batch's backward, so their reduction hides
        // behind the backward passes that follow it on the stage (`gradient_overlap`): none, one
        // micro-batch's backward, or, where the stack reduces each virtual chunk as it finishes, the
        // last round of `pp` micro-batches, whose backward passes finish the chunks one after another.
        // The parameter gather hides behind the first forward passes in the same way.
        let overlap = stack.value(.gradientOverlap) ?? 1
        let perChunk = overlap >= 2 && plan.vpp > 1
        let overlappedMicroBatches = overlap < 1 ? 0 : perChunk ? min(Double(plan.pp), microBatches) : 1
        let reduceWindow = stageTime * (2.0 / 3.0) * overlappedMicroBatches
        let gatherWindow = stageTime * (1.0 / 3.0) * overlappedMicroBatches
        // Per chunk, the chunk that finishes last has nothing left to hide behind.
        let lastChunk = perChunk ? reduceTime / Double(plan.vpp) : .zero
        breakdown.dataParallel =
            max(lastChunk, reduceTime - reduceWindow) + max(.zero, gatherTime - gatherWindow)
        breakdown.dataParallel = breakdown.dataParallel + shardedExposed
        breakdown.dataParallelHidden = reduceTime + gatherTime + shardedGathers - breakdown.dataParallel
        let optimizerShard =
            plan.zero >= 1
            ? denseShard / Double(dataParallel) + expertShard / Double(expertDataParallel)
            : denseShard + expertShard
        // Adam in FP32: read weight, gradient and two moments, write weight, moments and the BF16 copy.
        breakdown.optimizer = Bytes(optimizerShard * 30) / memoryRate

        let step = stageTime * (microBatches + bubbleStages) + breakdown.dataParallel + breakdown.optimizer
        let tokensPerStep = Double(globalBatch * s)
        let tokensPerSecondPerChip = tokensPerStep / step.value / Double(chips)
        var modelFLOPs = a.trainingFLOPsPerToken(sequenceLength: s, counting: conventions.attention)
        if conventions.excludeAttention {
            modelFLOPs = (a.weightFLOPsPerToken + a.headFLOPsPerToken) * 3
        }
        if conventions.includeRecompute {
            modelFLOPs = modelFLOPs + recomputeFLOPsPerToken(plan: plan)
        }
        let mfuPeak = try peak(conventions.mfuPrecision.computePrecision)
        let modelTFLOPs = tokensPerSecondPerChip * modelFLOPs.value / 1e12
        var notes = plan.assumptions
        notes.append("Efficiencies from stack '\(stack.name)'.")
        let memory = memoryPerChip(
            plan: plan,
            denseShard: denseShard,
            expertShard: expertShard,
            tokens: tokenCount,
            stageLayers: perStage
        )
        let named = breakdown.parts.map { ($0.name, $0.time.value) }
        let bottleneck = named.max { $0.1 < $1.1 }?.0 ?? "gemm"
        return TrainingEstimate(
            plan: plan,
            stack: stack.name,
            stepTime: step,
            tokensPerSecondPerChip: tokensPerSecondPerChip,
            modelFLOPsPerToken: modelFLOPs,
            modelTFLOPsPerChip: modelTFLOPs,
            mfu: modelTFLOPs * 1e12 / mfuPeak.value,
            mfuPeak: mfuPeak,
            chipHours: self.tokens.map { $0 / tokensPerSecondPerChip / 3_600 },
            days: self.tokens.map { $0 / (tokensPerSecondPerChip * Double(chips)) / 86_400 },
            memoryPerChip: memory,
            memoryCapacity: chip.memory.capacity,
            breakdown: breakdown,
            bottleneck: bottleneck,
            notes: notes
        )
    }

    func gemmEfficiencyParameter(_ precision: ComputePrecision) -> SoftwareStack.Parameter {
        stack.gemmEfficiency(precision)?.parameter ?? .gemmEfficiencyBF16
    }

    /// Dispatch and combine of one MoE layer, forward and backward, for one chip's tokens.
    func expertAllToAll(
        moe: MixtureOfExperts,
        tokens: Double,
        plan: TrainingPlan,
        links: Links,
        ranksPerDomain: Int
    ) throws(EstimationError) -> Seconds {
        let dispatchBytes: Double = [.fp8, .mxfp8, .hif8].contains(precision) ? 1 : 2
        let time = try ExpertAllToAll.dispatchAndCombine(
            tokens: tokens,
            hidden: architecture.hiddenSize,
            dispatchBytes: dispatchBytes,
            moe: moe,
            ranks: plan.ep,
            ranksPerDomain: ranksPerDomain,
            scaleUp: links.scaleUp,
            scaleOut: links.scaleOut
        )
        return time * 2  // forward and backward
    }

    /// FLOPs recomputation adds per token (hardware FLOPs beyond the model's).
    func recomputeFLOPsPerToken(plan: TrainingPlan) -> FLOPs {
        let a = architecture
        switch plan.recompute {
        case .none: return .zero
        case .full:
            return FLOPs(
                a.trainingFLOPsPerToken(sequenceLength: sequenceLength, counting: conventions.attention).value / 3
            )
                - a.headFLOPsPerToken
        case .selective:
            let attention = a.layers.reduce(0.0) {
                $0 + $1.trainingCoreFLOPsPerToken(sequence: sequenceLength, counting: conventions.attention)
            }
            return FLOPs(attention)
        }
    }

    /// Weights, gradients and optimizer states by ZeRO stage, and the activations of the stage that
    /// holds the most: each stage's layers times the micro-batches it keeps in flight (`pp − i` on
    /// stage `i` under 1F1B, more with virtual stages, `pp + 1` on every rank under DualPipe, which
    /// also keeps a second copy of the parameters: DeepSeek-V3 report, Table 2), per chip.
    func memoryPerChip(
        plan: TrainingPlan,
        denseShard: Double,
        expertShard: Double,
        tokens: Double,
        stageLayers: [Int]
    ) -> Bytes {
        let dataParallel = Double(plan.dp * plan.cp)
        let expertDataParallel = Double(max(1, plan.dp * plan.cp * plan.tp / plan.ep))
        let shard = denseShard + expertShard
        let weights = shard * 2 * (plan.schedule == .dualpipe ? 2 : 1)
        let gradients = plan.zero >= 2 ? (denseShard / dataParallel + expertShard / expertDataParallel) * 4 : shard * 4
        let states =
            plan.zero >= 1 ? (denseShard / dataParallel + expertShard / expertDataParallel) * 12 : shard * 12
        let weightBytes = plan.zero >= 3 ? weights / dataParallel : weights
        let h = architecture.hiddenSize
        let pp = Double(plan.pp)
        var peak = 0.0
        var start = 0
        for (stage, count) in stageLayers.enumerated() {
            var perMicroBatch = 0.0
            for layer in architecture.layers[start..<min(architecture.layers.count, start + count)] {
                switch plan.recompute {
                case .full: perMicroBatch += tokens * Double(h) * 2
                default:
                    perMicroBatch += tokens * Double(layer.activationElementsPerToken(hidden: h)) * 2 / Double(plan.tp)
                }
            }
            start += count
            let behind = pp - Double(stage)
            let inFlight: Double
            switch plan.schedule {
            case .interleaved: inFlight = behind * (1 + (pp - 1) / (pp * Double(plan.vpp)))
            case .dualpipe: inFlight = pp + 1
            default: inFlight = behind
            }
            peak = max(peak, perMicroBatch * inFlight)
        }
        return Bytes(weightBytes + gradients + states + peak)
    }
}

func splitEvenly(_ n: Int, into parts: Int) -> [Int] {
    let base = n / parts
    let extra = n % parts
    return (0..<parts).map { $0 < extra ? base + 1 : base }
}

/// Layer counts of `parts` contiguous stages (first to last, each at least one layer) that make the
/// slowest stage as fast as possible, the last stage also carrying `lastExtra`.
func balancedStages(_ times: [Double], into parts: Int, lastExtra: Double) -> [Int] {
    guard parts > 1, times.count > parts else { return splitEvenly(times.count, into: parts) }
    // Fill stages from the last, each up to `limit`: the stages needed, and their layer counts when asked.
    func fill(_ limit: Double, counts: inout [Int]?) -> Int {
        var stages = 1
        var load = lastExtra
        var count = 0
        for time in times.reversed() {
            if count > 0 && load + time > limit {
                counts?.append(count)
                stages += 1
                count = 0
                load = 0
            }
            load += time
            count += 1
        }
        counts?.append(count)
        return stages
    }
    var none: [Int]? = nil
    var low = times.max() ?? 0
    var high = times.reduce(0, +) + lastExtra
    for _ in 0..<64 where high - low > 1e-9 * high {
        let middle = (low + high) / 2
        if fill(middle, counts: &none) <= parts { high = middle } else { low = middle }
    }
    var filled: [Int]? = []
    _ = fill(high, counts: &filled)
    var counts = Array((filled ?? []).reversed())
    if counts.count > parts { counts = splitEvenly(times.count, into: parts) }
    // Fewer stages than asked: halve the largest until there are enough (no stage gets slower).
    while counts.count < parts, let i = counts.indices.max(by: { counts[$0] < counts[$1] }), counts[i] > 1 {
        let moved = counts[i] / 2
        counts[i] -= moved
        counts.insert(moved, at: i + 1)
    }
    return counts
}

extension TrainingEstimate.Breakdown {
    static func + (lhs: Self, rhs: Self) -> Self {
        var r = lhs
        r.gemm = lhs.gemm + rhs.gemm
        r.attention = lhs.attention + rhs.attention
        r.elementwise = lhs.elementwise + rhs.elementwise
        r.recompute = lhs.recompute + rhs.recompute
        r.tensorParallel = lhs.tensorParallel + rhs.tensorParallel
        r.contextParallel = lhs.contextParallel + rhs.contextParallel
        r.expertParallel = lhs.expertParallel + rhs.expertParallel
        r.expertParallelHidden = lhs.expertParallelHidden + rhs.expertParallelHidden
        r.overlapSlowdown = lhs.overlapSlowdown + rhs.overlapSlowdown
        r.pipelineSends = lhs.pipelineSends + rhs.pipelineSends
        r.bubble = lhs.bubble + rhs.bubble
        r.dataParallel = lhs.dataParallel + rhs.dataParallel
        r.dataParallelHidden = lhs.dataParallelHidden + rhs.dataParallelHidden
        r.optimizer = lhs.optimizer + rhs.optimizer
        return r
    }

    static func * (lhs: Self, factor: Double) -> Self {
        var r = Self()
        r.gemm = lhs.gemm * factor
        r.attention = lhs.attention * factor
        r.elementwise = lhs.elementwise * factor
        r.recompute = lhs.recompute * factor
        r.tensorParallel = lhs.tensorParallel * factor
        r.contextParallel = lhs.contextParallel * factor
        r.expertParallel = lhs.expertParallel * factor
        r.expertParallelHidden = lhs.expertParallelHidden * factor
        r.overlapSlowdown = lhs.overlapSlowdown * factor
        r.pipelineSends = lhs.pipelineSends * factor
        r.bubble = lhs.bubble * factor
        r.dataParallel = lhs.dataParallel * factor
        r.dataParallelHidden = lhs.dataParallelHidden * factor
        r.optimizer = lhs.optimizer * factor
        return r
    }
}

/// `x^n` for a whole `n ≥ 0` by repeated squaring, for the core, which does not import Foundation.
func power(_ x: Double, _ n: Int) -> Double {
    var result = 1.0
    var base = x
    var exponent = max(0, n)
    while exponent > 0 {
        if exponent & 1 == 1 { result *= base }
        base *= base
        exponent >>= 1
    }
    return result
}
