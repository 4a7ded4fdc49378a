extension ModelArchitecture {
    /// Parameter counts of the main model (multi-token prediction excluded), by block.
    public var parameters: ParameterBreakdown {
        let h = hiddenSize
        var p = ParameterBreakdown()
        p.embedding = vocabularySize * h
        p.head = tiedEmbeddings ? 0 : vocabularySize * h
        p.norms = finalNormParameters
        p.other = modelExtras.parameters
        for layer in layers { p += layer.parameters(hidden: h) }
        return p
    }

    /// Parameters one token uses in the main model: everything except the routed experts it is
    /// not sent to. Includes the embedding and the LM head.
    public var activeParameters: Int {
        let h = hiddenSize
        var unused = 0
        for layer in layers {
            if case .mixtureOfExperts(let moe) = layer.feedForward {
                unused += (moe.experts - moe.topK) * moe.parametersPerExpert(hidden: h)
            }
        }
        return parameters.total - unused
    }

    /// Unique parameters of all multi-token-prediction modules (shared embedding and head excluded).
    public var multiTokenPredictionParameters: Int {
        guard let mtp = multiTokenPrediction else { return 0 }
        return mtp.modules * (mtp.layer.parameters(hidden: hiddenSize).total + mtp.extraParameters)
    }

    /// Layers whose feed-forward block is a mixture of experts.
    /// The query heads tensor parallelism splits: those of the first attention layer (standard, latent
    /// or compressed), or 1 for a model without one.
    public var tensorParallelHeads: Int {
        layers.lazy.compactMap { layer -> Int? in
            switch layer.attention {
            case .standard(let s): s.queryHeads
            case .latent(let l): l.heads
            case .compressed(let c): c.heads
            default: nil
            }
        }.first ?? 1
    }

    public var mixtureOfExpertsLayerCount: Int {
        layers.filter { if case .mixtureOfExperts = $0.feedForward { true } else { false } }.count
    }
}

extension ModelArchitecture.Layer {
    func parameters(hidden h: Int) -> ParameterBreakdown {
        var p = ParameterBreakdown()
        p.norms = normParameters
        p.other = extras.parameters
        switch attention {
        case .standard(let a): p.attention = a.parameters(hidden: h)
        case .latent(let a): p.attention = a.parameters(hidden: h)
        case .gatedDeltaNet(let a): p.attention = a.parameters(hidden: h)
        case .compressed(let a): p.attention = a.parameters(hidden: h)
        case .mamba2(let a): p.attention = a.parameters(hidden: h)
        case .none: break
        }
        switch feedForward {
        case .dense(let mlp): p.denseMLP = mlp.parameters(hidden: h)
        case .mixtureOfExperts(let moe):
            p.routedExperts = moe.experts * moe.parametersPerExpert(hidden: h)
            p.sharedExperts = moe.sharedParameters(hidden: h)
            p.router = moe.routerParameters(hidden: h)
            p.other += moe.latentProjectionParameters(hidden: h)
        case .none: break
        }
        return p
    }
}
