import Foundation
import ParityCatalog
import ParityCore
import Testing

/// Every published example scenario in the shared folder loads, and model specs state their
/// assumptions.
struct ScenarioExampleTests {
    static var examplesDirectory: String? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.deletingLastPathComponent().appendingPathComponent("shared/scenarios/examples").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    static var examples: [String] {
        guard let directory = examplesDirectory else { return [] }
        return ((try? ScenarioPaths.expand([directory])) ?? [])
    }

    @Test(.enabled(if: examplesDirectory != nil, "needs ../shared/scenarios/examples"), arguments: examples)
    func everyExampleLoads(path: String) throws {
        let file = try ScenarioFile.load(path: path, catalog: Fixtures.catalog)
        #expect(!file.scenario.id.isEmpty)
    }

    @Test func aModelSpecStatesItsAssumptions() throws {
        let spec = """
            id: spec
            model: llama-2-70b
            model_spec: { name: Llama-2-70B, params_total: 7.0e+10, layers: 80, hidden_size: 8192, heads: 64, kv_heads: 8, attention: gqa }
            system: { chip: h100-sxm, chips: 8 }
            workload: { kind: serving }
            """
        let file = try ScenarioFile.load(path: try BadInputTests.write(spec), catalog: Fixtures.catalog)
        #expect(file.modelAssumptions.contains { $0.contains("vocab_size") })
        #expect(file.modelAssumptions.contains { $0.contains("ffn_hidden_size") })
        // Llama 2 70B's real width is 28,672; deriving it from a rounded total lands close.
        guard case .dense(let mlp) = try #require(file.architecture.layers.first).feedForward else {
            Issue.record("expected a dense layer")
            return
        }
        #expect(abs(mlp.intermediateSize - 28_672) <= 512)
    }

    /// What an announcement gives: counts and layers. The rest follows from the conventions of the
    /// kind of model, each said.
    @Test func anAnnouncementIsCompletedByConvention() throws {
        func load(_ spec: String) throws -> ScenarioFile {
            let text = """
                id: announced
                model_spec: \(spec)
                system: { chip: h800, chips: 32, node: hgx-h800 }
                workload: { kind: serving, input_tokens: 4000, output_tokens: 1000, tpot_slo_ms: 50 }
                """
            return try ScenarioFile.load(path: try BadInputTests.write(text), catalog: Fixtures.catalog)
        }
        // DeepSeek-V3 as announced: 671B total, 37B active, 61 layers. Its real width is 7,168 with 256
        // experts of 2,048.
        let v3 = try load(
            "{ name: V3, params_total: 6.71e+11, params_active: 3.7e+10, layers: 61, vocab_size: 129280 }"
        )
        #expect(abs(v3.architecture.hiddenSize - 7_168) <= 256)
        let moe = try #require(
            v3.architecture.layers.compactMap { layer -> MixtureOfExperts? in
                if case .mixtureOfExperts(let m) = layer.feedForward { return m }
                return nil
            }.first
        )
        #expect(abs(moe.experts - 256) <= 16)
        #expect(abs(Double(v3.architecture.parameters.total) / 6.71e11 - 1) < 0.02)
        #expect(abs(Double(v3.architecture.activeParameters) / 3.7e10 - 1) < 0.05)
        #expect(v3.modelAssumptions.contains { $0.hasPrefix("hidden_size not given") })
        #expect(v3.modelAssumptions.contains { $0.hasPrefix("experts not given") })
        #expect(throws: Never.self) { _ = try v3.predict(catalog: Fixtures.catalog) }
        // A dense 70B of 80 layers: Llama 2 70B's width, 8,192.
        let dense = try load("{ name: D70, params_total: 6.9e+10, layers: 80 }")
        #expect(dense.architecture.hiddenSize == 8_192)
        #expect(dense.modelAssumptions.contains { $0.contains("dense model's conventions") })
        // Without any count there is nothing to derive the width from: the error says what to add.
        #expect {
            _ = try load("{ name: bare, layers: 80 }")
        } throws: { error in
            "\(error)".contains("model_spec.hidden_size") && "\(error)".contains("params_total")
        }
    }
}
