/// The feed-forward block of a decoder layer.
public enum FeedForward: Hashable, Sendable {
    /// A dense MLP.
    case dense(DenseMLP)
    /// A mixture of experts.
    case mixtureOfExperts(MixtureOfExperts)
    /// No feed-forward block (a pure mixer layer, as in some hybrid state-space models).
    case none
}

/// A dense MLP of width `intermediateSize`.
public struct DenseMLP: Hashable, Sendable {
    /// The intermediate (FFN) width.
    public var intermediateSize: Int
    /// Whether the MLP is gated (SwiGLU: gate, up and down, `3 h I`) or plain (up and down, `2 h I`).
    public var gated: Bool
    /// Whether the projections carry biases (`2I + h` extra for a plain MLP, `3I`… see `parameters`).
    public var biases: Bool

    public init(intermediateSize: Int, gated: Bool = true, biases: Bool = false) {
        self.intermediateSize = intermediateSize
        self.gated = gated
        self.biases = biases
    }

    /// Matrices per MLP: 3 when gated, 2 otherwise.
    var matrices: Int { gated ? 3 : 2 }

    /// Parameters of one MLP with hidden size `h`.
    func parameters(hidden h: Int) -> Int {
        let weights = matrices * h * intermediateSize
        let bias = biases ? (matrices - 1) * intermediateSize + h : 0
        return weights + bias
    }

    /// Matrix-product FLOPs per token: `2 × weights`.
    func flopsPerToken(hidden h: Int) -> Double { 2 * Double(matrices * h * intermediateSize) }
}

/// A mixture-of-experts block: a router, `experts` routed experts of which `topK` are active
/// per token, and optional shared experts that every token passes through.
public struct MixtureOfExperts: Hashable, Sendable {
    /// Routed experts.
    public var experts: Int
    /// Routed experts per token.
    public var topK: Int
    /// Width of one routed expert.
    public var expertIntermediateSize: Int
    /// Total width of the shared experts (`n_shared × I_e` for DeepSeek; 0 when none).
    public var sharedIntermediateSize: Int
    /// Whether experts are gated (SwiGLU, three matrices) or plain (two).
    public var gatedExperts: Bool = true
    /// A learned bias on the router logits (gpt-oss).
    public var routerBias: Bool = false
    /// A score-correction bias per expert stored in the checkpoint (DeepSeek `noaux_tc`).
    public var scoreCorrectionBias: Bool = false
    /// Per-expert projection biases (gpt-oss: `2 I_e + h` per expert).
    public var expertBiases: Bool = false
    /// A scalar gate on the shared expert (`h × 1`, Qwen3-Next).
    public var sharedExpertGate: Bool = false
    /// Whether the layer routes by a token-id hash table instead of a learned bias (DeepSeek V4's
    /// first layers): the table is not a parameter, and the layer has no score-correction bias.
    public var hashRouted: Bool = false
    /// Whether the shared experts are gated (three matrices) or plain (two, Nemotron-H).
    public var gatedSharedExperts: Bool = true
    /// The width routed experts run at when it is not the hidden size (latent MoE: Nemotron 3
    /// Super/Ultra), with one projection into and one out of it around the experts.
    public var latentSize: Int?
    /// Group-limited routing (DeepSeek `n_group` / `topk_group`): experts fall in `routingGroups`
    /// groups and a token's experts come from at most `groupsPerToken` of them. With groups mapped to
    /// nodes this is node-limited routing.
    public var routingGroups: Int?
    public var groupsPerToken: Int?
    /// Router tensors beyond the gate matrix and its biases (Gemma 4: a scale of `h` and one per expert).
    public var routerExtraParameters: Int = 0

    public init(
        experts: Int,
        topK: Int,
        expertIntermediateSize: Int,
        sharedIntermediateSize: Int = 0
    ) {
        self.experts = experts
        self.topK = topK
        self.expertIntermediateSize = expertIntermediateSize
        self.sharedIntermediateSize = sharedIntermediateSize
    }

    var expertMatrices: Int { gatedExperts ? 3 : 2 }

    /// Parameters of one routed expert.
    func parametersPerExpert(hidden h: Int) -> Int {
        let width = latentSize ?? h
        return expertMatrices * width * expertIntermediateSize + (expertBiases ? 2 * expertIntermediateSize + width : 0)
    }

    var sharedMatrices: Int { gatedSharedExperts ? 3 : 2 }

    /// Parameters of the shared experts and their gate.
    func sharedParameters(hidden h: Int) -> Int {
        sharedMatrices * h * sharedIntermediateSize + (sharedExpertGate ? h : 0)
    }

    /// Parameters of the router.
    func routerParameters(hidden h: Int) -> Int {
        experts * h + (routerBias ? experts : 0) + (scoreCorrectionBias && !hashRouted ? experts : 0)
            + routerExtraParameters
    }

    /// Parameters of the projections into and out of the latent space (0 without one).
    func latentProjectionParameters(hidden h: Int) -> Int { latentSize.map { 2 * $0 * h } ?? 0 }

    /// Matrix-product FLOPs per token: router, `topK` routed experts and the shared experts.
    func flopsPerToken(hidden h: Int) -> Double {
        let router = 2 * h * experts
        let routed = topK * 2 * expertMatrices * (latentSize ?? h) * expertIntermediateSize
        let shared = 2 * sharedMatrices * h * sharedIntermediateSize + (sharedExpertGate ? 2 * h : 0)
        return Double(router + routed + shared + 2 * latentProjectionParameters(hidden: h))
    }
}
