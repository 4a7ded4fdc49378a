extension ModelArchitecture.Layer {
    /// Elements one token keeps for the backward pass in this layer (before tensor parallelism):
    /// the norm inputs, the projections' outputs and the MLP's intermediate activations. Fused
    /// attention keeps no score matrix. The same order as Korthikanti et al. 2022 (`34 s b h` bytes
    /// per layer for a GPT layer in 16-bit), counted from this layer's own widths.
    func activationElementsPerToken(hidden h: Int) -> Int {
        var elements = 2 * h  // the inputs of the two norms (residual stream)
        switch attention {
        case .standard(let a):
            elements += a.queryOutputs + a.keyWidth + a.valueWidth + 2 * a.queryHeads * a.valueDimension
        case .latent(let a):
            elements +=
                (a.queryRank ?? 0) + a.heads * a.queryKeyHeadDimension + a.cacheElementsPerToken
                + a.heads * (a.noPositionHeadDimension + a.valueHeadDimension) + 2 * a.heads * a.valueHeadDimension
        case .gatedDeltaNet(let a):
            elements += 2 * a.keyWidth + 3 * a.valueWidth
        case .mamba2(let a):
            elements += a.inputProjectionWidth + 2 * a.innerWidth
        case .compressed(let a):
            elements += a.queryRank + 3 * a.heads * a.headDimension + 2 * a.headDimension
        case .none:
            break
        }
        switch feedForward {
        case .dense(let mlp):
            elements += h + (mlp.gated ? 3 : 2) * mlp.intermediateSize
        case .mixtureOfExperts(let moe):
            elements +=
                h + moe.topK * (moe.gatedExperts ? 3 : 2) * moe.expertIntermediateSize
                + moe.sharedMatrices * moe.sharedIntermediateSize + moe.topK * h
        case .none:
            break
        }
        return elements
    }
}
