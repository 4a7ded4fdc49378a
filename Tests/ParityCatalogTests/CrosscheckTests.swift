import ParityCatalog
import ParityCore
import Testing

/// Parity's counts against an independent implementation that was itself checked against Hugging
/// Face transformers (`crosscheck-results.yaml`): parameters exactly, FLOPs within 0.5%, KV cache
/// bytes exactly.
struct CrosscheckTests {
    static let results: Node = {
        do { return try Fixtures.load("crosscheck-results.yaml") } catch { fatalError("\(error)") }
    }()
    static let slugs: [String] = results["full_configs"]?.keys ?? []

    @Test func everyCrosscheckModelIsCovered() {
        #expect(Self.slugs.count == 18)
    }

    @Test(arguments: slugs)
    func parametersMatchExactly(slug: String) throws {
        let expected = try #require(Self.results["full_configs"]?[slug]?["formula"])
        let a = try Fixtures.architecture(slug: slug)
        let p = a.parameters
        #expect(p.embedding == expected["embedding"]?.integerValue)
        #expect(p.head == expected["lm_head"]?.integerValue)
        #expect(p.attention == expected["attention"]?.integerValue)
        #expect(p.denseMLP == expected["dense_mlp"]?.integerValue)
        #expect(p.routedExperts == expected["routed_experts"]?.integerValue)
        #expect(p.sharedExperts == expected["shared_experts"]?.integerValue)
        #expect(p.router == expected["router"]?.integerValue)
        #expect(p.norms == expected["norms"]?.integerValue)
        #expect(p.total == expected["total"]?.integerValue)
        #expect(a.activeParameters == expected["active"]?.integerValue)
    }

    @Test(arguments: slugs)
    func multiTokenPredictionModulesMatchExactly(slug: String) throws {
        let a = try Fixtures.architecture(slug: slug)
        let expected = Self.results["full_configs"]?[slug]?["mtp_formula"]?["per_module_unique"]?.integerValue
        #expect(a.multiTokenPredictionParameters == (expected ?? 0))
    }

    @Test(arguments: slugs)
    func flopsMatchWithinHalfAPercent(slug: String) throws {
        let derived = try #require(Self.results["full_configs"]?[slug]?["derived_per_token"])
        let a = try Fixtures.architecture(slug: slug)
        let weights = try #require(derived["forward_weight_flops_per_token_excl_lm_head"]?.numberValue)
        #expect(isClose(a.weightFLOPsPerToken.value, weights, relative: 0.005))
        let head = try #require(derived["lm_head_flops_per_token"]?.numberValue)
        #expect(a.headFLOPsPerToken.value == head)
        let causal = try #require(derived["training_gflops_per_token_S4096_causal"]?.numberValue)
        let full = try #require(derived["training_gflops_per_token_S4096_noncausal"]?.numberValue)
        #expect(
            isClose(
                a.trainingFLOPsPerToken(sequenceLength: 4_096, counting: .causal).value / 1e9,
                causal,
                relative: 0.005
            )
        )
        #expect(
            isClose(a.trainingFLOPsPerToken(sequenceLength: 4_096, counting: .full).value / 1e9, full, relative: 0.005)
        )
        for context in [4_096, 32_768, 131_072] {
            let forms = try #require(derived["decode_attention_flops_per_token_ctx\(context)"])
            let expected = try #require((forms["absorbed"] ?? forms["mha"])?.numberValue)
            #expect(
                isClose(a.decodeAttentionFLOPs(context: context).value, expected, relative: 0.005),
                "decode attention at \(context)"
            )
        }
    }

    @Test(arguments: slugs)
    func kvCacheBytesMatchExactly(slug: String) throws {
        let expected = try #require(Self.results["kv_cache"]?[slug])
        let a = try Fixtures.architecture(slug: slug)
        #expect(a.kvCacheBytesPerToken().value == expected["per_token_all_layers"]?.numberValue)
        if let atContext = expected["bytes_at_ctx"]?.numberValue {
            #expect(a.cacheBytes(atContext: 131_072).value == atContext)
        }
        if let indexer = expected["dsa_indexer_key_bytes_per_token_per_layer_fp8"]?.numberValue {
            #expect(a.indexerKeyBytesPerToken.value == indexer * Double(a.layers.count))
        }
        if let state = expected["gdn_state_elems_per_sequence"]?.numberValue {
            let fullLayers = a.layers.filter { if case .standard = $0.attention { true } else { false } }.count
            // Cache at a context of one token: one token of every full layer plus every state.
            let perTokenFull = Double(fullLayers) * (expected["per_layer_full"]?.numberValue ?? 0)
            #expect(a.cacheBytes(atContext: 1, bytesPerElement: 2).value == perTokenFull + 2 * state)
        }
    }

    static let tinySlugs: [String] = results["tiny_flop_checks"]?.keys ?? []

    /// Tiny structure-preserving configs whose forward FLOPs were measured with PyTorch's
    /// FlopCounterMode: prefill (logits for every position) counted causal and full.
    @Test(arguments: tinySlugs)
    func tinyPrefillFLOPsMatchMeasurements(slug: String) throws {
        let check = try #require(Self.results["tiny_flop_checks"]?[slug])
        let config = try #require(check["tiny_config"])
        let a = try HuggingFaceConfig.architecture(from: config, file: "tiny \(slug)", name: slug)
        #expect(a.parameters.total == check["tiny_params_formula"]?.integerValue)
        guard case .array(let runs, _) = try #require(check["runs"]) else { return }
        for run in runs {
            let s = try #require(run["seq_len"]?.integerValue)
            let causal = try #require(run["prefill_formula_useful_causal"]?.numberValue)
            let full = try #require(run["prefill_measured"]?.numberValue)
            #expect(a.prefillFLOPs(sequenceLength: s, counting: .causal, logits: .all).value == causal, "causal S=\(s)")
            #expect(a.prefillFLOPs(sequenceLength: s, counting: .full, logits: .all).value == full, "full S=\(s)")
        }
    }

    @Test func absorbedLatentAttentionMatchesTheNumericCheck() throws {
        let mla = try #require(Self.results["mla_absorbed_check"])
        let attention = LatentAttention(
            heads: 4,
            queryRank: 96,
            keyValueRank: 64,
            noPositionHeadDimension: 32,
            ropeHeadDimension: 16,
            valueHeadDimension: 32
        )
        let layer = ModelArchitecture.Layer(attention: .latent(attention), feedForward: .none, normParameters: 0)
        let model = ModelArchitecture(
            name: "tiny",
            family: "t",
            hiddenSize: 256,
            vocabularySize: 1,
            tiedEmbeddings: true,
            layers: [layer]
        )
        #expect(model.decodeAttentionFLOPs(context: 96).value == mla["absorbed_core_flops_formula"]?.numberValue)
    }

    @Test func sparseAttentionCoreMatchesTheNumericCheck() throws {
        let dsa = try #require(Self.results["dsa_sparse_check"])
        let attention = LatentAttention(
            heads: 4,
            queryRank: 96,
            keyValueRank: 64,
            noPositionHeadDimension: 32,
            ropeHeadDimension: 16,
            valueHeadDimension: 32,
            indexer: LightningIndexer(heads: 1, headDimension: 1, topK: 24)
        )
        let indexerScores = try #require(attention.indexer).scoreFLOPs(keys: 96)
        #expect(
            attention.absorbedDecodeFLOPs(context: 96) - indexerScores == dsa["sparse_core_flops_formula"]?.numberValue
        )
    }

    /// DeepSeek ISCA'25 Table 2 (training GFLOP per token at S = 4096, causal, MTP excluded).
    @Test(arguments: [
        ("deepseek-v2", 155.3), ("deepseek-v3", 250.5), ("qwen2.5-72b", 444.9), ("llama-3.1-405b", 2_473.2),
    ])
    func trainingFLOPsReproduceTheISCATable(slug: String, gflops: Double) throws {
        let a = try Fixtures.architecture(slug: slug)
        let computed = a.trainingFLOPsPerToken(sequenceLength: 4_096, counting: .causal).value / 1e9
        #expect(isClose(computed, gflops, relative: 0.005))
    }
}
