public import ParityCore

/// Builds a `ModelArchitecture` from a Hugging Face `config.json`.
///
/// Each supported `model_type` maps the config's keys onto layers exactly as the reference
/// implementation builds its tensors (formulas.md §1–2; `deepseek-v4.md` §3 for DeepSeek V4).
/// Multimodal configs are read through their `text_config`: the language model is counted and
/// the vision encoder is not, which the architecture's notes say. A family whose tensors Parity
/// cannot yet count exactly is an error that names what is missing; it never gets a guess.
public enum HuggingFaceConfig {
    /// The model types Parity counts exactly.
    public static let supportedModelTypes: [String] = [
        "deepseek_v3", "deepseek_v32", "kimi_k2", "kimi_k25", "deepseek_v4", "glm4_moe",
        "llama", "mixtral", "qwen2", "qwen3", "qwen3_moe", "qwen3_next", "gpt_oss",
        "qwen3_vl", "qwen3_vl_moe", "glm_moe_dsa", "minimax_m2", "qwen3_5", "qwen3_5_moe", "llama4",
        "mimo_v2_flash", "step3p7", "nemotron_h", "gemma4", "deepseek_ref",
    ]

    /// Multimodal families whose language model lives in `text_config`.
    static let nestedTextModelTypes = [
        "kimi_k25", "qwen3_vl", "qwen3_vl_moe", "qwen3_5", "qwen3_5_moe", "llama4", "gemma4", "deepseek_v41",
    ]

    /// What each known but unsupported family lacks.
    static let unsupported: [String: String] = [
        "nemotron-nas": "per-block heterogeneous attention and FFN widths (block_configs) are not modelled yet",
        "kimi_k3": "Kimi linear attention (kimi_linear) layers are not modelled yet",
        "kimi_linear": "Kimi linear attention layers are not modelled yet",
        "minimax_m3": "MiniMax M3's attention layout is not modelled yet",
        "mimo": "MiMo's MTP layers are not modelled yet",
    ]

    /// Reads a config node.
    /// - Parameters:
    ///   - node: the parsed `config.json`.
    ///   - file: the file's path, for errors.
    ///   - name: the name the architecture carries.
    public static func architecture(from node: Node, file: String?, name: String) throws(CatalogError)
        -> ModelArchitecture
    {
        var top = try ObjectReader(node, file: file)
        let modelType = try top.string("model_type")
        var notes: [String] = []
        var reader = top
        var family = modelType
        if top.contains("text_config"), Self.nestedTextModelTypes.contains(modelType) {
            reader = try top.object("text_config")
            family = try reader.optionalString("model_type") ?? modelType
            if top.contains("vision_config") {
                notes.append("Language model only: the vision encoder (vision_config) is not counted.")
            }
        } else if top.contains("text_config") && unsupported[modelType] == nil
            && !supportedModelTypes.contains(modelType)
        {
            reader = try top.object("text_config")
        }
        let topLevelTie = try top.optionalBool("tie_word_embeddings")
        var architecture: ModelArchitecture
        switch family {
        case "deepseek_v3", "kimi_k2", "deepseek_v32", "glm_moe_dsa":
            architecture = try deepSeek(&reader, family: family, name: name)
        case "minimax_m2":
            architecture = try miniMaxM2(&reader, name: name)
        case "qwen3_5_text", "qwen3_5_moe_text":
            architecture = try standardFamily(&reader, family: family, name: name)
        case "llama4_text":
            architecture = try llama4(&reader, name: name)
        case "mimo_v2_flash":
            architecture = try miMoV2(&reader, name: name)
        case "step3p7":
            architecture = try step3p7(&reader, name: name)
        case "nemotron_h":
            architecture = try nemotronH(&reader, name: name)
        case "gemma4_text":
            architecture = try gemma4(&reader, name: name)
        case "deepseek_v4", "deepseek_ref":
            architecture = try DeepSeekV4Config.architecture(&reader, name: name)
        case "deepseek_v41_text":
            architecture = try DeepSeekV4Config.approximateV41(reader, name: name)
        case "glm4_moe":
            architecture = try glm4MoE(&reader, name: name)
        case "llama", "qwen2", "qwen3", "qwen3_vl_text", "mixtral", "qwen3_moe", "qwen3_vl_moe_text", "gpt_oss",
            "qwen3_next":
            architecture = try standardFamily(&reader, family: family, name: name)
        default:
            if let missing = unsupported[family] ?? unsupported[modelType] {
                throw CatalogError(
                    file: file,
                    keyPath: "model_type",
                    message: "Model type '\(family)' cannot be counted exactly yet: \(missing).",
                    fix:
                        "Use a supported family (\(supportedModelTypes.joined(separator: ", "))) or describe the model with a model YAML."
                )
            }
            throw CatalogError(
                file: file,
                keyPath: "model_type",
                message: "Unknown model type '\(family)'.",
                fix:
                    "Supported: \(supportedModelTypes.joined(separator: ", ")); or describe the model with a model YAML."
            )
        }
        if !reader.contains("tie_word_embeddings"), let topLevelTie {
            architecture.tiedEmbeddings = topLevelTie
        }
        architecture.releasedPrecision = releasedPrecision(top: top, text: reader, family: family)
        architecture.family = modelType == family ? family : "\(modelType)/\(family)"
        architecture.notes = notes + architecture.notes
        return architecture
    }

    /// The checkpoint's weight precision, from `quantization_config` (DeepSeek V4: `expert_dtype`).
    static func releasedPrecision(top: ObjectReader, text: ObjectReader, family: String) -> WeightPrecision {
        var topReader = top
        var textReader = text
        let config = textReader.node("quantization_config") ?? topReader.node("quantization_config")
        var result = WeightPrecision(dense: .bf16, experts: .bf16)
        if let config {
            let method = config["quant_method"]?.stringValue?.lowercased() ?? ""
            let algorithm = config["quant_algo"]?.stringValue?.uppercased() ?? ""
            switch (method, algorithm) {
            case (_, "NVFP4"): result = .init(dense: .nvfp4, experts: .nvfp4)
            case (_, "MIXED_PRECISION"): result = .init(dense: .fp8, experts: .nvfp4)
            case ("fp8", _), (_, "FP8"): result = .init(dense: .fp8, experts: .fp8)
            case ("mxfp4", _): result = .init(dense: .bf16, experts: .mxfp4)
            case ("compressed-tensors", _): result = .init(dense: .bf16, experts: .int4, weightOnlyExperts: true)
            default: break
            }
        }
        if family == "deepseek_v4" || family == "deepseek_ref" {
            let expertType = textReader.node("expert_dtype")?.stringValue ?? (family == "deepseek_v4" ? "fp4" : "fp8")
            // V4's FP4 experts run as FP4 x FP8 GEMMs ("the peak FLOPs for FP4 x FP8 operations are
            // currently the same as FP8 x FP8", V4 report §1): MXFP4 weights, FP8 activations.
            result.experts = expertType == "fp4" ? .mxfp4a8 : .fp8
        }
        return result
    }

    // MARK: DeepSeek V3 family (MLA, DeepSeekMoE, optional DSA indexer)

    static func deepSeek(_ r: inout ObjectReader, family: String, name: String) throws(CatalogError)
        -> ModelArchitecture
    {
        let h = try r.integer("hidden_size", minimum: 1)
        let layerCount = try r.integer("num_hidden_layers", minimum: 1)
        let vocabulary = try r.integer("vocab_size", minimum: 1)
        let heads = try r.integer("num_attention_heads", minimum: 1)
        var indexer: LightningIndexer?
        if family == "deepseek_v32" || family == "glm_moe_dsa" || r.contains("index_topk") {
            indexer = LightningIndexer(
                heads: try r.integer("index_n_heads", minimum: 1),
                headDimension: try r.integer("index_head_dim", minimum: 1),
                topK: try r.integer("index_topk", minimum: 1)
            )
        }
        let attention = LatentAttention(
            heads: heads,
            queryRank: try r.optionalInteger("q_lora_rank", minimum: 1),
            keyValueRank: try r.integer("kv_lora_rank", minimum: 1),
            noPositionHeadDimension: try r.integer("qk_nope_head_dim", minimum: 0),
            ropeHeadDimension: try r.integer("qk_rope_head_dim", minimum: 0),
            valueHeadDimension: try r.integer("v_head_dim", minimum: 1),
            indexer: indexer
        )
        let expertWidth = try r.integer("moe_intermediate_size", minimum: 1)
        var moe = MixtureOfExperts(
            experts: try r.integer("n_routed_experts", minimum: 1),
            topK: try r.integer("num_experts_per_tok", minimum: 1),
            expertIntermediateSize: expertWidth,
            sharedIntermediateSize: expertWidth * (try r.optionalInteger("n_shared_experts", minimum: 0) ?? 0)
        )
        let topkMethod = try r.optionalString("topk_method")
        moe.scoreCorrectionBias = topkMethod == "noaux_tc"
        if let groups = try r.optionalInteger("n_group", minimum: 1), groups > 1 {
            moe.routingGroups = groups
            moe.groupsPerToken = try r.optionalInteger("topk_group", minimum: 1)
        }
        let denseWidth = try r.integer("intermediate_size", minimum: 1)
        let firstDense = try r.optionalInteger("first_k_dense_replace", minimum: 0) ?? 0
        let frequency = try r.optionalInteger("moe_layer_freq", minimum: 1) ?? 1
        let mlpTypes = try r.stringList("mlp_layer_types")
        if !mlpTypes.isEmpty && mlpTypes.count < layerCount {
            throw r.error("mlp_layer_types", "Lists \(mlpTypes.count) layers; num_hidden_layers is \(layerCount).")
        }
        let indexerOwners = try indexerOwnership(&r, layers: layerCount, hasIndexer: indexer != nil)
        var layers: [ModelArchitecture.Layer] = []
        for i in 0..<layerCount {
            let isMoE = mlpTypes.isEmpty ? i >= firstDense && i % frequency == 0 : mlpTypes[i] == "sparse"
            var layerAttention = attention
            layerAttention.indexer?.owned = indexerOwners[i]
            layers.append(
                .init(
                    attention: .latent(layerAttention),
                    feedForward: isMoE ? .mixtureOfExperts(moe) : .dense(DenseMLP(intermediateSize: denseWidth)),
                    normParameters: 2 * h
                )
            )
        }
        let mtpModules = try r.optionalInteger("num_nextn_predict_layers", minimum: 0) ?? 0
        let mtp =
            mtpModules > 0
            ? ModelArchitecture.MultiTokenPrediction(
                modules: mtpModules,
                layer: .init(attention: .latent(attention), feedForward: .mixtureOfExperts(moe), normParameters: 2 * h),
                extraParameters: 2 * h + 2 * h * h + h
            )
            : nil
        return ModelArchitecture(
            name: name,
            family: family,
            hiddenSize: h,
            vocabularySize: vocabulary,
            tiedEmbeddings: try r.optionalBool("tie_word_embeddings") ?? false,
            layers: layers,
            multiTokenPrediction: mtp
        )
    }

    // MARK: GLM-4.5 (GQA with biases and QK-norm, DeepSeekMoE)

    static func glm4MoE(_ r: inout ObjectReader, name: String) throws(CatalogError) -> ModelArchitecture {
        let h = try r.integer("hidden_size", minimum: 1)
        let layerCount = try r.integer("num_hidden_layers", minimum: 1)
        let heads = try r.integer("num_attention_heads", minimum: 1)
        var attention = StandardAttention(
            queryHeads: heads,
            keyValueHeads: try r.optionalInteger("num_key_value_heads", minimum: 1) ?? heads,
            headDimension: try r.optionalInteger("head_dim", minimum: 1) ?? h / heads
        )
        attention.qkvBias = try r.optionalBool("attention_bias") ?? false
        attention.queryKeyNorm = try r.optionalBool("use_qk_norm") ?? false
        let expertWidth = try r.integer("moe_intermediate_size", minimum: 1)
        var moe = MixtureOfExperts(
            experts: try r.integer("n_routed_experts", minimum: 1),
            topK: try r.integer("num_experts_per_tok", minimum: 1),
            expertIntermediateSize: expertWidth,
            sharedIntermediateSize: expertWidth * (try r.optionalInteger("n_shared_experts", minimum: 0) ?? 0)
        )
        moe.scoreCorrectionBias = true
        let denseWidth = try r.integer("intermediate_size", minimum: 1)
        let firstDense = try r.optionalInteger("first_k_dense_replace", minimum: 0) ?? 0
        let layers = (0..<layerCount).map { i in
            ModelArchitecture.Layer(
                attention: .standard(attention),
                feedForward: i >= firstDense ? .mixtureOfExperts(moe) : .dense(DenseMLP(intermediateSize: denseWidth)),
                normParameters: 2 * h
            )
        }
        let mtpModules = try r.optionalInteger("num_nextn_predict_layers", minimum: 0) ?? 0
        let mtp =
            mtpModules > 0
            ? ModelArchitecture.MultiTokenPrediction(
                modules: mtpModules,
                layer: .init(
                    attention: .standard(attention),
                    feedForward: .mixtureOfExperts(moe),
                    normParameters: 2 * h
                ),
                extraParameters: 2 * h + 2 * h * h + h
            )
            : nil
        return try assemble(
            &r,
            name: name,
            family: "glm4_moe",
            hidden: h,
            layers: layers,
            tiedByDefault: false,
            multiTokenPrediction: mtp
        )
    }
}
