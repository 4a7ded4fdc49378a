import Foundation
import ParityCatalog
import ParityCore
import Testing

/// Families beyond the cross-check set, against the totals their reference implementation
/// allocates (docs/model-families.md; `published-parameter-counts.yaml`).
struct ModelFamilyTests {
    static let published: Node = {
        do { return try Fixtures.load("published-parameter-counts.yaml") } catch { fatalError("\(error)") }
    }()
    static let files: [String] = published.keys

    /// transformers keeps router score-correction biases as buffers; Parity counts them as the
    /// checkpoint tensors they are.
    static func correctionBiasElements(_ a: ModelArchitecture) -> Int {
        a.layers.reduce(0) { sum, layer in
            guard case .mixtureOfExperts(let moe) = layer.feedForward, moe.scoreCorrectionBias, !moe.hashRouted else {
                return sum
            }
            return sum + moe.experts
        }
    }

    @Test func theFixtureCoversTheNewFamilies() {
        #expect(Self.files.count >= 50)
    }

    @Test(arguments: files)
    func parametersAndCacheMatchTheReferenceImplementation(file: String) throws {
        let entry = try #require(Self.published[file])
        let id = String(file.dropLast(".json".count)).replacingOccurrences(of: "--", with: "/")
        let name = try #require(Fixtures.catalog.modelEntry(named: id)?.name, "no built-in model for \(id)")
        let a = try Fixtures.catalog.model(named: name)
        let bias = Self.correctionBiasElements(a)
        #expect(a.parameters.total - bias == entry["total"]?.integerValue, "total")
        #expect(a.activeParameters - bias == entry["active"]?.integerValue, "active")
        if let kv = entry["kv_cache_bytes_per_token_bf16"]?.numberValue {
            #expect(a.unboundedKVCacheBytesPerToken().value == kv, "KV bytes per token")
        }
    }

    @Test(arguments: [
        ("glm-5", 743.9e9, 40.0e9), ("deepseek-v4-pro", 1.573e12, 49e9), ("deepseek-v4-flash", 284.3e9, 13e9),
    ])
    func publishedTotalsMatchWithinTheirRounding(name: String, total: Double, activeExcludingEmbedding: Double) throws {
        let id = name == "glm-5" ? "zai-org/GLM-5" : name
        let a = try Fixtures.catalog.model(named: id)
        #expect(isClose(Double(a.parameters.total - Self.correctionBiasElements(a)), total, relative: 0.001))
        // GLM-5 and DeepSeek V4 publish the active count without the input embedding.
        let active = Double(a.activeParameters - a.parameters.embedding)
        #expect(isClose(active, activeExcludingEmbedding, relative: 0.025))
    }
}
