import Testing

@testable import ParityCore

/// Counting rules on hand-built architectures: hand-computed values, invariants and brute-force
/// references.
struct AccountingTests {
    /// A two-layer GQA model small enough to count by hand.
    static func tinyModel(window: Int? = nil, chunk: Int? = nil) -> ModelArchitecture {
        var attention = StandardAttention(queryHeads: 4, keyValueHeads: 2, headDimension: 8, window: window)
        attention.chunk = chunk
        let layer = ModelArchitecture.Layer(
            attention: .standard(attention),
            feedForward: .dense(DenseMLP(intermediateSize: 64)),
            normParameters: 2 * 32
        )
        return ModelArchitecture(
            name: "tiny",
            family: "test",
            hiddenSize: 32,
            vocabularySize: 100,
            tiedEmbeddings: false,
            layers: [layer, layer]
        )
    }

    @Test func parametersOfATinyModelMatchAHandCount() {
        let p = Self.tinyModel().parameters
        // Attention: q 32×32, k and v 32×16 each, o 32×32 = 3,072 per layer.
        #expect(p.attention == 2 * 3_072)
        // SwiGLU: 3 × 32 × 64 = 6,144 per layer.
        #expect(p.denseMLP == 2 * 6_144)
        #expect(p.embedding == 3_200)
        #expect(p.head == 3_200)
        #expect(p.norms == 2 * 64 + 32)
        #expect(p.total == 6_144 + 12_288 + 6_400 + 160)
    }

    @Test func tiedEmbeddingsCountTheTableOnce() {
        var model = Self.tinyModel()
        model.tiedEmbeddings = true
        #expect(model.parameters.head == 0)
        #expect(model.parameters.total == Self.tinyModel().parameters.total - 3_200)
    }

    @Test func decodeFLOPsAreTwiceTheMatrixWeightsPlusAttention() {
        let model = Self.tinyModel()
        let weights = 2.0 * Double(2 * (3_072 + 6_144))
        let head = 2.0 * 3_200
        // 4 n_q d per key: 4 × 4 × 8 = 128 FLOPs per key per layer.
        #expect(model.decodeFLOPs(context: 10).value == weights + head + 2 * 128 * 10)
    }

    @Test(arguments: [1, 7, 64, 1_000])
    func decodeWorkGrowsWithContextUnlessWindowed(context: Int) {
        let full = Self.tinyModel()
        let windowed = Self.tinyModel(window: 16)
        #expect(full.decodeFLOPs(context: context + 1) > full.decodeFLOPs(context: context))
        if context >= 16 {
            #expect(windowed.decodeFLOPs(context: context + 1) == windowed.decodeFLOPs(context: context))
        }
        #expect(windowed.cacheBytes(atContext: context) <= full.cacheBytes(atContext: context))
    }

    @Test func causalPrefillCountsHalfTheFullMatrixPlusTheDiagonal() {
        let model = Self.tinyModel()
        let s = 100
        let full = model.prefillFLOPs(sequenceLength: s, counting: .full, logits: .all).value
        let causal = model.prefillFLOPs(sequenceLength: s, counting: .causal, logits: .all).value
        #expect(full - causal == 2 * 128 * Double(s * s - s * (s + 1) / 2))
    }

    @Test func trainingIsThreeTimesTheForwardPass() {
        let model = Self.tinyModel()
        let s = 64
        let forward = model.prefillFLOPs(sequenceLength: s, counting: .causal, logits: .all).value / Double(s)
        #expect(abs(model.trainingFLOPsPerToken(sequenceLength: s, counting: .causal).value - 3 * forward) < 1e-6)
    }

    /// Differential checks of the closed-form key counts against direct sums.
    @Test(arguments: [1, 2, 3, 4, 5, 127, 128, 129, 1_000, 4_097])
    func closedFormKeyCountsMatchBruteForce(s: Int) {
        let window = 128
        #expect(KeyCounts.windowedPairs(s, window: window) == (1...s).reduce(0) { $0 + min($1, window) })
        for ratio in [4, 128] {
            #expect(KeyCounts.compressedPairs(s, ratio: ratio) == (1...s).reduce(0) { $0 + $1 / ratio })
            #expect(
                KeyCounts.compressedSelectedPairs(s, ratio: ratio, topK: 7)
                    == (1...s).reduce(0) { $0 + min(7, $1 / ratio) }
            )
        }
        var chunked = StandardAttention(queryHeads: 1, keyValueHeads: 1, headDimension: 1)
        chunked.chunk = 16
        #expect(chunked.pairs(sequence: s, counting: .causal) == (1...s).reduce(0) { $0 + chunked.keys(atContext: $1) })
    }

    @Test func expertsAChooseTokenUsesAreTheActiveOnes() {
        let moe = MixtureOfExperts(experts: 8, topK: 2, expertIntermediateSize: 16, sharedIntermediateSize: 16)
        let layer = ModelArchitecture.Layer(
            attention: .standard(StandardAttention(queryHeads: 1, keyValueHeads: 1, headDimension: 32)),
            feedForward: .mixtureOfExperts(moe),
            normParameters: 64
        )
        let model = ModelArchitecture(
            name: "moe",
            family: "t",
            hiddenSize: 32,
            vocabularySize: 10,
            tiedEmbeddings: true,
            layers: [layer]
        )
        let perExpert = 3 * 32 * 16
        #expect(model.parameters.routedExperts == 8 * perExpert)
        #expect(model.parameters.total - model.activeParameters == 6 * perExpert)
    }

    @Test func latentAttentionCachesTheLatentAndTheRopeKey() {
        let mla = LatentAttention(
            heads: 128,
            queryRank: 1_536,
            keyValueRank: 512,
            noPositionHeadDimension: 128,
            ropeHeadDimension: 64,
            valueHeadDimension: 128
        )
        let layer = ModelArchitecture.Layer(attention: .latent(mla), feedForward: .none, normParameters: 0)
        let model = ModelArchitecture(
            name: "mla",
            family: "t",
            hiddenSize: 7_168,
            vocabularySize: 1,
            tiedEmbeddings: true,
            layers: [layer]
        )
        #expect(model.kvCacheBytesPerToken().value == 1_152)
        // Per layer: 187,107,328 parameters (formulas.md §2.1).
        #expect(model.parameters.attention == 187_107_328)
    }
}

struct PowerTests {
    @Test(arguments: [0, 1, 2, 3, 10, 1_000, 7_168])
    func repeatedSquaringMatchesRepeatedMultiplication(n: Int) {
        var expected = 1.0
        for _ in 0..<n { expected *= 0.999 }
        let computed = power(0.999, n)
        #expect(abs(computed - expected) <= 1e-12 * max(1, expected))
    }
}
