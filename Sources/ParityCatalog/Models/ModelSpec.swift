public import ParityCore

/// Builds an architecture from a scenario's `model_spec` (or a model YAML with the same keys), for
/// models without a public config: the facts a source gives, plus defaults that are each stated.
public enum ModelSpec {
    /// The keys a model spec may have (SCHEMA.md `model_spec`, plus Parity's extensions
    /// `head_dim`, `q_lora_rank`, `kv_lora_rank`, `dense_layers`, `tied_embeddings`).
    public static let keys = [
        "name", "params_total", "params_active", "layers", "hidden_size", "ffn_hidden_size", "heads", "kv_heads",
        "attention", "vocab_size", "experts", "shared_experts", "expert_ffn_hidden_size", "top_k", "moe_routing",
        "parallel_block", "sliding_window_attention", "norm", "notes", "head_dim", "q_lora_rank", "kv_lora_rank",
        "dense_layers", "tied_embeddings", "not_expressible",
    ]

    /// Attention kinds a spec may name.
    public enum AttentionKind: String, CaseIterable, Sendable {
        case mha, gqa, mqa, mla, dsa
    }

    /// The architecture and the defaults it rests on, in words.
    public struct Result: Sendable {
        public var architecture: ModelArchitecture
        public var assumptions: [String]
        /// The published total, when the spec gives one.
        public var publishedTotal: Double?
        /// Features of the model the spec says it cannot express (`not_expressible`).
        public var unexpressed: [String] = []
    }

    public static func architecture(from node: Node, file: String?, path: String) throws(CatalogError) -> Result {
        // Only what an announcement gives: the width and what follows from it by convention.
        if let (completed, assumed) = try ModelSpecCompletion.complete(node, file: file, path: path) {
            var result = try architecture(from: completed, file: file, path: path)
            result.assumptions = assumed + result.assumptions
            result.architecture.notes = result.assumptions
            return result
        }
        var r = try ObjectReader(node, file: file, path: path)
        var assumptions: [String] = []
        let name = try r.optionalString("name") ?? "model-spec"
        // Features the source names that no key here can carry. Their cost is unknown, so a scenario
        // whose spec lists any is read, inspected and refused at prediction.
        let unexpressed = try r.stringList("not_expressible")
        let layers = try r.integer("layers", minimum: 1, maximum: 10_000)
        let h = try r.integer("hidden_size", minimum: 1)
        let heads = try r.integer("heads", minimum: 1)
        let publishedTotal = try r.optionalNumber("params_total", minimum: 0, exclusiveMinimum: true)
        _ = try r.optionalNumber("params_active", minimum: 0, exclusiveMinimum: true)
        var kvHeads = try r.optionalInteger("kv_heads", minimum: 1)
        var kind = try r.optionalEnum("attention", AttentionKind.self)
        if kind == nil {
            kind = (kvHeads ?? heads) < heads ? .gqa : .mha
            assumptions.append("attention not given: \(kind?.rawValue ?? "mha") assumed from the head counts.")
        }
        let headDimension =
            try r.optionalInteger("head_dim", minimum: 1)
            ?? {
                assumptions.append("head_dim not given: hidden_size / heads = \(h / heads) assumed.")
                return h / heads
            }()
        var vocabulary = try r.optionalInteger("vocab_size", minimum: 1)
        if vocabulary == nil {
            vocabulary = 32_000
            assumptions.append("vocab_size not given: 32,000 assumed (the Llama and Llama 2 tokenizer).")
        }
        let tied = try r.optionalBool("tied_embeddings") ?? false
        if try r.optionalBool("parallel_block") == true {
            assumptions.append("parallel_block: attention and MLP in parallel changes no count.")
        }
        if let window = try r.optionalInteger("sliding_window_attention", minimum: 1) {
            throw r.error(
                "sliding_window_attention",
                "A window of \(window) cannot be placed on layers without knowing which layers use it.",
                fix: "Describe the model with a config.json, or leave the key null."
            )
        }
        r.ignore("moe_routing", "norm", "notes")

        let attention: Attention
        switch kind ?? .mha {
        case .mha:
            attention = .standard(
                StandardAttention(queryHeads: heads, keyValueHeads: kvHeads ?? heads, headDimension: headDimension)
            )
        case .mqa:
            attention = .standard(StandardAttention(queryHeads: heads, keyValueHeads: 1, headDimension: headDimension))
        case .gqa:
            if kvHeads == nil {
                kvHeads = 8
                assumptions.append("kv_heads not given for GQA: 8 assumed.")
            }
            attention = .standard(
                StandardAttention(queryHeads: heads, keyValueHeads: kvHeads ?? 8, headDimension: headDimension)
            )
        case .mla, .dsa:
            let qRank = try r.optionalInteger("q_lora_rank", minimum: 1)
            let kvRank = try r.optionalInteger("kv_lora_rank", minimum: 1)
            if qRank == nil || kvRank == nil {
                assumptions.append(
                    "MLA ranks not given: DeepSeek-V3's q_lora_rank 1536, kv_lora_rank 512, head dims 128/64/128 assumed."
                )
            }
            attention = .latent(
                LatentAttention(
                    heads: heads,
                    queryRank: qRank ?? 1_536,
                    keyValueRank: kvRank ?? 512,
                    noPositionHeadDimension: 128,
                    ropeHeadDimension: 64,
                    valueHeadDimension: 128,
                    indexer: kind == .dsa ? LightningIndexer(heads: 64, headDimension: 128, topK: 2_048) : nil
                )
            )
            if kind == .dsa {
                assumptions.append("DSA indexer not given: DeepSeek-V3.2's 64 heads x 128, top-2048 assumed.")
            }
        }

        let experts = try r.optionalInteger("experts", minimum: 1)
        let sharedExperts = try r.optionalInteger("shared_experts", minimum: 0) ?? 0
        let topK = try r.optionalInteger("top_k", minimum: 1)
        var expertWidth = try r.optionalInteger("expert_ffn_hidden_size", minimum: 1)
        var denseWidth = try r.optionalInteger("ffn_hidden_size", minimum: 1)
        let denseLayers = try r.optionalInteger("dense_layers", minimum: 0, maximum: layers) ?? 0
        try r.finish()

        func build(denseWidth: Int, expertWidth: Int) -> ModelArchitecture {
            let moe = experts.map {
                MixtureOfExperts(
                    experts: $0,
                    topK: topK ?? 1,
                    expertIntermediateSize: expertWidth,
                    sharedIntermediateSize: sharedExperts * expertWidth
                )
            }
            let layerList = (0..<layers).map { i in
                ModelArchitecture.Layer(
                    attention: attention,
                    feedForward: moe.map {
                        i >= denseLayers ? .mixtureOfExperts($0) : .dense(DenseMLP(intermediateSize: denseWidth))
                    }
                        ?? .dense(DenseMLP(intermediateSize: denseWidth)),
                    normParameters: 2 * h
                )
            }
            return ModelArchitecture(
                name: name,
                family: "model_spec",
                hiddenSize: h,
                vocabularySize: vocabulary ?? 32_000,
                tiedEmbeddings: tied,
                layers: layerList
            )
        }

        if experts != nil && topK == nil {
            throw r.error("top_k", "An MoE spec needs the experts per token.", fix: "Add `top_k:`.")
        }
        // One unknown width may be derived from the published total; parameters are linear in it.
        if experts == nil {
            if denseWidth == nil {
                guard let total = publishedTotal else {
                    throw r.error(
                        "ffn_hidden_size",
                        "Missing, and no params_total to derive it from.",
                        fix: "Add `ffn_hidden_size:`."
                    )
                }
                let base = Double(build(denseWidth: 0, expertWidth: 0).parameters.total)
                let perUnit = Double(build(denseWidth: 1, expertWidth: 0).parameters.total) - base
                let derived = Int(((total - base) / perUnit / 256).rounded()) * 256
                guard derived > 0 else {
                    throw r.error("params_total", "Is too small for the other dimensions given.")
                }
                denseWidth = derived
                assumptions.append(
                    "ffn_hidden_size not given: \(derived) derived from params_total (SwiGLU, rounded to a multiple of 256)."
                )
            }
        } else if expertWidth == nil {
            guard let total = publishedTotal else {
                throw r.error(
                    "expert_ffn_hidden_size",
                    "Missing, and no params_total to derive it from.",
                    fix: "Add `expert_ffn_hidden_size:`."
                )
            }
            let dense = denseWidth ?? 0
            let base = Double(build(denseWidth: dense, expertWidth: 0).parameters.total)
            let perUnit = Double(build(denseWidth: dense, expertWidth: 1).parameters.total) - base
            let derived = Int(((total - base) / perUnit / 128).rounded()) * 128
            guard derived > 0 else { throw r.error("params_total", "Is too small for the other dimensions given.") }
            expertWidth = derived
            assumptions.append(
                "expert_ffn_hidden_size not given: \(derived) derived from params_total (SwiGLU experts, rounded to a multiple of 128)."
            )
        }
        if experts != nil && denseLayers > 0 && denseWidth == nil {
            throw r.error("ffn_hidden_size", "dense_layers > 0 needs the dense width.", fix: "Add `ffn_hidden_size:`.")
        }
        if experts != nil && r.contains("dense_layers") == false {
            assumptions.append("dense_layers not given: every layer assumed MoE.")
        }
        var architecture = build(denseWidth: denseWidth ?? 0, expertWidth: expertWidth ?? 0)
        assumptions.append("MLPs assumed gated (SwiGLU: three matrices).")
        if let total = publishedTotal {
            let computed = Double(architecture.parameters.total)
            let error = (computed - total) / total
            if abs(error) > 0.05 {
                assumptions.append(
                    "The built architecture has \(formatNumber(computed)) parameters, \(formatNumber(error * 100, decimals: 1))% from params_total."
                )
            }
        }
        architecture.notes = assumptions
        return Result(
            architecture: architecture,
            assumptions: assumptions,
            publishedTotal: publishedTotal,
            unexpressed: unexpressed
        )
    }
}
