import ParityCore

/// DeepSeek V4 (`model_type: deepseek_v4`): compressed sparse attention with a sliding window,
/// manifold-constrained hyper-connections (mHC), hash-routed first layers and one MTP module.
///
/// Tensor inventory: `deepseek-v4/deepseek-v4.md` §3.1 in the shared models data, written from the
/// official inference code; it reproduces the released checkpoints' tensor counts and bytes.
enum DeepSeekV4Config {
    static func architecture(_ r: inout ObjectReader, name: String) throws(CatalogError) -> ModelArchitecture {
        let d = try r.integer("hidden_size", minimum: 1)
        let layerCount = try r.integer("num_hidden_layers", minimum: 1)
        let vocabulary = try r.integer("vocab_size", minimum: 1)
        let heads = try r.integer("num_attention_heads", minimum: 1)
        let headDimension = try r.integer("head_dim", minimum: 1)
        let queryRank = try r.integer("q_lora_rank", minimum: 1)
        let outputGroups = try r.integer("o_groups", minimum: 1)
        let outputRank = try r.integer("o_lora_rank", minimum: 1)
        let window = try r.integer("sliding_window", minimum: 1)
        let indexerHeads = try r.integer("index_n_heads", minimum: 1)
        let indexerHeadDimension = try r.integer("index_head_dim", minimum: 1)
        let indexerTopK = try r.integer("index_topk", minimum: 1)
        let experts = try r.integer("n_routed_experts", minimum: 1)
        let topK = try r.integer("num_experts_per_tok", minimum: 1)
        let expertWidth = try r.integer("moe_intermediate_size", minimum: 1)
        let sharedExperts = try r.optionalInteger("n_shared_experts", minimum: 0) ?? 1
        let streams = try r.integer("hc_mult", minimum: 1)
        let hashLayers = try r.optionalInteger("num_hash_layers", minimum: 0) ?? 0
        let mtpModules = try r.optionalInteger("num_nextn_predict_layers", minimum: 0) ?? 0
        guard let ratiosNode = r.node("compress_ratios"), case .array(let items, _) = ratiosNode else {
            throw r.error("compress_ratios", "Missing or not a list.", fix: "Give one compression ratio per layer.")
        }
        var ratios: [Int] = []
        for (i, item) in items.enumerated() {
            guard case .integer(let ratio, _) = item, ratio >= 0 else {
                throw CatalogError(
                    file: r.file,
                    keyPath: "compress_ratios[\(i)]",
                    message: "Expected a whole number >= 0."
                )
            }
            ratios.append(ratio)
        }
        guard ratios.count >= layerCount + mtpModules else {
            throw r.error(
                "compress_ratios",
                "Lists \(ratios.count) ratios; \(layerCount) layers and \(mtpModules) MTP modules need \(layerCount + mtpModules)."
            )
        }
        for (i, ratio) in ratios.enumerated() where ratio != 0 && ratio != 4 && ratio != 128 {
            throw CatalogError(
                file: r.file,
                keyPath: "compress_ratios[\(i)]",
                message: "Compression ratio \(ratio) is not one DeepSeek V4 defines (0, 4 or 128)."
            )
        }
        if let expertType = try r.optionalString("expert_dtype"), expertType != "fp4" && expertType != "fp8" {
            throw r.error("expert_dtype", "Unknown expert precision '\(expertType)'.", fix: "Use fp4 or fp8.")
        }

        // mHC: `(2 + n_hc) n_hc` mixing logits from the `n_hc d` residual streams, per sub-layer.
        let mixing = (2 + streams) * streams
        let hyperConnections = ModelArchitecture.Extras(
            parameters: 2 * (mixing * streams * d + mixing + 3),
            flopsPerToken: Double(2 * 2 * streams * d * mixing)
        )

        func layer(_ index: Int) -> ModelArchitecture.Layer {
            let attention = CompressedAttention(
                heads: heads,
                headDimension: headDimension,
                queryRank: queryRank,
                outputGroups: outputGroups,
                outputRank: outputRank,
                window: window,
                compressRatio: ratios[index],
                indexerHeads: indexerHeads,
                indexerHeadDimension: indexerHeadDimension,
                indexerTopK: indexerTopK
            )
            var moe = MixtureOfExperts(
                experts: experts,
                topK: topK,
                expertIntermediateSize: expertWidth,
                sharedIntermediateSize: sharedExperts * expertWidth
            )
            moe.scoreCorrectionBias = true
            moe.hashRouted = index < hashLayers
            return .init(
                attention: .compressed(attention),
                feedForward: .mixtureOfExperts(moe),
                normParameters: 2 * d,
                extras: hyperConnections
            )
        }

        let head = ModelArchitecture.Extras(
            parameters: streams * streams * d + streams + 1,
            flopsPerToken: Double(2 * streams * streams * d)
        )
        let mtp =
            mtpModules > 0
            ? ModelArchitecture.MultiTokenPrediction(
                modules: mtpModules,
                layer: layer(layerCount),
                extraParameters: 2 * d * d + 3 * d + streams * streams * d + streams + 1
            )
            : nil
        var architecture = ModelArchitecture(
            name: name,
            family: "deepseek_v4",
            hiddenSize: d,
            vocabularySize: vocabulary,
            tiedEmbeddings: try r.optionalBool("tie_word_embeddings") ?? false,
            layers: (0..<layerCount).map(layer),
            modelExtras: head,
            multiTokenPrediction: mtp,
            notes: [
                "Hash-routed layers' token-to-expert tables are lookup tables, not parameters.",
                "Cache figures count the reference layout: BF16 main entries and indexer keys.",
            ]
        )
        architecture.residualStreams = streams
        return architecture
    }

    /// DeepSeek V4.1 (`deepseek_v41`), counted approximately as its nearest family, DeepSeek V4, with
    /// the widths and counts its config states. Its CSA2 layer kinds become V4's: a layer that keeps
    /// its own compressed index (code 2) a ratio-4 CSA layer, a layer that reuses another's keys
    /// (code 1) a ratio-128 HCA layer, whose small cache is the nearer to none. The Engram memory
    /// tables, the DSpark drafter and the vision encoder are not counted; the notes say so.
    static func approximateV41(_ reader: ObjectReader, name: String) throws(CatalogError) -> ModelArchitecture {
        var fields = reader.entries
        let line = reader.line
        let kinds: [Int: Int] = [0: 0, 1: 128, 2: 4]
        if let index = fields.firstIndex(where: { $0.key == "compress_ratios" }),
            case .array(let items, let listLine) = fields[index].value
        {
            var mapped: [Node] = []
            for (i, item) in items.enumerated() {
                guard case .integer(let code, let itemLine) = item, let ratio = kinds[code] else {
                    throw CatalogError(
                        file: reader.file,
                        keyPath: "text_config.compress_ratios[\(i)]",
                        message: "Expected a CSA2 layer code of 0, 1 or 2.",
                        fix: "Use the released config.json."
                    )
                }
                mapped.append(.integer(ratio, line: itemLine))
            }
            fields[index].value = .array(mapped, line: listLine)
        }
        var r = try ObjectReader(.object(fields, line: line), file: reader.file, path: reader.path)
        var architecture = try architecture(&r, name: name)
        architecture.family = "deepseek_v41 (approximate)"
        architecture.notes += [
            "Approximate: DeepSeek V4.1 counted as DeepSeek V4 with its config's widths; CSA2 layers that keep their own index are taken as V4's ratio-4 layers and those that reuse another layer's keys as ratio-128 layers.",
            "Not counted: the Engram memory tables (engram_*), the DSpark drafter (dspark_*) and the vision encoder (vision_config).",
        ]
        return architecture
    }
}
