import ParityCore

/// Families beyond formulas.md, each as its reference implementation builds its tensors
/// (docs/model-families.md, read from transformers 5.24).
extension HuggingFaceConfig {
    /// The architecture from its layers and the config's vocabulary and tying, which every family reads alike.
    static func assemble(
        _ r: inout ObjectReader,
        name: String,
        family: String,
        hidden: Int,
        layers: [ModelArchitecture.Layer],
        tiedByDefault: Bool,
        notes: [String] = [],
        multiTokenPrediction: ModelArchitecture.MultiTokenPrediction? = nil,
        modelExtras: ModelArchitecture.Extras = .none
    ) throws(CatalogError) -> ModelArchitecture {
        ModelArchitecture(
            name: name,
            family: family,
            hiddenSize: hidden,
            vocabularySize: try r.integer("vocab_size", minimum: 1),
            tiedEmbeddings: try r.optionalBool("tie_word_embeddings") ?? tiedByDefault,
            layers: layers,
            modelExtras: modelExtras,
            multiTokenPrediction: multiTokenPrediction,
            notes: notes
        )
    }

    /// Which layers own a DeepSeek-sparse-attention indexer (GLM-5.2's `indexer_types`, or its
    /// frequency fallback); every layer when the config says nothing.
    static func indexerOwnership(_ r: inout ObjectReader, layers: Int, hasIndexer: Bool) throws(CatalogError) -> [Bool]
    {
        let types = try r.stringList("indexer_types")
        if !types.isEmpty {
            guard types.count >= layers else {
                throw r.error("indexer_types", "Lists \(types.count) layers; num_hidden_layers is \(layers).")
            }
            for (i, t) in types.prefix(layers).enumerated() where t != "full" && t != "shared" {
                throw CatalogError(
                    file: r.file,
                    keyPath: "indexer_types[\(i)]",
                    message: "Unknown indexer type '\(t)'.",
                    fix: "Use full or shared."
                )
            }
            return types.prefix(layers).map { $0 == "full" }
        }
        if let pattern = try r.optionalString("index_topk_pattern") {
            let marks = Array(pattern.uppercased())
            guard marks.count >= layers else {
                throw r.error("index_topk_pattern", "Has \(marks.count) marks; num_hidden_layers is \(layers).")
            }
            return marks.prefix(layers).map { $0 == "F" }
        }
        guard hasIndexer, let frequency = try r.optionalInteger("index_topk_freq", minimum: 1) else {
            r.ignore("index_skip_topk_offset")
            return Array(repeating: true, count: layers)
        }
        let offset = try r.optionalInteger("index_skip_topk_offset", minimum: 0) ?? 2
        return (0..<layers).map { max($0 - offset + 1, 0) % frequency == 0 }
    }

    /// MiniMax M2: GQA with QK-norm across the whole projection, every layer MoE with a routing bias.
    static func miniMaxM2(_ r: inout ObjectReader, name: String) throws(CatalogError) -> ModelArchitecture {
        let h = try r.integer("hidden_size", minimum: 1)
        let layerCount = try r.integer("num_hidden_layers", minimum: 1)
        let heads = try r.integer("num_attention_heads", minimum: 1)
        var attention = StandardAttention(
            queryHeads: heads,
            keyValueHeads: try r.integer("num_key_value_heads", minimum: 1),
            headDimension: try r.optionalInteger("head_dim", minimum: 1) ?? h / heads
        )
        attention.queryKeyNorm = try r.optionalBool("use_qk_norm") ?? false
        attention.queryKeyNormAcrossHeads = (try r.optionalString("qk_norm_type") ?? "per_layer") == "per_layer"
        var moe = MixtureOfExperts(
            experts: try r.integer("num_local_experts", minimum: 1),
            topK: try r.integer("num_experts_per_tok", minimum: 1),
            expertIntermediateSize: try r.integer("intermediate_size", minimum: 1),
            sharedIntermediateSize: try r.optionalInteger("shared_intermediate_size", minimum: 0) ?? 0
        )
        moe.scoreCorrectionBias = try r.optionalBool("use_routing_bias") ?? false
        var notes: [String] = []
        if try r.optionalBool("use_mtp") == true {
            notes.append(
                "The config declares MTP modules whose tensors no reference code describes; they are not counted."
            )
        }
        let layers = (0..<layerCount).map { _ in
            ModelArchitecture.Layer(
                attention: .standard(attention),
                feedForward: .mixtureOfExperts(moe),
                normParameters: 2 * h
            )
        }
        return try assemble(
            &r,
            name: name,
            family: "minimax_m2",
            hidden: h,
            layers: layers,
            tiedByDefault: false,
            notes: notes
        )
    }

    /// Llama 4: interleaved MoE layers with a shared expert, chunked local attention on RoPE layers
    /// and full attention on every fourth (NoPE) layer.
    static func llama4(_ r: inout ObjectReader, name: String) throws(CatalogError) -> ModelArchitecture {
        let h = try r.integer("hidden_size", minimum: 1)
        let layerCount = try r.integer("num_hidden_layers", minimum: 1)
        let heads = try r.integer("num_attention_heads", minimum: 1)
        let attention = StandardAttention(
            queryHeads: heads,
            keyValueHeads: try r.integer("num_key_value_heads", minimum: 1),
            headDimension: try r.optionalInteger("head_dim", minimum: 1) ?? h / heads
        )
        let chunk = try r.optionalInteger("attention_chunk_size", minimum: 1)
        let expertWidth = try r.integer("intermediate_size", minimum: 1)
        let moe = MixtureOfExperts(
            experts: try r.integer("num_local_experts", minimum: 1),
            topK: try r.integer("num_experts_per_tok", minimum: 1),
            expertIntermediateSize: expertWidth,
            sharedIntermediateSize: expertWidth
        )
        let denseWidth = try r.integer("intermediate_size_mlp", minimum: 1)
        var moeLayers = Set<Int>()
        if let list = r.node("moe_layers"), case .array(let items, _) = list {
            for item in items { if let i = item.integerValue { moeLayers.insert(i) } }
        } else {
            let step = try r.optionalInteger("interleave_moe_layer_step", minimum: 1) ?? 1
            moeLayers = Set(stride(from: step - 1, to: layerCount, by: step))
        }
        var globalLayers = Set<Int>()
        if let list = r.node("no_rope_layers"), case .array(let items, _) = list, !items.isEmpty {
            for (i, item) in items.enumerated() where item.integerValue == 0 { globalLayers.insert(i) }
        } else {
            let interval = try r.optionalInteger("no_rope_layer_interval", minimum: 1) ?? 4
            globalLayers = Set((0..<layerCount).filter { ($0 + 1) % interval == 0 })
        }
        let layers = (0..<layerCount).map { i -> ModelArchitecture.Layer in
            var a = attention
            if !globalLayers.contains(i) { a.chunk = chunk }
            return ModelArchitecture.Layer(
                attention: .standard(a),
                feedForward: moeLayers.contains(i)
                    ? .mixtureOfExperts(moe) : .dense(DenseMLP(intermediateSize: denseWidth)),
                normParameters: 2 * h
            )
        }
        return ModelArchitecture(
            name: name,
            family: "llama4_text",
            hiddenSize: h,
            vocabularySize: try r.integer("vocab_size", minimum: 1),
            tiedEmbeddings: try r.optionalBool("tie_word_embeddings") ?? false,
            layers: layers,
            notes: ["Query/key L2 norms carry no weights."]
        )
    }

    /// Reads a per-layer list of 0/1 entries (a JSON list, or a string of one).
    static func flags(_ r: inout ObjectReader, _ key: String, count: Int) throws(CatalogError) -> [Int]? {
        guard let node = r.node(key) else { return nil }
        var values: [Int] = []
        switch node {
        case .array(let items, _):
            for item in items {
                guard let v = item.integerValue else { throw r.error(key, "Expected a list of 0 and 1.") }
                values.append(v)
            }
        case .string(let text, _):
            values = text.compactMap { $0.wholeNumberValue }
        case .integer(let v, _):
            return Array(repeating: v, count: count)
        default:
            throw r.error(key, "Expected a list of 0 and 1, found \(node.kindName).")
        }
        guard values.count >= count else {
            throw r.error(key, "Lists \(values.count) layers; num_hidden_layers is \(count).")
        }
        return Array(values.prefix(count))
    }

    /// MiMo-V2-Flash: full and sliding-window layers with their own head counts, queries and keys
    /// wider than values, sinks on window layers, DeepSeekMoE-style routing.
    static func miMoV2(_ r: inout ObjectReader, name: String) throws(CatalogError) -> ModelArchitecture {
        let h = try r.integer("hidden_size", minimum: 1)
        let layerCount = try r.integer("num_hidden_layers", minimum: 1)
        var full = StandardAttention(
            queryHeads: try r.integer("num_attention_heads", minimum: 1),
            keyValueHeads: try r.integer("num_key_value_heads", minimum: 1),
            headDimension: try r.integer("head_dim", minimum: 1)
        )
        full.valueHeadDimension = try r.optionalInteger("v_head_dim", minimum: 1)
        full.sinks = try r.optionalBool("add_full_attention_sink_bias") ?? false
        var window = StandardAttention(
            queryHeads: try r.integer("swa_num_attention_heads", minimum: 1),
            keyValueHeads: try r.integer("swa_num_key_value_heads", minimum: 1),
            headDimension: try r.integer("swa_head_dim", minimum: 1),
            window: try r.integer("sliding_window", minimum: 1)
        )
        window.valueHeadDimension = try r.optionalInteger("swa_v_head_dim", minimum: 1)
        window.sinks = try r.optionalBool("add_swa_attention_sink_bias") ?? false
        let pattern = try flags(&r, "hybrid_layer_pattern", count: layerCount) ?? Array(repeating: 0, count: layerCount)
        let moeFlags = try flags(&r, "moe_layer_freq", count: layerCount) ?? Array(repeating: 1, count: layerCount)
        var moe = MixtureOfExperts(
            experts: try r.integer("n_routed_experts", minimum: 1),
            topK: try r.integer("num_experts_per_tok", minimum: 1),
            expertIntermediateSize: try r.integer("moe_intermediate_size", minimum: 1),
            sharedIntermediateSize: (try r.optionalInteger("n_shared_experts", minimum: 0) ?? 0)
                * (try r.integer("moe_intermediate_size", minimum: 1))
        )
        moe.scoreCorrectionBias = try r.optionalString("topk_method") == "noaux_tc"
        let dense = DenseMLP(intermediateSize: try r.integer("intermediate_size", minimum: 1))
        let layers = (0..<layerCount).map { i in
            ModelArchitecture.Layer(
                attention: .standard(pattern[i] == 1 ? window : full),
                feedForward: moeFlags[i] == 1 ? .mixtureOfExperts(moe) : .dense(dense),
                normParameters: 2 * h
            )
        }
        return ModelArchitecture(
            name: name,
            family: "mimo_v2_flash",
            hiddenSize: h,
            vocabularySize: try r.integer("vocab_size", minimum: 1),
            tiedEmbeddings: try r.optionalBool("tie_word_embeddings") ?? false,
            layers: layers,
            notes: ["The MTP blocks released apart from the checkpoint are not counted."]
        )
    }

    /// Step 3.7 Flash: GQA with per-head QK-norm and a head-wise output gate, full and window
    /// layers, dense first layers then MoE with a shared expert and a router bias.
    static func step3p7(_ r: inout ObjectReader, name: String) throws(CatalogError) -> ModelArchitecture {
        let h = try r.integer("hidden_size", minimum: 1)
        let layerCount = try r.integer("num_hidden_layers", minimum: 1)
        let heads = try r.integer("num_attention_heads", minimum: 1)
        var attention = StandardAttention(
            queryHeads: heads,
            keyValueHeads: try r.integer("num_key_value_heads", minimum: 1),
            headDimension: try r.optionalInteger("head_dim", minimum: 1) ?? h / heads
        )
        attention.queryKeyNorm = true
        attention.headGate = true
        let window = try r.integer("sliding_window", minimum: 1)
        let kinds = try layerKinds(try r.stringList("layer_types"), count: layerCount, reader: r)
        let expertWidth = try r.integer("moe_intermediate_size", minimum: 1)
        var moe = MixtureOfExperts(
            experts: try r.integer("num_experts", minimum: 1),
            topK: try r.integer("num_experts_per_tok", minimum: 1),
            expertIntermediateSize: expertWidth,
            sharedIntermediateSize: (try r.optionalInteger("n_shared_experts", minimum: 0) ?? 0)
                * (try r.optionalInteger("share_expert_dim", minimum: 1) ?? expertWidth)
        )
        moe.scoreCorrectionBias = try r.optionalBool("use_moe_router_bias") ?? false
        let firstDense = try r.optionalInteger("first_k_dense_replace", minimum: 0) ?? 0
        let dense = DenseMLP(intermediateSize: try r.integer("intermediate_size", minimum: 1))
        let layers = (0..<layerCount).map { i -> ModelArchitecture.Layer in
            var a = attention
            if kinds[i] == "sliding" { a.window = window }
            return ModelArchitecture.Layer(
                attention: .standard(a),
                feedForward: i < firstDense ? .dense(dense) : .mixtureOfExperts(moe),
                normParameters: 2 * h
            )
        }
        var notes: [String] = []
        if (try r.optionalInteger("num_nextn_predict_layers", minimum: 0) ?? 0) > 0 {
            notes.append("The checkpoint's MTP layers are not described by reference code and are not counted.")
        }
        return try assemble(
            &r,
            name: name,
            family: "step3p7",
            hidden: h,
            layers: layers,
            tiedByDefault: false,
            notes: notes
        )
    }

    /// Nemotron-H: a sequence of blocks, each one norm and one mixer: Mamba-2 (`M`), attention
    /// (`*`), a plain ReLU² MLP (`-`) or a MoE with plain experts (`E`), optionally latent.
    static func nemotronH(_ r: inout ObjectReader, name: String) throws(CatalogError) -> ModelArchitecture {
        let h = try r.integer("hidden_size", minimum: 1)
        var pattern = try r.stringList("layers_block_type").map { type -> Character in
            switch type {
            case "mamba": "M"
            case "attention": "*"
            case "mlp": "-"
            case "moe": "E"
            default: "?"
            }
        }
        if pattern.isEmpty { pattern = Array(try r.string("hybrid_override_pattern")) }
        if let bad = pattern.firstIndex(where: { !"M*-E".contains($0) }) {
            throw r.error(
                "hybrid_override_pattern",
                "Block \(bad) has an unknown type '\(pattern[bad])'.",
                fix: "Use M, *, - or E."
            )
        }
        r.ignore("num_hidden_layers")
        let heads = try r.integer("num_attention_heads", minimum: 1)
        let headDimension: Int
        if let d = try r.optionalInteger("head_dim", minimum: 1) {
            headDimension = d
        } else {
            headDimension = try r.optionalInteger("attention_head_dim", minimum: 1) ?? h / heads
        }
        var attention = StandardAttention(
            queryHeads: heads,
            keyValueHeads: try r.integer("num_key_value_heads", minimum: 1),
            headDimension: headDimension
        )
        attention.qkvBias = try r.optionalBool("attention_bias") ?? false
        attention.outputBias = attention.qkvBias
        var mamba = Mamba2(
            heads: try r.integer("mamba_num_heads", minimum: 1),
            headDimension: try r.integer("mamba_head_dim", minimum: 1),
            groups: try r.integer("n_groups", minimum: 1),
            stateSize: try r.integer("ssm_state_size", minimum: 1),
            convolutionKernel: try r.integer("conv_kernel", minimum: 1)
        )
        mamba.convolutionBias = try r.optionalBool("use_conv_bias") ?? true
        mamba.projectionBias = try r.optionalBool("use_bias") ?? false
        let mlp = DenseMLP(intermediateSize: try r.integer("intermediate_size", minimum: 1), gated: false)
        var moe: MixtureOfExperts?
        if pattern.contains("E") {
            var m = MixtureOfExperts(
                experts: try r.integer("n_routed_experts", minimum: 1),
                topK: try r.integer("num_experts_per_tok", minimum: 1),
                expertIntermediateSize: try r.integer("moe_intermediate_size", minimum: 1),
                sharedIntermediateSize: (try r.optionalInteger("n_shared_experts", minimum: 0) ?? 1)
                    * (try r.integer("moe_shared_expert_intermediate_size", minimum: 0))
            )
            m.gatedExperts = false
            m.gatedSharedExperts = false
            m.scoreCorrectionBias = true
            m.latentSize = try r.optionalInteger("moe_latent_size", minimum: 1)
            moe = m
        }
        let layers = pattern.map { kind -> ModelArchitecture.Layer in
            switch kind {
            case "M": .init(attention: .mamba2(mamba), feedForward: .none, normParameters: h)
            case "*": .init(attention: .standard(attention), feedForward: .none, normParameters: h)
            case "-": .init(attention: .none, feedForward: .dense(mlp), normParameters: h)
            default: .init(attention: .none, feedForward: moe.map { .mixtureOfExperts($0) } ?? .none, normParameters: h)
            }
        }
        var notes = ["Mamba-2 FLOPs are counted in scan form (state update and read-out per token)."]
        if (try r.optionalInteger("num_nextn_predict_layers", minimum: 0) ?? 0) > 0 {
            notes.append("The checkpoint's MTP blocks are not built by reference code and are not counted.")
        }
        return try assemble(
            &r,
            name: name,
            family: "nemotron_h",
            hidden: h,
            layers: layers,
            tiedByDefault: false,
            notes: notes
        )
    }

    /// Gemma 4: sliding and global layers with their own head counts and widths (global layers'
    /// keys double as values), per-head QK norms, a GeGLU MLP in every layer and, in MoE models, a
    /// routed block beside it (counted as the shared part of the MoE).
    static func gemma4(_ r: inout ObjectReader, name: String) throws(CatalogError) -> ModelArchitecture {
        let h = try r.integer("hidden_size", minimum: 1)
        let layerCount = try r.integer("num_hidden_layers", minimum: 1)
        let heads = try r.integer("num_attention_heads", minimum: 1)
        if let perLayer = try r.optionalInteger("hidden_size_per_layer_input", minimum: 0), perLayer > 0 {
            throw r.error("hidden_size_per_layer_input", "Per-layer input embeddings are not modelled yet.")
        }
        if let shared = try r.optionalInteger("num_kv_shared_layers", minimum: 0), shared > 0 {
            throw r.error("num_kv_shared_layers", "KV sharing across layers is not modelled yet.")
        }
        var sliding = StandardAttention(
            queryHeads: heads,
            keyValueHeads: try r.integer("num_key_value_heads", minimum: 1),
            headDimension: try r.integer("head_dim", minimum: 1),
            window: try r.integer("sliding_window", minimum: 1)
        )
        sliding.queryKeyNorm = true
        var global = StandardAttention(
            queryHeads: heads,
            keyValueHeads: try r.optionalInteger("num_global_key_value_heads", minimum: 1) ?? sliding.keyValueHeads,
            headDimension: try r.optionalInteger("global_head_dim", minimum: 1) ?? sliding.headDimension
        )
        global.queryKeyNorm = true
        global.sharedKeyValue = try r.optionalBool("attention_k_eq_v") ?? false
        let kinds = try layerKinds(try r.stringList("layer_types"), count: layerCount, reader: r)
        let width = try r.integer("intermediate_size", minimum: 1)
        let feedForward: FeedForward
        let norms: Int
        if try r.optionalBool("enable_moe_block") == true {
            let experts = try r.integer("num_experts", minimum: 1)
            var moe = MixtureOfExperts(
                experts: experts,
                topK: try r.integer("top_k_experts", minimum: 1),
                expertIntermediateSize: try r.integer("moe_intermediate_size", minimum: 1),
                sharedIntermediateSize: width
            )
            moe.routerExtraParameters = h + experts
            feedForward = .mixtureOfExperts(moe)
            norms = 7 * h
        } else {
            feedForward = .dense(DenseMLP(intermediateSize: width))
            norms = 4 * h
        }
        let layers = kinds.map { kind in
            ModelArchitecture.Layer(
                attention: .standard(kind == "sliding" ? sliding : global),
                feedForward: feedForward,
                normParameters: norms
            )
        }
        return ModelArchitecture(
            name: name,
            family: "gemma4_text",
            hiddenSize: h,
            vocabularySize: try r.integer("vocab_size", minimum: 1),
            tiedEmbeddings: try r.optionalBool("tie_word_embeddings") ?? true,
            layers: layers,
            notes: [
                "The dense GeGLU MLP beside each routed block is counted as the MoE's shared part.",
                "Global layers' keys double as values; the cache still holds both, as the reference code does.",
            ]
        )
    }
}
