import Foundation
import ParityCore
internal import ParitySimulation

extension SoftwareStack {
    /// The busiest expert rank's load over the mean at `ep` ranks, with the balancer on or off: the
    /// stack's measured ratio, its excess over 1 scaled by log2(EP) from the degree it was measured at
    /// (the busiest of more ranks strays further from the mean, as SGLang's simulation of DeepSeek
    /// routing shows). Nil without evidence or without expert parallelism.
    func expertImbalance(balanced: Bool, ep: Int) -> (value: Double, measured: Double, reference: Int?)? {
        guard ep > 1, let measured = value(balanced ? .expertImbalanceBalanced : .expertImbalanceUnbalanced) else {
            return nil
        }
        guard let reference = value(.expertImbalanceReferenceEP), reference > 1, Int(reference.rounded()) != ep
        else { return (measured, measured, nil) }
        return (1 + (measured - 1) * log2(Double(ep)) / log2(reference), measured, Int(reference.rounded()))
    }
}

extension ScenarioFile {
    /// A serving pool resolved into a deployment on this scenario's chip.
    struct Pool {
        /// One pipeline stage's deployment (the whole instance without pipeline parallelism).
        var deployment: ServingDeployment
        var estimator: ServingEstimator
        /// Chips of one instance, every stage included.
        var chips: Int
        var instances: Int
        /// Pipeline stages of a decode pool: each holds `1 / stages` of the layers and their cache.
        var stages: Int = 1

        /// Weight bytes on a rank of one stage.
        var weightBytesPerRank: Double { estimator.weightBytesPerRank.value / Double(stages) }

        /// Cache bytes of one sequence on a rank of one stage.
        func cacheBytesPerSequence(context: Int) -> Double {
            estimator.cacheBytesPerSequence(context: context).value / Double(stages)
        }
    }

    /// One decode step of `batch` sequences per attention-DP group. With pipeline stages the batch
    /// runs as up to `stages` micro-batches, one per stage at a time: a micro-batch's token passes
    /// every layer (the whole model's step at the micro-batch) and crosses `stages - 1` stage
    /// boundaries, while the other micro-batches keep the other stages busy. The step's time is
    /// then the time between two tokens of one sequence.
    func decodeStep(
        _ pool: Pool,
        batch: Int,
        context: Int,
        promptTokens: Int,
        promptLength: Int,
        tokenBudget: Int?
    ) throws -> (breakdown: ServingEstimator.StepBreakdown, time: Double, microBatch: Int, hops: Double) {
        let micro = pool.stages > 1 ? (batch + min(pool.stages, batch) - 1) / min(pool.stages, batch) : batch
        let breakdown = try pool.estimator.mixedStep(
            batch: micro,
            context: context,
            promptTokens: promptTokens,
            promptLength: promptLength,
            tokenBudget: tokenBudget
        )
        var hops = 0.0
        if pool.stages > 1 {
            let links = try pool.estimator.links()
            var link = links.up
            if pool.deployment.ranks * pool.stages > links.domain {
                guard let out = links.out else {
                    throw EstimationError.noScaleOut(
                        "plan.decode: \(pool.stages) stages over \(pool.deployment.ranks * pool.stages) ranks",
                        domain: links.domain,
                        chip: chip.name
                    )
                }
                link = out
            }
            let activation =
                Double(micro * (1 + pool.deployment.draftTokens))
                * Double(architecture.hiddenSize * architecture.residualStreams) * 2
            hops = Double(pool.stages - 1) * Collective.send(bytes: Bytes(activation), link: link).value
        }
        return (breakdown, breakdown.total.value + hops, micro, hops)
    }

    func pool(
        _ stated: Plan.Pool,
        serving: Workload.Serving,
        stack: SoftwareStack,
        role: String,
        notes: inout [String]
    )
        throws -> Pool
    {
        let chips = stated.chips ?? scenario.system.chips
        if stated.chips == nil { notes.append("\(role) pool chips not stated: all \(chips) chips assumed.") }
        let perChip = stated.ranksPerChip ?? chip.ranksPerChip
        if stated.ranksPerChip == nil && chip.ranksPerChip > 1 {
            notes.append(
                "\(role) pool: \(chip.ranksPerChip) ranks per \(chip.name), one per device, as the catalog says."
            )
        }
        // A decode pool's pipeline stages each hold `1 / pp` of the layers on `chips / pp` chips; the
        // deployment below is one stage's.
        let stages = role == "decode" ? max(1, stated.pp ?? 1) : 1
        guard chips % stages == 0 else {
            throw EstimationError("plan.\(role): pp \(stages) does not divide \(chips) chips into equal stages.")
        }
        guard architecture.layers.count >= stages else {
            throw EstimationError("plan.\(role): pp \(stages) exceeds the model's \(architecture.layers.count) layers.")
        }
        let ranks = chips / stages * perChip
        // Layout errors name the ranks a degree must divide: a stage's when the pool has stages.
        let rankWords =
            stages > 1 ? "\(ranks) ranks per pipeline stage (\(chips) chips / pp \(stages))" : "\(ranks) ranks"
        let isMoE = architecture.mixtureOfExpertsLayerCount > 0
        var attentionDP = stated.attentionDP ?? 1
        if stated.attentionDP == nil, let tp = stated.tp {
            guard tp >= 1, ranks % tp == 0 else {
                throw EstimationError("plan.\(role).tp: \(tp) does not divide \(rankWords).")
            }
            attentionDP = ranks / tp
        }
        if stated.attentionDP == nil && stated.tp == nil {
            // Large MoE pools run data-parallel attention; dense models tensor-parallel attention in one domain.
            let domain = (system?.chips ?? chip.scaleUp?.maxDomain ?? 1) * perChip
            let tp = isMoE ? 1 : min(ranks, domain)
            attentionDP = max(1, ranks / tp)
            notes.append("\(role) pool layout not stated: attention TP \(tp) x DP \(attentionDP) assumed.")
        }
        guard ranks % attentionDP == 0 else {
            throw EstimationError("\(role) pool: attention_dp \(attentionDP) does not divide \(rankWords).")
        }
        let ep = isMoE ? (stated.ep ?? (stated.tp == nil && stated.attentionDP == nil ? ranks : 1)) : 1
        guard ranks % ep == 0 else { throw EstimationError("\(role) pool: ep \(ep) does not divide \(rankWords).") }
        let (released, precisionNote) = deployedPrecision(stack: stack)
        if serving.weightsPrecision == nil { notes.append(precisionNote) }
        let experts = serving.weightsPrecision ?? released.experts
        let dense = serving.attentionPrecision ?? serving.weightsPrecision ?? released.dense
        let kv = serving.kvCachePrecision?.bytesPerElement ?? 2
        if serving.kvCachePrecision == nil { notes.append("kv_cache_precision not stated: a BF16 cache assumed.") }
        let weightOnly =
            released.weightOnlyExperts && serving.weightsPrecision == nil
            || (experts.computePrecision == .fp4 && chip.peak(.fp4) == nil)
        // Expert imbalance as the plan states it: the stack's measured ratio with or without its load
        // balancer, none when perfect; unstated, experts are taken as balanced and the note says so.
        var imbalance = 1.0
        if ep > 1 {
            // Unstated, the engines' balancer is taken as on where the stack measured it.
            let balancing = stated.expertBalancing ?? (stack.value(.expertImbalanceBalanced) != nil ? .enabled : nil)
            switch balancing {
            case .enabled?, .disabled?:
                let parameter: SoftwareStack.Parameter =
                    balancing == .enabled ? .expertImbalanceBalanced : .expertImbalanceUnbalanced
                if let (value, measured, reference) = stack.expertImbalance(balanced: balancing == .enabled, ep: ep) {
                    let scaled =
                        reference.map {
                            ", measured \(formatNumber(measured, decimals: 2))x at EP\($0) and scaled to EP\(ep) by log2(EP)"
                        } ?? ""
                    imbalance = value
                    if stated.expertBalancing == nil {
                        notes.append(
                            "eplb not stated: the engine's expert load balancer taken as on, as SGLang, TensorRT-LLM and DeepSeek run wide expert parallelism (vLLM's is opt-in: state eplb: false for it); the bands span perfect balance to none."
                        )
                    }
                    notes.append(
                        "Busiest expert rank carries \(formatNumber(value, decimals: 2))x the mean (\(parameter.rawValue) of '\(stack.name)'\(scaled))."
                    )
                } else {
                    notes.append(
                        "No evidence for \(parameter.rawValue) in '\(stack.name)': experts are taken as balanced."
                    )
                }
            case .perfect?: break
            case nil: notes.append("eplb not stated: experts are taken as balanced.")
            }
        }
        for (key, degree) in [("pp", role == "decode" ? nil : stated.pp), ("cp", stated.cp)] {
            if let degree, degree > 1 {
                throw EstimationError(
                    "\(scenario.id): plan.\(role).\(key) is \(degree), but Parity models \(key == "pp" ? "pipeline parallelism only in prefill and decode pools" : "context parallelism only in a prefill pool"), and leaving it out would misstate memory and step time. Fix: state the pool without it, or leave this case unpredicted."
                )
            }
        }
        let deployment = ServingDeployment(
            ranks: ranks,
            attentionDP: attentionDP,
            moeEP: ep,
            moeTP: ranks / ep,
            redundantExperts: stated.redundantExperts ?? 0,
            densePrecision: dense,
            expertPrecision: experts,
            weightOnly: weightOnly,
            kvBytesPerElement: kv,
            twoBatchOverlap: stated.twoBatchOverlap ?? false,
            draftTokens: serving.speculative?.tokens ?? 0,
            acceptance: serving.speculative?.acceptance ?? 0,
            ranksPerChip: perChip,
            expertImbalance: imbalance
        )
        return Pool(
            deployment: deployment,
            estimator: ServingEstimator(
                architecture: architecture,
                chip: chip,
                system: system,
                stack: stack,
                deployment: deployment
            ),
            chips: chips,
            instances: stated.instances ?? 1,
            stages: stages
        )
    }

    /// The weights' precision when the workload does not state it: as released where the chip
    /// computes that format; otherwise the nearest format it does (FP8 → INT8), as the vendors'
    /// stacks deploy such models (W8A8 INT8 on Ascend through MindIE and vLLM-Ascend). Where the
    /// stack has no evidence for that format's GEMMs but has BF16, the released weights are kept and
    /// dequantised to BF16 in the GEMM, as vLLM runs FP8 checkpoints on Ampere (W8A16, FP8 Marlin).
    /// FP4 experts on a chip without FP4 run weight-only, as released. The note says what was assumed.
    func deployedPrecision(stack: SoftwareStack) -> (WeightPrecision, note: String) {
        var precision = architecture.releasedPrecision
        let released = precision
        func deployed(_ p: Precision) -> Precision {
            p.computePrecision == .fp4 ? p : Comparison.nearestComputed(p, on: chip)
        }
        precision.dense = deployed(released.dense)
        precision.experts = deployed(released.experts)
        let pair = { (p: WeightPrecision) in "\(p.dense.rawValue)/\(p.experts.rawValue)" }
        guard precision != released else {
            return (precision, "weights_precision not stated: the released \(pair(released)) weights assumed.")
        }
        let unmeasured = [precision.dense, precision.experts].contains { p in
            p.computePrecision != .bf16 && stack.gemmEfficiency(p.computePrecision) == nil
        }
        if unmeasured, stack.gemmEfficiency(.bf16) != nil {
            var weightOnly = released
            weightOnly.weightOnlyExperts = true
            return (
                weightOnly,
                "weights_precision not stated: \(chip.name) has no tensor peak for the released \(pair(released)) weights and '\(stack.name)' no evidence for \(pair(precision)) GEMMs, so the released weights are kept and dequantised to BF16 in each GEMM (W8A16), as vLLM runs FP8 checkpoints on Ampere with its FP8 Marlin kernels (vllm_fp8_docs)."
            )
        }
        let why =
            chip.vendor.lowercased().contains("huawei") ? ", as MindIE and vLLM-Ascend deploy DeepSeek (W8A8)" : ""
        return (
            precision,
            "weights_precision not stated: \(chip.name) has no tensor peak for the released \(pair(released)) weights, so they are taken as deployed in \(pair(precision))\(why)."
        )
    }

    /// A prefill pool with pipeline stages (`pp`) and context parallelism (`cp`), as long-prompt
    /// deployments run it: each stage holds `1 / pp` of the layers on `chips / pp` chips, its
    /// attention-DP groups share one prompt `cp` ways, and the prompt passes through the stages in
    /// chunks of the token budget (the plan's, else the stack's), cut from the whole prompt before
    /// context parallelism splits each chunk, so chunks pipeline across stages.
    ///
    /// Without a stated concurrency prompts are taken one at a time, as single-request TTFT sweeps
    /// measure them: the rate is the prompt over its TTFT. With `concurrency` requests queued, their
    /// chunks keep the stages busy.
    func pipelinedPrefill(
        _ stated: Plan.Pool,
        input: Int,
        serving: Workload.Serving,
        stack: SoftwareStack,
        notes: inout [String]
    ) throws -> (pass: ServingEstimator.StepBreakdown, rate: Double, ttft: Double, chips: Int) {
        let pp = stated.pp ?? 1
        let cp = stated.cp ?? 1
        let chips = stated.chips ?? scenario.system.chips
        guard chips % pp == 0 else {
            throw EstimationError("plan.prefill: pp \(pp) does not divide \(chips) chips into equal stages.")
        }
        guard architecture.layers.count >= pp else {
            throw EstimationError("plan.prefill: pp \(pp) exceeds the model's \(architecture.layers.count) layers.")
        }
        var stage = stated
        stage.chips = chips / pp
        stage.pp = nil
        stage.cp = nil
        if cp > 1 {
            if let dp = stated.attentionDP, dp != cp {
                throw EstimationError(
                    "plan.prefill: attention_dp \(dp) and cp \(cp) disagree; context parallelism spreads one prompt over the attention-DP groups, so give one of them."
                )
            }
            stage.attentionDP = cp
        }
        var pool = try pool(stage, serving: serving, stack: stack, role: "prefill", notes: &notes)
        pool.deployment.contextParallel = cp
        pool.estimator.deployment.contextParallel = cp
        // Each stage holds its share of the weights; they must fit beside the activations.
        if let capacity = chip.memory.capacity, let usable = stack.value(.usableMemoryFraction) {
            let perRank = capacity.value / Double(pool.deployment.ranksPerChip) * usable
            let weights = pool.estimator.weightBytesPerRank.value / Double(pp)
            guard weights < perRank else {
                throw EstimationError(
                    "plan.prefill: a stage's weights (\(formatNumber(weights / 1e9, decimals: 1)) GB per rank) do not fit in the \(formatNumber(perRank / 1e9, decimals: 1)) GB a rank has."
                )
            }
        }
        // The whole prompt through all the layers, each group holding `1 / cp` of its tokens.
        let cached = serving.cachedInputFraction ?? 0
        let perGroup = max(1, Int(Double(input / cp) * (1 - cached)))
        let pass = try pool.estimator.prefill(tokens: perGroup, sequenceLength: input)
        // The scheduler's token budget cuts the prompt into chunks before context parallelism splits
        // each chunk over the groups (SGLang and vLLM budget a request's tokens, not a rank's share);
        // a stage runs `1 / pp` of the layers of each chunk.
        let budget = stated.maxNumTokens ?? stated.batchTokens ?? stack.value(.prefillChunkTokens).map { Int($0) }
        let computedPrompt = max(1, Int(Double(input) * (1 - cached)))
        let chunks = budget.map { max(1, Int((Double(computedPrompt) / Double(max(1, $0))).rounded(.up))) } ?? 1
        let perStageChunk = pass.total.value / Double(pp) / Double(chunks)
        // Between stages each chunk's activations cross to the next stage's chips.
        let links = try pool.estimator.links()
        var stageLink = links.up
        if pool.deployment.ranks * pp > links.domain {
            guard let out = links.out else {
                throw EstimationError.noScaleOut(
                    "plan.prefill: \(pp) stages over \(pool.deployment.ranks * pp) ranks",
                    domain: links.domain,
                    chip: chip.name
                )
            }
            stageLink = out
        }
        // The activations between stages: every residual stream (four in DeepSeek-V4) in BF16.
        let activation =
            Double(perGroup) / Double(chunks) * Double(architecture.hiddenSize * architecture.residualStreams) * 2
        let hop = pp > 1 ? Collective.send(bytes: Bytes(activation), link: stageLink).value : 0
        let requests = max(1, serving.concurrency ?? 1)
        // Groups not sharing a prompt (no context parallelism) prefill prompts of their own side by side.
        let lanes = max(1, pool.deployment.attentionDP / cp)
        let ttft = Double(chunks + pp - 1) * (perStageChunk + hop)
        let rounds = (requests + lanes - 1) / lanes
        let busy = Double(rounds * chunks + pp - 1) * (perStageChunk + hop)
        let rate = Double(requests * input) / busy / Double(chips)
        notes.append(
            "The prefill pass below is the whole prompt through every stage's layers, per rank of a stage; the TTFT pipelines its chunks."
        )
        notes.append(
            "Prefill pool: \(pp) stage\(pp == 1 ? "" : "s") of \(chips / pp) chips, context parallelism \(cp), \(chunks) chunk\(chunks == 1 ? "" : "s") per prompt; \(serving.concurrency == nil ? "prompts one at a time (concurrency not stated)" : "\(requests) prompts queued")."
        )
        return (pass, rate, ttft, chips * pool.instances)
    }

    /// Mean-value analysis of a closed loop: `requests` cycle through a prefill queue that serves
    /// `promptRate` prompts per second (a prompt alone takes `unloadedTTFT`, of which `1 / promptRate`
    /// is the queue's service and the rest a pure delay) and a decode delay of `decodeTime` each.
    /// Multi-lane pools are treated as one fast server plus a delay (Seidmann's approximation).
    static func closedLoop(requests: Int, promptRate: Double, unloadedTTFT: Double, decodeTime: Double) -> (
        requestsPerSecond: Double, ttft: Double
    ) {
        let service = 1 / promptRate
        let delay = max(0, unloadedTTFT - service) + decodeTime
        var queued = 0.0
        var throughput = 0.0
        var residence = service
        for n in 1...max(1, requests) {
            residence = service * (1 + queued)
            throughput = Double(n) / (residence + delay)
            queued = throughput * residence
        }
        return (throughput, residence + max(0, unloadedTTFT - service))
    }

    /// The resource that limits a decode step.
    static func servingBottleneck(_ b: ServingEstimator.StepBreakdown, crossesDomain: Bool, memoryLimited: Bool)
        -> String
    {
        if memoryLimited { return "memory capacity" }
        let total = b.total.value
        if b.communication.value > total / 2 { return crossesDomain ? "scale-out link" : "scale-up link" }
        if b.overhead.value > total / 2 { return "fixed kernel costs" }
        return b.memoryBound.value > (total - b.communication.value - b.overhead.value) / 2
            ? "memory bandwidth" : "compute"
    }

    /// The largest batch per rank whose cache fits and whose TPOT meets the objective.
    func largestBatch(
        _ pool: Pool,
        context: Int,
        tpotObjective: Double?,
        stack: SoftwareStack,
        aggregatedPromptTokens: Double?,
        promptLength: Int,
        tokenBudget: Int?
    )
        throws -> Int
    {
        guard let capacity = chip.memory.capacity else {
            throw EstimationError("\(chip.name) has no memory capacity in the catalog.")
        }
        guard let usable = stack.value(.usableMemoryFraction) else {
            throw EstimationError("Stack '\(stack.name)' has no evidence for usable_memory_fraction.")
        }
        let perRank = capacity.value / Double(pool.deployment.ranksPerChip) * usable
        let free = perRank - pool.weightBytesPerRank
        let perSequence = pool.cacheBytesPerSequence(context: context)
        guard free > perSequence else {
            throw EstimationError(
                "The weights leave no room for one sequence's cache on a rank (\(pool.deployment.ranks) ranks)."
            )
        }
        let memoryLimit = max(1, Int(free / perSequence))
        guard let objective = tpotObjective else { return memoryLimit }
        func tpot(_ batch: Int) throws -> Double {
            let promptTokens =
                aggregatedPromptTokens.map {
                    max(1, Int((Double(batch) * $0 * pool.deployment.tokensPerStep).rounded()))
                } ?? 0
            let step = try decodeStep(
                pool,
                batch: batch,
                context: context,
                promptTokens: promptTokens,
                promptLength: promptLength,
                tokenBudget: tokenBudget
            ).time
            return step * 1_000 / pool.deployment.tokensPerStep
        }
        // Even one sequence may miss the objective: the answer is then one sequence, and its TPOT shows by how much.
        guard try tpot(1) <= objective else { return 1 }
        var low = 1
        var high = memoryLimit
        while low < high {
            let mid = (low + high + 1) / 2
            if try tpot(mid) <= objective { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// Serving metrics on `plan`, whose pools state their layouts (`chooseServingPlan` fills in
    /// what a scenario leaves open).
    /// KV-cache tokens one attention-DP group holds: its ranks' memory left after weights, over the
    /// cache one token takes at `context`.
    func kvCapacityTokens(_ pool: Pool, stack: SoftwareStack, context: Int) -> Int? {
        guard let capacity = chip.memory.capacity, let usable = stack.value(.usableMemoryFraction) else { return nil }
        let free = capacity.value / Double(pool.deployment.ranksPerChip) * usable - pool.weightBytesPerRank
        let perToken = pool.cacheBytesPerSequence(context: context) / Double(max(1, context))
        guard free > 0, perToken > 0 else { return nil }
        return Int(min(free / perToken, Double(InputLimits.anyCount)))
    }

    func predictServing(_ serving: Workload.Serving, plan: Plan, catalog: Catalog) throws -> ScenarioPrediction {
        var notes = modelAssumptions
        let (stack, stackNote) = try catalog.stack(for: chip, software: scenario.system.software)
        if let stackNote { notes.append(stackNote) }
        let input = serving.inputTokens
        let output = serving.outputTokens
        var metrics: [Metric: Double] = [:]
        let cached = serving.cachedInputFraction ?? 0

        var decodeRatePerChip: Double?
        var load: LoadSimulation?
        var decodeBottleneck: String?
        var servingStep: ServingEstimator.StepBreakdown?
        var prefillPass: ServingEstimator.StepBreakdown?
        var batchLimitedByMemory = false
        var prefillRatePerChip: Double?
        var decodeChips = 0
        var prefillChips = 0
        let decodeContext = serving.decodeContextTokens ?? input.map { $0 + (output ?? 0) / 2 }

        if plan.decode != nil || (plan.serving != nil && serving.disaggregated != true) || plan.prefill == nil {
            let aggregated = plan.decode == nil
            guard let context = decodeContext else {
                throw EstimationError("\(scenario.id): decode needs decode_context_tokens or input_tokens.")
            }
            guard let stated = aggregated ? plan.serving : plan.decode else {
                throw EstimationError("\(scenario.id): the plan has no decode or aggregated pool to run.")
            }
            let pool = try pool(
                stated,
                serving: serving,
                stack: stack,
                role: aggregated ? "serving" : "decode",
                notes: &notes
            )
            var promptRatio: Double?
            if aggregated, let input, let output {
                promptRatio = Double(input) * (1 - cached) / Double(output)
            } else if aggregated {
                notes.append("Input or output length not stated: chunked prefill inside decode steps is not counted.")
            }
            var batch: Int
            if let perChip = stated.batchPerChip {
                // Sequences per chip over the instance, held per attention-DP group.
                batch = max(1, perChip * pool.chips / pool.deployment.attentionDP)
            } else if let perGroup = stated.batchPerGroup {
                batch = perGroup
            } else if let concurrency = serving.concurrency {
                // The benchmark's requests in flight, spread over the attention-DP groups of every instance.
                let groups = pool.deployment.attentionDP * pool.instances
                batch = max(1, Int((Double(concurrency) / Double(groups)).rounded(.up)))
                notes.append(
                    "batch_per_chip not stated: concurrency \(concurrency) over \(groups) attention-DP groups gives \(batch) sequences per group."
                )
            } else {
                batchLimitedByMemory = serving.tpotSLOMilliseconds == nil
                batch = try largestBatch(
                    pool,
                    context: context,
                    tpotObjective: serving.tpotSLOMilliseconds,
                    stack: stack,
                    aggregatedPromptTokens: promptRatio,
                    promptLength: input ?? context,
                    tokenBudget: stated.maxNumTokens
                )
                notes.append(
                    "batch_per_chip not stated: \(batch) sequences per attention-DP group, the largest that fits\(serving.tpotSLOMilliseconds == nil ? "" : " and meets the TPOT objective (one, when none does)")."
                )
            }
            // Chunked prefill: each step also carries, on average, the prompt tokens per sequence over
            // its output length, in the same pass.
            // A step finishes tokensPerStep tokens of each sequence (speculative decoding), so prompts
            // arrive that much faster.
            let promptTokens =
                promptRatio.map { max(1, Int((Double(batch) * $0 * pool.deployment.tokensPerStep).rounded())) } ?? 0
            let decoded = try decodeStep(
                pool,
                batch: batch,
                context: context,
                promptTokens: promptTokens,
                promptLength: input ?? context,
                tokenBudget: stated.maxNumTokens
            )
            let breakdown = decoded.breakdown
            let step = Seconds(decoded.time)
            servingStep = breakdown
            if pool.stages > 1 {
                notes.append(
                    "Decode pool: \(pool.stages) pipeline stages of \(pool.chips / pool.stages) chips, taken as balanced (equal layers, weights and cache; the LM head and per-step costs are counted once); \(batch) sequences per group run as micro-batches of \(decoded.microBatch), each through every stage (the step below is the whole model's at one micro-batch) plus \(formatNumber(decoded.hops * 1e6, decimals: 1)) µs of stage-to-stage sends."
                )
            }
            notes += breakdown.omissions
            let domainRanks = (system?.chips ?? 1) * pool.deployment.ranksPerChip
            decodeBottleneck = Self.servingBottleneck(
                breakdown,
                crossesDomain: pool.deployment.ranks > domainRanks,
                memoryLimited: batchLimitedByMemory
            )
            let tokensPerStep = pool.deployment.tokensPerStep
            metrics[.tpot] = step.value * 1_000 / tokensPerStep
            if let objective = serving.tpotSLOMilliseconds, let tpot = metrics[.tpot], tpot > objective {
                notes.append(
                    "TPOT \(formatNumber(tpot, decimals: 1)) ms misses the objective of \(formatNumber(objective, decimals: 1)) ms at \(batch) sequence\(batch == 1 ? "" : "s") per group."
                )
            }
            // Sequences in flight: every group's batch, but never more than the benchmark's concurrency
            // (one request cannot fill several attention-DP groups).
            var inFlight = Double(batch * pool.deployment.attentionDP * pool.instances)
            if stated.batchPerChip == nil, let concurrency = serving.concurrency {
                inFlight = min(inFlight, Double(concurrency))
            }
            let sequencesPerChip = inFlight / Double(pool.chips * pool.instances)
            decodeRatePerChip = sequencesPerChip * tokensPerStep / step.value
            metrics[.decodeTokensPerSecondPerChip] = decodeRatePerChip
            decodeChips = pool.chips * pool.instances
            if let capacity = chip.memory.capacity, let usable = stack.value(.usableMemoryFraction) {
                let free = capacity.value / Double(pool.deployment.ranksPerChip) * usable - pool.weightBytesPerRank
                let perSequence = pool.cacheBytesPerSequence(context: context)
                if free > 0 && perSequence > 0 {
                    metrics[.maxConcurrency] = (free / perSequence).rounded(.down) * Double(pool.deployment.attentionDP)
                }
            }
            if aggregated {
                metrics[.outputTokensPerSecondPerChip] = decodeRatePerChip
                if let input {
                    let prompt = max(1, Int(Double(input) * (1 - cached)))
                    let budget = stated.maxNumTokens ?? stack.value(.prefillChunkTokens).map(Int.init)
                    if let concurrency = serving.concurrency, serving.numRequests != nil, let budget, budget > 0 {
                        // A finite closed-loop run (`num_requests` in waves of `concurrency`) starts each wave
                        // together, and with fixed lengths its requests finish and restart together: each group
                        // prefills its share of the burst in passes of at most `budget` tokens, and a request
                        // waits for the pass that holds its prompt. Without `num_requests` the load is taken as
                        // a steady stream whose prompts meet no queue.
                        let groups = pool.deployment.attentionDP * pool.instances
                        let requests = max(1, Int((Double(concurrency) / Double(groups)).rounded(.up)))
                        let perPass = max(1, min(requests, budget / prompt))
                        let passes = (requests + perPass - 1) / perPass
                        let pass = try pool.estimator.prefill(tokens: perPass * prompt, sequenceLength: input).total
                        metrics[.ttft] = pass.value * 1_000 * Double(passes + 1) / 2
                        notes.append(
                            "ttft_ms includes queueing behind the benchmark's burst: \(requests) prompts per attention-DP group in \(passes) pass\(passes == 1 ? "" : "es") of up to \(budget) tokens, \(perPass) prompt\(perPass == 1 ? "" : "s") each; the mean request waits (passes + 1) / 2 of them."
                        )
                    } else {
                        let ttft = try pool.estimator.prefill(tokens: prompt, sequenceLength: input).total
                        metrics[.ttft] = ttft.value * 1_000
                        notes.append("ttft_ms is one prompt's prefill, without queueing behind other requests.")
                    }
                    load = simulateLoad(
                        serving,
                        estimator: pool.estimator,
                        groups: pool.deployment.attentionDP * pool.instances,
                        batch: stated.batchPerChip == nil && stated.batchPerGroup == nil ? nil : batch,
                        tokenBudget: stated.maxNumTokens,
                        kvCapacityTokens: kvCapacityTokens(pool, stack: stack, context: context),
                        stack: stack
                    )
                    if var simulated = load {
                        notes.append("Load simulated request by request: \(simulated.description).")
                        // A closed loop of many more requests than it keeps in flight desynchronises after
                        // its first wave (each request restarts when its own predecessor ends), so its TTFT
                        // is the simulation's, not the burst's: the replayed sweep reaches 33.8% median on
                        // 2,198 TTFT rows, and vLLM-TPU's v6e-8 Llama runs land within 13% where the burst
                        // gave +610%. InferenceX's MI300X rows move the other way (-15% / -83% to +628% /
                        // +261%): their decode is predicted 2.8x fast, so the loop turns over too quickly.
                        if let requests = serving.numRequests, let concurrency = serving.concurrency,
                            requests > concurrency
                        {
                            simulated.drivesTTFT = true
                            metrics[.ttft] = simulated.ttft.mean
                            notes.append(
                                "ttft_ms is the simulated mean over \(requests) requests with \(concurrency) in flight (the first wave's burst is in its tail: p99 \(formatNumber(simulated.ttft.p99, decimals: 0)) ms)."
                            )
                        }
                        load = simulated
                    }
                }
            }
        }
        if let statedPrefill = plan.prefill, let input,
            (statedPrefill.pp ?? 1) > 1 || (statedPrefill.cp ?? 1) > 1
        {
            let result = try pipelinedPrefill(
                statedPrefill,
                input: input,
                serving: serving,
                stack: stack,
                notes: &notes
            )
            prefillPass = result.pass
            prefillRatePerChip = result.rate
            metrics[.prefillTokensPerSecondPerChip] = result.rate
            metrics[.ttft] = result.ttft * 1_000
            prefillChips = result.chips
        } else if let statedPrefill = plan.prefill, let input {
            let pool = try pool(statedPrefill, serving: serving, stack: stack, role: "prefill", notes: &notes)
            let tokensPerChip = statedPrefill.batchTokens ?? statedPrefill.maxNumTokens ?? input
            if statedPrefill.batchTokens == nil && statedPrefill.maxNumTokens == nil {
                notes.append("Prefill batch not stated: one prompt per chip per pass assumed.")
            }
            // Every rank of an attention-DP group works on the group's prompts together (tensor
            // parallelism), so one pass holds the tokens of all the group's ranks.
            let tokensPerRank = max(1, tokensPerChip / pool.deployment.ranksPerChip)
            let groupTokens = tokensPerRank * pool.deployment.attentionTP
            let computed = max(1, Int(Double(groupTokens) * (1 - cached)))
            let pass = try pool.estimator.prefill(tokens: computed, sequenceLength: min(input, max(computed, 1)))
            prefillPass = pass
            let time = pass.total
            prefillRatePerChip = Double(tokensPerRank * pool.deployment.ranksPerChip) / time.value
            metrics[.prefillTokensPerSecondPerChip] = prefillRatePerChip
            metrics[.ttft] = time.value * 1_000
            prefillChips = pool.chips * pool.instances
        }
        var closedLoopDone = false
        if serving.disaggregated == true, let decodeRate = decodeRatePerChip, let prefillRate = prefillRatePerChip,
            let input, let output
        {
            let decodeCapacity = decodeRate * Double(decodeChips)
            let prefillCapacity = prefillRate * Double(prefillChips) / Double(input) * Double(output)
            metrics[.outputTokensPerSecondPerChip] =
                min(decodeCapacity, prefillCapacity) / Double(decodeChips + prefillChips)
            if let concurrency = serving.concurrency, let tpot = metrics[.tpot], let ttft = metrics[.ttft] {
                // A closed loop of `concurrency` requests through the prefill pool (a queue that serves
                // prompts at its rate) and the decode pool (output x TPOT each): mean-value analysis.
                let prompts = prefillRate * Double(prefillChips) / Double(input)
                let loop = Self.closedLoop(
                    requests: concurrency,
                    promptRate: prompts,
                    unloadedTTFT: ttft / 1_000,
                    decodeTime: Double(output) * tpot / 1_000
                )
                let rate = min(loop.requestsPerSecond * Double(output), decodeCapacity)
                metrics[.outputTokensPerSecondPerChip] = rate / Double(decodeChips + prefillChips)
                metrics[.ttft] = loop.ttft * 1_000
                notes.append(
                    "Closed loop of \(concurrency) requests: the prefill pool serves \(formatNumber(prompts, decimals: 1)) prompts/s, so TTFT under load is \(formatNumber(loop.ttft * 1_000, decimals: 0)) ms (\(formatNumber(ttft, decimals: 0)) ms unloaded); the KV-cache transfer is not counted."
                )
                closedLoopDone = true
            }
        }
        // A closed-loop benchmark keeps `concurrency` requests in flight; each takes TTFT plus its output
        // at TPOT, so by Little's law it cannot deliver more than concurrency x output / that time.
        if !closedLoopDone, let concurrency = serving.concurrency, let output, let tpot = metrics[.tpot],
            let rate = metrics[.outputTokensPerSecondPerChip]
        {
            let chips = serving.disaggregated == true ? decodeChips + prefillChips : scenario.system.chips
            let perRequest = (metrics[.ttft] ?? 0) / 1_000 + Double(output) * tpot / 1_000
            if chips > 0, perRequest > 0 {
                let closedLoop = Double(concurrency) * Double(output) / perRequest / Double(chips)
                if closedLoop < rate {
                    metrics[.outputTokensPerSecondPerChip] = closedLoop
                    notes.append(
                        "Output rate limited by the benchmark's \(concurrency) requests in flight, each taking TTFT + output x TPOT\(metrics[.ttft] == nil ? " (no TTFT estimate: decode time only)" : "")."
                    )
                }
            }
        }
        if scenario.expected?.throughputCounts == .inputAndOutput, let input, let output,
            let rate = metrics[.outputTokensPerSecondPerChip]
        {
            metrics[.outputTokensPerSecondPerChip] = rate * Double(input + output) / Double(output)
        }
        // A capacity sweep reports the largest level it tried that ran; compare at the level the
        // prediction reaches.
        let unroundedCapacity = metrics[.maxConcurrency]
        if let levels = scenario.expected?.maxConcurrencyLevels, !levels.isEmpty,
            let capacity = metrics[.maxConcurrency]
        {
            if let reached = levels.last(where: { Double($0) <= capacity }) {
                metrics[.maxConcurrency] = Double(reached)
                notes.append(
                    "max_concurrency: \(formatNumber(capacity, decimals: 0)) requests fit; the largest of the source's tried levels they reach is \(reached)."
                )
            } else {
                notes.append(
                    "max_concurrency: \(formatNumber(capacity, decimals: 0)) requests fit, fewer than the smallest level the source tried; the capacity itself is given."
                )
            }
        }
        var prediction = ScenarioPrediction(id: scenario.id, metrics: metrics, training: nil, notes: notes)
        prediction.load = load
        if let capacity = unroundedCapacity, capacity != metrics[.maxConcurrency] {
            prediction.unrounded[.maxConcurrency] = capacity
        }
        prediction.bottleneck = decodeBottleneck
        prediction.servingStep = servingStep
        prediction.prefillPass = prefillPass
        return prediction
    }
}
