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
}
