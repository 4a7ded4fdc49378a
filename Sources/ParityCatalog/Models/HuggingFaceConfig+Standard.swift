import ParityCore

extension HuggingFaceConfig {
    /// Llama, Qwen2/3 (dense, MoE, VL text), Mixtral, gpt-oss and Qwen3-Next: grouped-query
    /// attention (with the family's biases, norms, sinks, windows and gates), dense or routed MLPs,
    /// and Gated DeltaNet layers for Qwen3-Next (formulas.md §1–2).
    static func standardFamily(_ r: inout ObjectReader, family: String, name: String) throws(CatalogError)
        -> ModelArchitecture
    {
        let h = try r.integer("hidden_size", minimum: 1)
        let layerCount = try r.integer("num_hidden_layers", minimum: 1)
        let vocabulary = try r.integer("vocab_size", minimum: 1)
        let heads = try r.integer("num_attention_heads", minimum: 1)
        var attention = StandardAttention(
            queryHeads: heads,
            keyValueHeads: try r.optionalInteger("num_key_value_heads", minimum: 1) ?? heads,
            headDimension: try r.optionalInteger("head_dim", minimum: 1) ?? h / heads
        )
        let attentionBias = try r.optionalBool("attention_bias")
        var notes: [String] = []

        switch family {
        case "qwen2":
            attention.qkvBias = true
        case "gpt_oss":
            attention.qkvBias = attentionBias ?? true
            attention.outputBias = attentionBias ?? true
            attention.sinks = true
        case "qwen3", "qwen3_vl_text", "qwen3_moe", "qwen3_vl_moe_text", "qwen3_next", "qwen3_5_text",
            "qwen3_5_moe_text":
            attention.queryKeyNorm = true
            attention.qkvBias = attentionBias ?? false
            attention.outputBias = attentionBias ?? false
            let gated = try r.optionalBool("attn_output_gate") ?? false
            attention.outputGate = family == "qwen3_next" || gated
        default:
            attention.qkvBias = attentionBias ?? false
            attention.outputBias = attentionBias ?? false
        }

        // Which layers are sliding-window, linear or full attention.
        var attentionKinds = Array(repeating: "full", count: layerCount)
        var window: Int?
        switch family {
        case "mixtral":
            if let w = try r.optionalInteger("sliding_window", minimum: 1) {
                window = w
                attentionKinds = Array(repeating: "sliding", count: layerCount)
            }
        case "gpt_oss":
            window = try r.integer("sliding_window", minimum: 1)
            let types = try r.stringList("layer_types")
            if types.isEmpty {
                attentionKinds = (0..<layerCount).map { $0 % 2 == 0 ? "sliding" : "full" }
                notes.append("layer_types absent: sliding and full attention alternate, starting with sliding.")
            } else {
                attentionKinds = try layerKinds(types, count: layerCount, reader: r)
            }
        case "qwen3_next", "qwen3_5_text", "qwen3_5_moe_text":
            let types = try r.stringList("layer_types")
            if types.isEmpty {
                let interval = try r.optionalInteger("full_attention_interval", minimum: 1) ?? 4
                attentionKinds = (0..<layerCount).map { ($0 + 1) % interval == 0 ? "full" : "linear" }
            } else {
                attentionKinds = try layerKinds(types, count: layerCount, reader: r)
            }
        default:
            if try r.optionalBool("use_sliding_window") == true {
                throw r.error(
                    "use_sliding_window",
                    "Sliding-window attention in this family is not modelled yet.",
                    fix: "Set it to false if the model does not use it."
                )
            }
        }

        var deltaNet: GatedDeltaNet?
        if ["qwen3_next", "qwen3_5_text", "qwen3_5_moe_text"].contains(family) {
            deltaNet = GatedDeltaNet(
                keyHeads: try r.integer("linear_num_key_heads", minimum: 1),
                valueHeads: try r.integer("linear_num_value_heads", minimum: 1),
                keyHeadDimension: try r.integer("linear_key_head_dim", minimum: 1),
                valueHeadDimension: try r.integer("linear_value_head_dim", minimum: 1),
                convolutionKernel: try r.integer("linear_conv_kernel_dim", minimum: 1)
            )
        }

        // Which layers are MoE, and their shape.
        var moe: MixtureOfExperts?
        var isMoE = Array(repeating: false, count: layerCount)
        switch family {
        case "mixtral":
            moe = MixtureOfExperts(
                experts: try r.integer("num_local_experts", minimum: 1),
                topK: try r.integer("num_experts_per_tok", minimum: 1),
                expertIntermediateSize: try r.integer("intermediate_size", minimum: 1)
            )
            isMoE = Array(repeating: true, count: layerCount)
        case "gpt_oss":
            var m = MixtureOfExperts(
                experts: try r.integer("num_local_experts", minimum: 1),
                topK: try expertsPerToken(&r),
                expertIntermediateSize: try r.integer("intermediate_size", minimum: 1)
            )
            m.routerBias = true
            m.expertBiases = true
            r.ignore("experts_per_token")
            moe = m
            isMoE = Array(repeating: true, count: layerCount)
        case "qwen3_moe", "qwen3_vl_moe_text", "qwen3_next", "qwen3_5_moe_text":
            var m = MixtureOfExperts(
                experts: try r.integer("num_experts", minimum: 1),
                topK: try r.integer("num_experts_per_tok", minimum: 1),
                expertIntermediateSize: try r.integer("moe_intermediate_size", minimum: 1),
                sharedIntermediateSize: try r.optionalInteger("shared_expert_intermediate_size", minimum: 0) ?? 0
            )
            m.sharedExpertGate =
                (family == "qwen3_next" || family == "qwen3_5_moe_text") && m.sharedIntermediateSize > 0
            moe = m
            let step = try r.optionalInteger("decoder_sparse_step", minimum: 1) ?? 1
            var denseOnly = Set<Int>()
            if let list = r.node("mlp_only_layers"), case .array(let items, _) = list {
                for item in items { if case .integer(let i, _) = item { denseOnly.insert(i) } }
            }
            isMoE = (0..<layerCount).map { !denseOnly.contains($0) && ($0 + 1) % step == 0 }
        default:
            break
        }
        let denseWidth: Int? =
            isMoE.allSatisfy({ $0 }) ? nil : try r.optionalInteger("intermediate_size", minimum: 1)

        var layers: [ModelArchitecture.Layer] = []
        for i in 0..<layerCount {
            let mixer: Attention
            switch attentionKinds[i] {
            case "linear":
                guard let deltaNet else {
                    throw r.error("layer_types", "Layer \(i) is linear attention, which this family does not have.")
                }
                mixer = .gatedDeltaNet(deltaNet)
            case "sliding":
                var a = attention
                a.window = window
                mixer = .standard(a)
            default:
                mixer = .standard(attention)
            }
            let ffn: FeedForward
            if isMoE[i], let moe {
                ffn = .mixtureOfExperts(moe)
            } else {
                guard let denseWidth else {
                    throw r.error("intermediate_size", "Layer \(i) is dense but the config gives no dense width.")
                }
                ffn = .dense(DenseMLP(intermediateSize: denseWidth))
            }
            layers.append(.init(attention: mixer, feedForward: ffn, normParameters: 2 * h))
        }
        if family == "qwen3_next" || r.contains("mtp_num_hidden_layers") {
            notes.append(
                "The checkpoint's multi-token-prediction weights are not described by the config and are not counted."
            )
        }
        return ModelArchitecture(
            name: name,
            family: family,
            hiddenSize: h,
            vocabularySize: vocabulary,
            tiedEmbeddings: try r.optionalBool("tie_word_embeddings") ?? false,
            layers: layers,
            notes: notes
        )
    }

    /// gpt-oss names the routed-experts count both `num_experts_per_tok` and `experts_per_token`.
    static func expertsPerToken(_ r: inout ObjectReader) throws(CatalogError) -> Int {
        if let k = try r.optionalInteger("num_experts_per_tok", minimum: 1) { return k }
        return try r.integer("experts_per_token", minimum: 1)
    }

    /// Maps `layer_types` entries to `full`, `sliding` or `linear`.
    static func layerKinds(_ types: [String], count: Int, reader r: ObjectReader) throws(CatalogError) -> [String] {
        guard types.count >= count else {
            throw r.error(
                "layer_types",
                "Lists \(types.count) layers but num_hidden_layers is \(count).",
                fix: "Give one entry per layer."
            )
        }
        var kinds: [String] = []
        for (i, t) in types.prefix(count).enumerated() {
            switch t {
            case "full_attention": kinds.append("full")
            case "sliding_attention": kinds.append("sliding")
            case "linear_attention": kinds.append("linear")
            default:
                throw CatalogError(
                    file: r.file,
                    keyPath: "\(r.path.isEmpty ? "" : r.path + ".")layer_types[\(i)]",
                    message: "Unknown layer type '\(t)'.",
                    fix: "Use full_attention, sliding_attention or linear_attention."
                )
            }
        }
        return kinds
    }
}
