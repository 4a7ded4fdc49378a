import ParityCatalog
import ParityCore
import Testing

/// DeepSeek V4 against the exact tensor inventory in the shared V4 notes (`deepseek-v4.md` §3,
/// `v4_counts.py`), which reproduces the released checkpoints.
struct DeepSeekV4Tests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var total: Int
        var mtp: Int
        var activeExcludingEmbedding: Int
        var routedExperts: Int
        var decodeGFLOPsAt4096: Double
        var prefillTFLOPsAt8192: Double
        var kvBytesPerToken: Double
        var testDescription: String { name }
    }

    static let cases = [
        Case(
            name: "deepseek-v4-pro",
            total: 1_572_997_201_763,
            mtp: 25_840_145_979,
            activeExcludingEmbedding: 48_852_402_019,
            routedExperts: 1_547_396_186_112,
            decodeGFLOPsAt4096: 108.57,
            prefillTFLOPsAt8192: 872.70,
            kvBytesPerToken: 9_848
        ),
        Case(
            name: "deepseek-v4-flash",
            total: 284_332_240_471,
            mtp: 6_610_048_891,
            activeExcludingEmbedding: 13_270_101_591,
            routedExperts: 277_025_390_592,
            decodeGFLOPsAt4096: 29.11,
            prefillTFLOPsAt8192: 236.94,
            kvBytesPerToken: 6_880
        ),
    ]

    @Test(arguments: cases)
    func parametersMatchTheCheckpointInventory(c: Case) throws {
        let a = try Fixtures.catalog.model(named: c.name)
        #expect(a.parameters.total == c.total)
        #expect(a.parameters.routedExperts == c.routedExperts)
        #expect(a.multiTokenPredictionParameters == c.mtp)
        #expect(a.activeParameters - a.parameters.embedding == c.activeExcludingEmbedding)
    }

    @Test(arguments: cases)
    func flopsAndCacheMatchTheReferenceCounts(c: Case) throws {
        let a = try Fixtures.catalog.model(named: c.name)
        #expect(isClose(a.decodeFLOPs(context: 4_096).value / 1e9, c.decodeGFLOPsAt4096, relative: 0.0005))
        let prefill = a.prefillFLOPs(sequenceLength: 8_192, counting: .causal, logits: .all).value / 1e12
        #expect(isClose(prefill, c.prefillTFLOPsAt8192, relative: 0.0005))
        #expect(a.kvCacheBytesPerToken().value == c.kvBytesPerToken)
    }

    /// 1M-token sequence in the reference BF16 layout: 9.625 GiB (Pro), 6.724 GiB (Flash), window included.
    @Test(arguments: [("deepseek-v4-pro", 9.625), ("deepseek-v4-flash", 6.724)])
    func aMillionTokenSequenceFitsTheReferenceFigure(name: String, gib: Double) throws {
        let a = try Fixtures.catalog.model(named: name)
        let bytes = a.cacheBytes(atContext: 1_048_576).value
        #expect(isClose(bytes / 1_073_741_824, gib, relative: 0.001))
    }

    @Test func theSGLangReferenceConfigCountsAsV4() throws {
        let reference = try Fixtures.catalog.model(named: "sgl-project/DeepSeek-V4-Flash-FP8")
        let flash = try Fixtures.catalog.model(named: "deepseek-v4-flash")
        #expect(reference.parameters == flash.parameters)
    }

    @Test func v41IsCountedApproximatelyAsItsNearestFamily() throws {
        let v41 = try Fixtures.catalog.model(named: "deepseek-v4.1-flash")
        // The config's backbone: 552B as the community's model card gives it, Engram tables apart.
        #expect(isClose(Double(v41.parameters.total), 5.52e11, relative: 0.005))
        #expect(v41.layers.count == 40)
        #expect(v41.notes.contains { $0.hasPrefix("Approximate: DeepSeek V4.1 counted as DeepSeek V4") })
        #expect(v41.notes.contains { $0.contains("Engram") && $0.contains("Not counted") })
        // CSA2's codes become V4's ratios: two window-only layers, 18 with their own index, 20 that reuse.
        let ratios = v41.layers.compactMap { layer -> Int? in
            if case .compressed(let c) = layer.attention { return c.compressRatio }
            return nil
        }
        #expect(ratios.filter { $0 == 0 }.count == 2)
        #expect(ratios.filter { $0 == 4 }.count == 18)
        #expect(ratios.filter { $0 == 128 }.count == 20)
    }
}

/// Every built-in model is either counted or refused with a reason; none crashes or guesses.
struct BuiltInModelTests {
    static let names = Fixtures.catalog.models.map(\.name)

    @Test func theCatalogHoldsTheSharedConfigs() {
        #expect(Self.names.count >= 80)
    }

    @Test(arguments: names)
    func everyBuiltInModelCountsOrSaysWhy(name: String) throws {
        do {
            let a = try Fixtures.catalog.model(named: name)
            #expect(a.parameters.total > 0)
            #expect(a.activeParameters <= a.parameters.total)
            #expect(a.decodeFLOPs(context: 4_096).value > 0)
            #expect(a.trainingFLOPsPerToken(sequenceLength: 4_096, counting: .causal).value > 0)
        } catch {
            #expect(error.keyPath == "model_type")
            #expect(error.message.contains("cannot be counted exactly"))
        }
    }

    @Test func fourFamiliesRemainUncounted() {
        let refused = Self.names.filter { (try? Fixtures.catalog.model(named: $0)) == nil }
        #expect(
            refused.sorted() == ["kimi-k3", "llama-3_3-nemotron-super-49b-v1", "mimo-7b-base", "minimax-m3"]
        )
    }
}
