/// Which positions of a prefill compute logits through the LM head.
public enum LogitPositions: String, Hashable, Sendable, Codable {
    /// Only the last position (serving: the first output token).
    case last
    /// Every position (training, or a Hugging Face forward without `logits_to_keep`).
    case all
}

extension ModelArchitecture {
    /// Matrix FLOPs per token that do not depend on context: projections, MLPs, routers, the
    /// `topK` routed experts, shared experts and extras. Excludes the LM head and the attention
    /// core (formulas.md §3.1).
    public var weightFLOPsPerToken: FLOPs {
        let h = hiddenSize
        var f = modelExtras.flopsPerToken
        for layer in layers { f += layer.weightFLOPsPerToken(hidden: h) }
        return FLOPs(f)
    }

    /// LM head FLOPs for one position: `2 h V`.
    public var headFLOPsPerToken: FLOPs { FLOPs(Double(2 * hiddenSize * vocabularySize)) }

    /// Forward FLOPs to prefill one sequence of `sequenceLength` tokens.
    ///
    /// MLA runs in its naive (MHA) form and decompresses every token's latent once; DeepSeek sparse
    /// attention's main attention sees at most its top-k keys under causal counting, and its
    /// indexer scores every causal pair; Gated DeltaNet runs its chunked form.
    /// - Parameters:
    ///   - sequenceLength: tokens in the sequence, S.
    ///   - counting: causal (useful pairs) or full (S × S, as eager kernels execute).
    ///   - logits: which positions go through the LM head.
    public func prefillFLOPs(sequenceLength s: Int, counting: AttentionCounting, logits: LogitPositions) -> FLOPs {
        precondition(s > 0, "A prefill needs at least one token.")
        var f = Double(s) * weightFLOPsPerToken.value
        for layer in layers { f += layer.prefillCoreFLOPs(sequence: s, counting: counting) }
        f += Double(logits == .all ? s : 1) * headFLOPsPerToken.value
        return FLOPs(f)
    }

    /// Forward FLOPs of one decode step for one sequence whose context, the new token included,
    /// holds `context` tokens. MLA runs weight-absorbed; sliding layers see at most their window.
    public func decodeFLOPs(context t: Int) -> FLOPs {
        precondition(t > 0, "A decode step needs a context of at least one token.")
        var f = weightFLOPsPerToken.value + headFLOPsPerToken.value
        for layer in layers { f += layer.decodeCoreFLOPs(context: t) }
        return FLOPs(f)
    }

    /// Attention-core FLOPs of one decode step (all layers), without projections or the head.
    public func decodeAttentionFLOPs(context t: Int) -> FLOPs {
        FLOPs(layers.reduce(0) { $0 + $1.decodeCoreFLOPs(context: t) })
    }

    /// Model FLOPs per trained token at sequence length S: forward plus backward, `3 ×` the forward
    /// work (formulas.md §5), multi-token prediction excluded.
    ///
    /// Conventions (those of the ISCA'25 and Megatron accountings): every weight matrix a token
    /// passes through counts, the LM head included and MLA's KV up-projection once per token;
    /// attention pairs are the average keys per query (`(S+1)/2` causal, `S` full, window-bounded);
    /// DeepSeek sparse attention counts its main attention dense and not its indexer scores (the
    /// dense warm-up accounting); linear-attention layers count their projections only.
    public func trainingFLOPsPerToken(sequenceLength s: Int, counting: AttentionCounting) -> FLOPs {
        precondition(s > 0, "A training sequence needs at least one token.")
        var forward = weightFLOPsPerToken.value + headFLOPsPerToken.value
        for layer in layers { forward += layer.trainingCoreFLOPsPerToken(sequence: s, counting: counting) }
        return FLOPs(3 * forward)
    }
}

extension ModelArchitecture.Layer {
    /// Matrix FLOPs per token of the token mixer's projections and the layer's extras.
    func projectionFLOPsPerToken(hidden h: Int) -> Double {
        var f = extras.flopsPerToken
        switch attention {
        case .standard(let a): f += a.projectionFLOPsPerToken(hidden: h)
        case .latent(let a): f += a.projectionFLOPsPerToken(hidden: h)
        case .gatedDeltaNet(let a): f += a.projectionFLOPsPerToken(hidden: h)
        case .compressed(let a): f += a.projectionFLOPsPerToken(hidden: h)
        case .mamba2(let a): f += a.projectionFLOPsPerToken(hidden: h)
        case .none: break
        }
        return f
    }

    func weightFLOPsPerToken(hidden h: Int) -> Double {
        var f = projectionFLOPsPerToken(hidden: h)
        switch feedForward {
        case .dense(let mlp): f += mlp.flopsPerToken(hidden: h)
        case .mixtureOfExperts(let moe): f += moe.flopsPerToken(hidden: h)
        case .none: break
        }
        return f
    }

    func prefillCoreFLOPs(sequence s: Int, counting: AttentionCounting) -> Double {
        switch attention {
        case .standard(let a):
            return a.pairFLOPs * Double(a.pairs(sequence: s, counting: counting))
        case .latent(let a):
            let mainPairs: Int
            var indexer = 0.0
            if let idx = a.indexer {
                switch counting {
                case .causal:
                    mainPairs = KeyCounts.windowedPairs(s, window: idx.topK)
                    indexer = idx.scoreFLOPs(keys: KeyCounts.causalPairs(s))
                case .full:
                    mainPairs = s * s
                    indexer = idx.scoreFLOPs(keys: s * s)
                }
            } else {
                mainPairs = counting == .causal ? KeyCounts.causalPairs(s) : s * s
            }
            return Double(s) * a.decompressionFLOPsPerToken + a.naivePairFLOPs * Double(mainPairs) + indexer
        case .gatedDeltaNet(let a):
            return a.prefillCoreFLOPs(sequence: s)
        case .compressed(let a):
            return a.prefillCoreFLOPs(sequence: s)
        case .mamba2(let a):
            return Double(s) * a.scanFLOPsPerToken
        case .none:
            return 0
        }
    }

    /// The lightning indexer's share of `decodeCoreFLOPs`: its scores over every earlier key
    /// (DeepSeek-V3.2) or compressed entry (DeepSeek-V4's ratio-4 layers). Engines run it as an
    /// FP8 GEMM-like kernel (DeepGEMM's MQA logits), not in the BF16 attention kernel.
    func decodeIndexerFLOPs(context t: Int) -> Double {
        switch attention {
        case .latent(let a): return a.indexer?.scoreFLOPs(keys: t) ?? 0
        case .compressed(let a): return a.decodeIndexerFLOPs(context: t)
        default: return 0
        }
    }

    /// The lightning indexer's share of `prefillCoreFLOPs` over a causal prefill of `s` tokens.
    func prefillIndexerFLOPs(sequence s: Int) -> Double {
        switch attention {
        case .latent(let a): return a.indexer?.scoreFLOPs(keys: KeyCounts.causalPairs(s)) ?? 0
        case .compressed(let a): return a.prefillIndexerFLOPs(sequence: s)
        default: return 0
        }
    }

    func decodeCoreFLOPs(context t: Int) -> Double {
        switch attention {
        case .standard(let a): return a.pairFLOPs * Double(a.keys(atContext: t))
        case .latent(let a): return a.absorbedDecodeFLOPs(context: t)
        case .gatedDeltaNet(let a): return a.recurrentFLOPsPerToken
        case .compressed(let a): return a.decodeCoreFLOPs(context: t)
        case .mamba2(let a): return a.scanFLOPsPerToken
        case .none: return 0
        }
    }

    func trainingCoreFLOPsPerToken(sequence s: Int, counting: AttentionCounting) -> Double {
        let averageKeys: Double = counting == .causal ? Double(s + 1) / 2 : Double(s)
        switch attention {
        case .standard(let a):
            if let w = a.window, counting == .full { return a.pairFLOPs * Double(min(s, w)) }
            guard a.isBounded else { return a.pairFLOPs * averageKeys }
            return a.pairFLOPs * Double(a.pairs(sequence: s, counting: counting)) / Double(s)
        case .latent(let a):
            return a.decompressionFLOPsPerToken + a.naivePairFLOPs * averageKeys
        case .gatedDeltaNet, .mamba2, .none:
            return 0
        case .compressed(let a):
            return a.prefillCoreFLOPs(sequence: s) / Double(s)
        }
    }
}
