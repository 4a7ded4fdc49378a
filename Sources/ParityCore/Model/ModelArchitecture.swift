/// The architecture of a decoder-only language model, layer by layer.
///
/// Built from a Hugging Face `config.json` or a model YAML by the catalog; every count Parity
/// makes (parameters, FLOPs, cache bytes) derives from this value alone.
public struct ModelArchitecture: Hashable, Sendable {
    /// Catalog name, or the file name of the config it came from.
    public var name: String
    /// The Hugging Face `model_type` (or `model_spec` for a scenario's own model).
    public var family: String
    public var hiddenSize: Int
    public var vocabularySize: Int
    /// Whether the LM head shares the embedding's weights.
    public var tiedEmbeddings: Bool
    public var layers: [Layer]
    /// Parameters of the final norm (usually `h`).
    public var finalNormParameters: Int
    /// Model-level tensors outside the layers (DeepSeek V4's hyper-connection head).
    public var modelExtras: Extras
    /// Multi-token-prediction modules, which checkpoints carry but the main model does not use.
    public var multiTokenPrediction: MultiTokenPrediction?
    /// Facts Parity had to assume, and conventions it applied, in words, for reports.
    public var notes: [String]
    /// The precision the released checkpoint stores its weights in.
    public var releasedPrecision: WeightPrecision = .init(dense: .bf16, experts: .bf16)
    /// Copies of the hidden state the residual stream carries: 1, or the hyper-connection streams
    /// (DeepSeek-V4's mHC: 4), which each sub-layer mixes before and after it runs.
    public var residualStreams: Int = 1

    public init(
        name: String,
        family: String,
        hiddenSize: Int,
        vocabularySize: Int,
        tiedEmbeddings: Bool,
        layers: [Layer],
        finalNormParameters: Int? = nil,
        modelExtras: Extras = .none,
        multiTokenPrediction: MultiTokenPrediction? = nil,
        notes: [String] = []
    ) {
        self.name = name
        self.family = family
        self.hiddenSize = hiddenSize
        self.vocabularySize = vocabularySize
        self.tiedEmbeddings = tiedEmbeddings
        self.layers = layers
        self.finalNormParameters = finalNormParameters ?? hiddenSize
        self.modelExtras = modelExtras
        self.multiTokenPrediction = multiTokenPrediction
        self.notes = notes
    }
}

/// The precision of a model's dense weights and of its routed experts.
public struct WeightPrecision: Hashable, Sendable {
    public var dense: Precision
    public var experts: Precision
    /// Experts stored in a format the GEMM dequantises to BF16 (INT4 weight-only).
    public var weightOnlyExperts: Bool

    public init(dense: Precision, experts: Precision, weightOnlyExperts: Bool = false) {
        self.dense = dense
        self.experts = experts
        self.weightOnlyExperts = weightOnlyExperts
    }
}

extension ModelArchitecture {
    /// One decoder layer: a token mixer, a feed-forward block and their norms.
    public struct Layer: Hashable, Sendable {
        public var attention: Attention
        public var feedForward: FeedForward
        /// Norm weights outside the attention block (pre-attention and pre-MLP: `2 h`).
        public var normParameters: Int
        /// Other tensors of the layer (DeepSeek V4's hyper-connection mixing).
        public var extras: Extras

        public init(attention: Attention, feedForward: FeedForward, normParameters: Int, extras: Extras = .none) {
            self.attention = attention
            self.feedForward = feedForward
            self.normParameters = normParameters
            self.extras = extras
        }
    }

    /// Tensors outside the standard blocks: their parameters and matrix FLOPs per token.
    public struct Extras: Hashable, Sendable {
        public var parameters: Int
        public var flopsPerToken: Double

        public init(parameters: Int, flopsPerToken: Double) {
            self.parameters = parameters
            self.flopsPerToken = flopsPerToken
        }

        public static let none = Extras(parameters: 0, flopsPerToken: 0)
    }

    /// Multi-token-prediction modules (DeepSeek-V3 §2.2): each is one decoder layer plus
    /// projections and norms, sharing the embedding and head with the main model.
    public struct MultiTokenPrediction: Hashable, Sendable {
        public var modules: Int
        public var layer: Layer
        /// Parameters of one module outside its layer (`enorm`, `hnorm`, `eh_proj`, head norm, …).
        public var extraParameters: Int

        public init(modules: Int, layer: Layer, extraParameters: Int) {
            self.modules = modules
            self.layer = layer
            self.extraParameters = extraParameters
        }
    }
}
