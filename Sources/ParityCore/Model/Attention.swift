/// The token mixer of a decoder layer.
///
/// Each case knows its parameters, its projection FLOPs per token, the FLOPs of its attention
/// core (score and context products, or linear-attention state products) in prefill, decode and
/// training, and what it caches per token. FLOPs follow formulas.md: 2 per multiply-accumulate,
/// matrix products only.
public enum Attention: Hashable, Sendable {
    /// Multi-head, grouped-query or multi-query attention, optionally with a sliding window.
    case standard(StandardAttention)
    /// Multi-head latent attention (DeepSeek V2/V3, Kimi K2), optionally with DeepSeek sparse
    /// attention's lightning indexer (V3.2).
    case latent(LatentAttention)
    /// Gated DeltaNet linear attention (Qwen3-Next, Qwen3.5).
    case gatedDeltaNet(GatedDeltaNet)
    /// DeepSeek V4's shared-KV attention with a sliding window and a compressed branch.
    case compressed(CompressedAttention)
    /// A Mamba-2 state-space mixer (Nemotron-H).
    case mamba2(Mamba2)
    /// No token mixer: a block with only a feed-forward part (Nemotron-H's MLP and MoE blocks).
    case none
}

/// How attention work is counted over a prefill or training sequence (formulas.md §0).
public enum AttentionCounting: String, Hashable, Sendable, Codable, CaseIterable {
    /// Only unmasked (query, key) pairs: `S(S+1)/2` for causal attention.
    case causal
    /// Every query against the full sequence, as eager and Megatron-style kernels execute it.
    case full
}

/// Sums used by the attention formulas, in exact integer arithmetic.
package enum KeyCounts {
    /// Σ_{t=1..S} t.
    package static func causalPairs(_ s: Int) -> Int { s * (s + 1) / 2 }

    /// Σ_{t=1..S} min(t, w).
    package static func windowedPairs(_ s: Int, window w: Int) -> Int {
        s <= w ? s * (s + 1) / 2 : w * (w + 1) / 2 + (s - w) * w
    }

    /// Σ_{t=1..S} ⌊t / r⌋.
    package static func compressedPairs(_ s: Int, ratio r: Int) -> Int {
        let q = (s + 1) / r
        let remainder = (s + 1) % r
        return r * q * (q - 1) / 2 + q * remainder
    }

    /// Σ_{t=1..S} min(k, ⌊t / r⌋).
    package static func compressedSelectedPairs(_ s: Int, ratio r: Int, topK k: Int) -> Int {
        let saturation = k * r
        if s < saturation { return compressedPairs(s, ratio: r) }
        return compressedPairs(saturation - 1, ratio: r) + (s - saturation + 1) * k
    }
}

/// Multi-head / grouped-query attention, with the variants released families use.
public struct StandardAttention: Hashable, Sendable {
    public var queryHeads: Int
    public var keyValueHeads: Int
    /// Width of a query and key head.
    public var headDimension: Int
    /// Width of a value head when it differs from `headDimension` (MiMo-V2), or nil.
    public var valueHeadDimension: Int?
    /// Keys a query sees at most (sliding-window layers), or nil for full attention.
    public var window: Int?
    /// Chunked local attention (Llama 4): a query sees only the earlier tokens of its own chunk.
    public var chunk: Int?
    /// Biases on the q, k and v projections.
    public var qkvBias: Bool = false
    /// A bias on the output projection.
    public var outputBias: Bool = false
    /// RMSNorm weights on queries and keys.
    public var queryKeyNorm: Bool = false
    /// Whether the query/key norms span the whole projection (`n_q d + n_kv d`, MiniMax M2)
    /// rather than one head (`2 d`).
    public var queryKeyNormAcrossHeads: Bool = false
    /// One learned sink logit per query head (gpt-oss, MiMo-V2).
    public var sinks: Bool = false
    /// The query projection also emits an elementwise output gate (`2 n_q d` outputs, Qwen3-Next).
    public var outputGate: Bool = false
    /// A head-wise output gate, one sigmoid per head (`n_q × h`, Step 3.7).
    public var headGate: Bool = false
    /// Keys double as values: no value projection (Gemma 4 global layers). Caches still hold both.
    public var sharedKeyValue: Bool = false

    public init(queryHeads: Int, keyValueHeads: Int, headDimension: Int, window: Int? = nil) {
        self.queryHeads = queryHeads
        self.keyValueHeads = keyValueHeads
        self.headDimension = headDimension
        self.window = window
    }

    var valueDimension: Int { valueHeadDimension ?? headDimension }
    var queryOutputs: Int { queryHeads * headDimension * (outputGate ? 2 : 1) }
    var keyWidth: Int { keyValueHeads * headDimension }
    var valueWidth: Int { keyValueHeads * valueDimension }

    func parameters(hidden h: Int) -> Int {
        var p =
            h * queryOutputs + h * keyWidth + (sharedKeyValue ? 0 : h * valueWidth) + queryHeads * valueDimension * h
        if qkvBias { p += queryOutputs + keyWidth + (sharedKeyValue ? 0 : valueWidth) }
        if outputBias { p += h }
        if queryKeyNorm { p += queryKeyNormAcrossHeads ? queryHeads * headDimension + keyWidth : 2 * headDimension }
        if sinks { p += queryHeads }
        if headGate { p += queryHeads * h }
        return p
    }

    func projectionFLOPsPerToken(hidden h: Int) -> Double {
        var f = 2 * h * queryOutputs + 2 * h * keyWidth + (sharedKeyValue ? 0 : 2 * h * valueWidth)
        f += 2 * queryHeads * valueDimension * h
        if headGate { f += 2 * queryHeads * h }
        return Double(f)
    }

    /// Score plus context FLOPs of one (query, key) pair over all heads: `2 n_q (d + d_v)`.
    var pairFLOPs: Double { Double(2 * queryHeads * (headDimension + valueDimension)) }

    /// Keys the query at position `t` (1-based, itself included) attends to.
    func keys(atContext t: Int) -> Int {
        if let w = window { return min(t, w) }
        if let c = chunk { return (t - 1) % c + 1 }
        return t
    }

    func pairs(sequence s: Int, counting: AttentionCounting) -> Int {
        switch counting {
        case .full: return s * s
        case .causal:
            if let w = window { return KeyCounts.windowedPairs(s, window: w) }
            if let c = chunk { return (s / c) * KeyCounts.causalPairs(c) + KeyCounts.causalPairs(s % c) }
            return KeyCounts.causalPairs(s)
        }
    }

    /// Whether the cache stops growing with context.
    var isBounded: Bool { window != nil || chunk != nil }

    /// Cached elements per token per layer: K and V of every KV head.
    var cacheElementsPerToken: Int { keyWidth + valueWidth }
}

/// Multi-head latent attention (DeepSeek-V2 §2.1), with an optional lightning indexer.
public struct LatentAttention: Hashable, Sendable {
    public var heads: Int
    /// Query latent rank, or nil when queries are projected directly (`h × n_q (d_n + d_r)`).
    public var queryRank: Int?
    public var keyValueRank: Int
    public var noPositionHeadDimension: Int
    public var ropeHeadDimension: Int
    public var valueHeadDimension: Int
    /// DeepSeek sparse attention's indexer (V3.2), or nil.
    public var indexer: LightningIndexer?

    public init(
        heads: Int,
        queryRank: Int?,
        keyValueRank: Int,
        noPositionHeadDimension: Int,
        ropeHeadDimension: Int,
        valueHeadDimension: Int,
        indexer: LightningIndexer? = nil
    ) {
        self.heads = heads
        self.queryRank = queryRank
        self.keyValueRank = keyValueRank
        self.noPositionHeadDimension = noPositionHeadDimension
        self.ropeHeadDimension = ropeHeadDimension
        self.valueHeadDimension = valueHeadDimension
        self.indexer = indexer
    }

    var queryKeyHeadDimension: Int { noPositionHeadDimension + ropeHeadDimension }

    func parameters(hidden h: Int) -> Int {
        var p = 0
        if let rq = queryRank {
            p += h * rq + rq + rq * heads * queryKeyHeadDimension
        } else {
            p += h * heads * queryKeyHeadDimension
        }
        p += h * (keyValueRank + ropeHeadDimension) + keyValueRank
        p += keyValueRank * heads * (noPositionHeadDimension + valueHeadDimension)
        p += heads * valueHeadDimension * h
        if let indexer { p += indexer.parameters(hidden: h, queryRank: queryRank ?? 0) }
        return p
    }

    /// Projections every token passes through (the KV up-projection is counted apart, per key
    /// token decompressed).
    func projectionFLOPsPerToken(hidden h: Int) -> Double {
        var f = 0
        if let rq = queryRank {
            f += 2 * h * rq + 2 * rq * heads * queryKeyHeadDimension
        } else {
            f += 2 * h * heads * queryKeyHeadDimension
        }
        f += 2 * h * (keyValueRank + ropeHeadDimension)
        f += 2 * heads * valueHeadDimension * h
        var result = Double(f)
        if let indexer { result += indexer.projectionFLOPsPerToken(hidden: h, queryRank: queryRank ?? 0) }
        return result
    }

    /// KV up-projection (`W_UK`, `W_UV`) of one key token: `2 r_kv n_q (d_n + d_v)`.
    var decompressionFLOPsPerToken: Double {
        Double(2 * keyValueRank * heads * (noPositionHeadDimension + valueHeadDimension))
    }

    /// Score plus context FLOPs of one (query, key) pair in the naive (MHA) form.
    var naivePairFLOPs: Double {
        Double(2 * heads * (noPositionHeadDimension + ropeHeadDimension + valueHeadDimension))
    }

    /// Decode attention core for one token at context `t`, weight-absorbed (MQA) form
    /// (formulas.md §3.3); with an indexer, sparse over its top-k plus the indexer's scores.
    public func absorbedDecodeFLOPs(context t: Int) -> Double {
        let keys = indexer.map { min(t, $0.topK) } ?? t
        let absorb = 2 * heads * noPositionHeadDimension * keyValueRank
        let scores = 2 * heads * (keyValueRank + ropeHeadDimension) * keys
        let context = 2 * heads * keyValueRank * keys
        let upProject = 2 * heads * keyValueRank * valueHeadDimension
        var f = Double(absorb + scores + context + upProject)
        if let indexer { f += indexer.scoreFLOPs(keys: t) }
        return f
    }

    /// Cached elements per token per layer: the latent and the shared RoPE key.
    var cacheElementsPerToken: Int { keyValueRank + ropeHeadDimension }
}

/// DeepSeek sparse attention's lightning indexer (V3.2-Exp paper eq. 1).
public struct LightningIndexer: Hashable, Sendable {
    public var heads: Int
    public var headDimension: Int
    public var topK: Int
    /// Whether the layer runs its own indexer. A layer that reuses an earlier layer's selection
    /// (GLM-5.2's `shared` layers) still attends to top-k keys but holds no indexer tensors.
    public var owned: Bool = true

    public init(heads: Int, headDimension: Int, topK: Int) {
        self.heads = heads
        self.headDimension = headDimension
        self.topK = topK
    }

    func parameters(hidden h: Int, queryRank rq: Int) -> Int {
        guard owned else { return 0 }
        return rq * heads * headDimension + h * headDimension + 2 * headDimension + h * heads
    }

    func projectionFLOPsPerToken(hidden h: Int, queryRank rq: Int) -> Double {
        guard owned else { return 0 }
        return Double(2 * rq * heads * headDimension + 2 * h * headDimension + 2 * h * heads)
    }

    /// Scores of one query against `keys` keys: dot products and the head-weighted sum.
    public func scoreFLOPs(keys: Int) -> Double {
        guard owned else { return 0 }
        return Double((2 * heads * headDimension + 2 * heads) * keys)
    }
}

/// Gated DeltaNet (Yang et al. 2024), as in Qwen3-Next's linear-attention layers.
public struct GatedDeltaNet: Hashable, Sendable {
    public var keyHeads: Int
    public var valueHeads: Int
    public var keyHeadDimension: Int
    public var valueHeadDimension: Int
    public var convolutionKernel: Int
    /// Chunk length of the chunked (prefill) form.
    public var chunkSize: Int = 64

    public init(
        keyHeads: Int,
        valueHeads: Int,
        keyHeadDimension: Int,
        valueHeadDimension: Int,
        convolutionKernel: Int
    ) {
        self.keyHeads = keyHeads
        self.valueHeads = valueHeads
        self.keyHeadDimension = keyHeadDimension
        self.valueHeadDimension = valueHeadDimension
        self.convolutionKernel = convolutionKernel
    }

    var keyWidth: Int { keyHeads * keyHeadDimension }
    var valueWidth: Int { valueHeads * valueHeadDimension }
    var convolutionChannels: Int { 2 * keyWidth + valueWidth }

    func parameters(hidden h: Int) -> Int {
        h * (2 * keyWidth + 2 * valueWidth) + h * 2 * valueHeads + convolutionChannels * convolutionKernel
            + 2 * valueHeads + valueHeadDimension + valueWidth * h
    }

    func projectionFLOPsPerToken(hidden h: Int) -> Double {
        Double(2 * h * (2 * keyWidth + 2 * valueWidth) + 4 * h * valueHeads + 2 * valueWidth * h)
    }

    /// Chunked delta-rule matrix products over a sequence of `s` tokens, plus the depthwise
    /// convolution over the padded sequence (formulas.md §3.6).
    func prefillCoreFLOPs(sequence s: Int) -> Double {
        let c = chunkSize
        let chunks = (s + c - 1) / c
        let perHead =
            chunks
            * (4 * c * c * keyHeadDimension + 6 * c * keyHeadDimension * valueHeadDimension
                + 2 * c * c * valueHeadDimension)
        let convolution = 2 * convolutionChannels * convolutionKernel * (s + convolutionKernel - 1)
        return Double(valueHeads * perHead + convolution)
    }

    /// The recurrent delta-rule update for one token: about `7 d_k d_v` per value head.
    var recurrentFLOPsPerToken: Double { Double(7 * valueHeads * keyHeadDimension * valueHeadDimension) }

    /// Recurrent state per sequence, in elements: the delta-rule state and the convolution tail.
    var stateElements: Int {
        valueHeads * keyHeadDimension * valueHeadDimension + convolutionChannels * (convolutionKernel - 1)
    }
}

/// A Mamba-2 mixer (Dao and Gu 2024), as in Nemotron-H's hybrid layers.
public struct Mamba2: Hashable, Sendable {
    public var heads: Int
    public var headDimension: Int
    public var groups: Int
    public var stateSize: Int
    public var convolutionKernel: Int
    public var convolutionBias: Bool = true
    public var projectionBias: Bool = false

    public init(heads: Int, headDimension: Int, groups: Int, stateSize: Int, convolutionKernel: Int) {
        self.heads = heads
        self.headDimension = headDimension
        self.groups = groups
        self.stateSize = stateSize
        self.convolutionKernel = convolutionKernel
    }

    var innerWidth: Int { heads * headDimension }
    var convolutionChannels: Int { innerWidth + 2 * groups * stateSize }
    var inputProjectionWidth: Int { 2 * innerWidth + 2 * groups * stateSize + heads }

    func parameters(hidden h: Int) -> Int {
        var p = inputProjectionWidth * h + innerWidth * h
        if projectionBias { p += inputProjectionWidth + h }
        p += convolutionChannels * convolutionKernel + (convolutionBias ? convolutionChannels : 0)
        p += 3 * heads + innerWidth  // dt_bias, A_log, D; gated norm
        return p
    }

    func projectionFLOPsPerToken(hidden h: Int) -> Double {
        Double(2 * inputProjectionWidth * h + 2 * innerWidth * h)
    }

    /// The scan for one token: the state update `h ← a h + B x` and the read-out `y = C h`
    /// (`2 × 2 × heads × head_dim × state`), plus the depthwise convolution. Chunked (SSD) kernels
    /// execute more matrix work than this scan-form count.
    var scanFLOPsPerToken: Double {
        Double(4 * innerWidth * stateSize + 2 * convolutionChannels * convolutionKernel)
    }

    /// Recurrent state per sequence, in elements: the SSM state and the convolution tail.
    var stateElements: Int { innerWidth * stateSize + convolutionChannels * (convolutionKernel - 1) }
}
