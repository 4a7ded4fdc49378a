import Testing

@testable import ParityCore

/// The training estimator on hand-built inputs: invariants that must hold whatever the parameters.
struct TrainingEstimatorTests {
    static let provenance = Provenance(sources: ["test"], confidence: .low)

    static func evidence(_ value: Double) -> SoftwareStack.Evidence {
        .init(value: value, evidence: "test", provenance: provenance)
    }

    /// A 1 GB/s scale-out network, slow enough for data-parallel traffic to show.
    static let slowScaleOut = Chip.ScaleOut(bandwidth: .giga(1), technology: nil, provenance: provenance)

    static func stack(overlap: Double? = nil) -> SoftwareStack {
        var parameters: [SoftwareStack.Parameter: SoftwareStack.Evidence] = [
            .gemmEfficiencyBF16: .init(value: 0.8, evidence: "test", provenance: provenance),
            .attentionEfficiency: .init(value: 0.5, evidence: "test", provenance: provenance),
            .memoryBandwidthEfficiency: .init(value: 0.8, evidence: "test", provenance: provenance),
            .scaleUpEfficiency: .init(value: 0.75, evidence: "test", provenance: provenance),
            .scaleOutEfficiency: .init(value: 0.85, evidence: "test", provenance: provenance),
            .collectiveLatency: .init(value: 15e-6, evidence: "test", provenance: provenance),
        ]
        if let overlap {
            parameters[.overlapComputeFraction] = .init(value: overlap, evidence: "test", provenance: provenance)
        }
        return SoftwareStack(name: "test", description: nil, chips: ["x"], matches: [], parameters: parameters)
    }

    static let chip = Chip(
        name: "x",
        vendor: "x",
        fullName: "x",
        confidence: .low,
        compute: .init(dense: [.bf16: .tera(1_000)], provenance: provenance),
        memory: .init(type: nil, capacity: .giga(80), bandwidth: .tera(3), provenance: provenance),
        scaleUp: .init(name: nil, bidirectionalBandwidth: .giga(900), maxDomain: 8, provenance: provenance),
        scaleOut: .init(bandwidth: .giga(50), technology: nil, provenance: provenance)
    )

    static func model(layers: Int = 8, moe: Bool = false) -> ModelArchitecture {
        let attention = StandardAttention(queryHeads: 32, keyValueHeads: 8, headDimension: 128)
        let feedForward: FeedForward =
            moe
            ? .mixtureOfExperts(MixtureOfExperts(experts: 128, topK: 8, expertIntermediateSize: 768))
            : .dense(DenseMLP(intermediateSize: 14_336))
        let layer = ModelArchitecture.Layer(
            attention: .standard(attention),
            feedForward: feedForward,
            normParameters: 8_192
        )
        return ModelArchitecture(
            name: "m",
            family: "t",
            hiddenSize: 4_096,
            vocabularySize: 128_000,
            tiedEmbeddings: false,
            layers: Array(repeating: layer, count: layers)
        )
    }

    static func estimator(chips: Int, batch: Int = 256) -> TrainingEstimator {
        TrainingEstimator(
            architecture: model(),
            chip: chip,
            system: nil,
            stack: stack(),
            chips: chips,
            sequenceLength: 4_096,
            globalBatch: batch,
            precision: .bf16,
            tokens: 1e12,
            conventions: .init()
        )
    }

    @Test func oneChipHasNoCommunicationAndNoBubble() throws {
        let e = try Self.estimator(chips: 1).estimate(plan: TrainingPlan(tp: 1, pp: 1, dp: 1))
        #expect(e.breakdown.tensorParallel == .zero)
        #expect(e.breakdown.dataParallel == .zero)
        #expect(e.breakdown.bubble == .zero)
        #expect(e.mfu > 0 && e.mfu < 0.8)
    }

    @Test func theStepIsTheSumOfItsParts() throws {
        let e = try Self.estimator(chips: 8).estimate(plan: TrainingPlan(tp: 2, pp: 2, dp: 2))
        let sum = e.breakdown.parts.reduce(0.0) { $0 + $1.time.value }
        #expect(abs(sum - e.stepTime.value) < 1e-9 * e.stepTime.value)
    }

    @Test(arguments: [2, 4, 8])
    func the1F1BBubbleIsPipelineMinusOneStageTimes(pp: Int) throws {
        let e = try Self.estimator(chips: pp).estimate(plan: TrainingPlan(tp: 1, pp: pp, dp: 1))
        let microBatches = 256.0
        let stage =
            (e.stepTime.value - e.breakdown.optimizer.value - e.breakdown.dataParallel.value)
            / (microBatches + Double(pp - 1))
        #expect(abs(e.breakdown.bubble.value - stage * Double(pp - 1)) < 1e-9)
    }

    @Test func interleavingShrinksTheBubble() throws {
        let plain = try Self.estimator(chips: 4).estimate(plan: TrainingPlan(tp: 1, pp: 4, dp: 1))
        let interleaved = try Self.estimator(chips: 4).estimate(
            plan: TrainingPlan(tp: 1, pp: 4, vpp: 2, dp: 1, schedule: .interleaved)
        )
        #expect(interleaved.breakdown.bubble < plain.breakdown.bubble)
    }

    @Test func perChunkReductionHidesBehindARoundOfBackwardPasses() throws {
        // 64 chips over 8 nodes, data parallel across a slow (1 GB/s) scale-out network.
        var estimator = Self.estimator(chips: 64, batch: 64)
        estimator.chip.scaleOut = Self.slowScaleOut
        let plain = TrainingPlan(tp: 1, pp: 4, dp: 16, schedule: .oneFOneB)
        let interleaved = TrainingPlan(tp: 1, pp: 4, vpp: 2, dp: 16, schedule: .interleaved)
        let lastMicroBatchOnly = try estimator.estimate(plan: interleaved)
        estimator.stack.parameters[.gradientOverlap] = Self.evidence(2)
        let withoutChunks = try estimator.estimate(plan: plain)
        let perChunk = try estimator.estimate(plan: interleaved)
        // The same traffic either way; only how much of it hides differs.
        let total = withoutChunks.breakdown.dataParallel + withoutChunks.breakdown.dataParallelHidden
        let perChunkTotal = perChunk.breakdown.dataParallel + perChunk.breakdown.dataParallelHidden
        #expect(abs((perChunkTotal - total).value) < 1e-12)
        #expect(withoutChunks.breakdown.dataParallel > .zero)
        #expect(perChunk.breakdown.dataParallel < lastMicroBatchOnly.breakdown.dataParallel)
        #expect(perChunk.breakdown.dataParallel < withoutChunks.breakdown.dataParallel)
    }

    @Test func stagesAreBalancedWithTheHeadOnTheLastOne() {
        // Ten equal layers on four stages, the last also carrying work worth two layers: the last
        // stage takes one layer, the others three each, so no stage exceeds three layers of work.
        let counts = balancedStages(Array(repeating: 1, count: 10), into: 4, lastExtra: 2)
        #expect(counts.reduce(0, +) == 10)
        #expect(counts.count == 4 && counts.allSatisfy { $0 >= 1 })
        #expect(counts.last == 1)
        // Without extra work, the split is as even as it can be.
        #expect(balancedStages(Array(repeating: 1, count: 8), into: 4, lastExtra: 0) == [2, 2, 2, 2])
    }

    @Test func multiTokenPredictionAddsALayerAndAHeadToTheLastStage() throws {
        var estimator = Self.estimator(chips: 1)
        let plan = TrainingPlan(tp: 1, pp: 1, dp: 1)
        let without = try estimator.estimate(plan: plan)
        let layer = estimator.architecture.layers[0]
        estimator.architecture.multiTokenPrediction = .init(
            modules: 1,
            layer: layer,
            extraParameters: 2 * 4_096 * 4_096
        )
        let with = try estimator.estimate(plan: plan)
        #expect(with.stepTime > without.stepTime)
        // Model FLOPs (and so MFU's numerator per token) leave the MTP module out.
        #expect(with.modelFLOPsPerToken == without.modelFLOPsPerToken)
    }

    @Test func attentionThatWritesItsScoresOutCostsMemoryTraffic() throws {
        var estimator = Self.estimator(chips: 1)
        let plan = TrainingPlan(tp: 1, pp: 1, dp: 1)
        let fused = try estimator.estimate(plan: plan)
        estimator.stack.parameters[.attentionScoreBytesForward] = Self.evidence(13)
        estimator.stack.parameters[.attentionScoreBytesBackward] = Self.evidence(19)
        let materialized = try estimator.estimate(plan: plan)
        // 32 heads x 4,096 x 4,096 scores per sequence, 32 bytes each over a step, for 8 layers and 256
        // sequences, at 0.8 x 3 TB/s, on top of GEMMs over the whole square instead of the causal half.
        let traffic = 32.0 * 4_096 * 4_096 * 32 * 8 * 256 / (0.8 * 3e12)
        #expect(materialized.breakdown.attention.value > traffic)
        #expect(materialized.stepTime.value > fused.stepTime.value + traffic * 0.9)
    }

    @Test func withoutSequenceParallelismNormsRunOnEveryTensorRank() throws {
        let estimator = Self.estimator(chips: 8)
        let split = try estimator.estimate(plan: TrainingPlan(tp: 8, pp: 1, dp: 1, sequenceParallel: true))
        let replicated = try estimator.estimate(plan: TrainingPlan(tp: 8, pp: 1, dp: 1, sequenceParallel: false))
        #expect(replicated.breakdown.elementwise > split.breakdown.elementwise)
        #expect(replicated.breakdown.gemm == split.breakdown.gemm)
    }

    @Test func dataParallelTrafficCrossesNodesOnlyWithEachRanksShare() throws {
        // Sixteen data-parallel ranks, eight per 8-chip node: a reduce-scatter inside each node over
        // its links, then one between the two nodes on an eighth of the gradients over the NICs.
        let e = try Self.estimator(chips: 16).estimate(plan: TrainingPlan(tp: 1, pp: 1, dp: 16))
        let gradients = Bytes(Double(Self.model().parameters.total) * 4)
        let up = Link(name: "up", bandwidth: BytesPerSecond(450e9 * 0.75), latency: Seconds(15e-6))
        let out = Link(name: "out", bandwidth: BytesPerSecond(50e9 * 0.85), latency: Seconds(15e-6))
        let parameters = Bytes(Double(Self.model().parameters.total) * 2)
        let expected =
            Collective.allGather(bytes: gradients, ranks: 8, link: up)
            + Collective.allGather(bytes: gradients / 8, ranks: 2, link: out)
            + Collective.allGather(bytes: parameters, ranks: 8, link: up)
            + Collective.allGather(bytes: parameters / 8, ranks: 2, link: out)
        let total = e.breakdown.dataParallel + e.breakdown.dataParallelHidden
        #expect(abs((total - expected).value) < 1e-9 * expected.value, "\(total.value) vs \(expected.value)")
        // A flat ring over the NICs would move all of it through them.
        #expect(total < Collective.allGather(bytes: gradients, ranks: 16, link: out))
    }

    @Test func zero3GathersParametersEveryMicroBatchBehindTheComputation() throws {
        // Sixteen chips over two nodes, data parallel across a slow (1 GB/s) scale-out network, so
        // the gathers outlast the computation and show.
        var estimator = Self.estimator(chips: 16, batch: 64)
        estimator.chip.scaleOut = Self.slowScaleOut
        let one = try estimator.estimate(plan: TrainingPlan(tp: 1, pp: 1, dp: 16, zero: 1))
        let three = try estimator.estimate(plan: TrainingPlan(tp: 1, pp: 1, dp: 16, zero: 3))
        #expect(
            three.breakdown.dataParallel + three.breakdown.dataParallelHidden
                > one.breakdown.dataParallel + one.breakdown.dataParallelHidden
        )
        #expect(three.stepTime > one.stepTime)
        #expect(three.memoryPerChip < one.memoryPerChip)
    }

    @Test func fp8TrainingRunsWeightGradientsAtTheirOwnRateAndTheHeadInBF16() throws {
        var estimator = Self.estimator(chips: 1)
        estimator.chip.compute.dense[.fp8] = .tera(2_000)
        estimator.precision = .fp8
        estimator.stack.parameters[.gemmEfficiencyFP8] = Self.evidence(0.8)
        let plan = TrainingPlan(tp: 1, pp: 1, dp: 1)
        let uniform = try estimator.estimate(plan: plan)
        estimator.stack.parameters[.gemmEfficiencyFP8Wgrad] = Self.evidence(0.4)
        let slowWgrad = try estimator.estimate(plan: plan)
        // A third of the layer GEMM work at half the rate: a third more GEMM time in the layers.
        #expect(slowWgrad.breakdown.gemm > uniform.breakdown.gemm * 1.2)
        // Forward and data-gradient GEMMs at 0.8 x 2,000 TFLOP/s, weight gradients at 0.4 x 2,000, and the
        // head, kept in BF16, at 0.8 x 1,000: per micro-batch of 4,096 tokens, 256 micro-batches.
        let model = estimator.architecture
        let layerForward = 4_096 * model.layers.reduce(0.0) { $0 + $1.weightFLOPsPerToken(hidden: model.hiddenSize) }
        let headForward = 4_096 * model.headFLOPsPerToken.value
        let perMicroBatch = 2 * layerForward / 1.6e15 + layerForward / 0.8e15 + 3 * headForward / 0.8e15
        #expect(abs(slowWgrad.breakdown.gemm.value - 256 * perMicroBatch) < 1e-9 * slowWgrad.breakdown.gemm.value)
    }

    @Test func expertDataParallelPeersAreExpertParallelismApart() throws {
        // Sixteen chips over two 8-chip nodes; with EP 8 each expert's two replicas sit a node apart,
        // so their gradient sync crosses the (slow, 1 GB/s) NICs.
        var estimator = Self.estimator(chips: 16, batch: 64)
        estimator.architecture = Self.model(moe: true)
        estimator.chip.scaleOut = Self.slowScaleOut
        let twoReplicas = try estimator.estimate(plan: TrainingPlan(tp: 1, pp: 1, ep: 8, dp: 16))
        let oneReplica = try estimator.estimate(plan: TrainingPlan(tp: 1, pp: 1, ep: 16, dp: 16))
        let sync = { (e: TrainingEstimate) in (e.breakdown.dataParallel + e.breakdown.dataParallelHidden).value }
        let expertShard = Double(estimator.architecture.parameters.routedExperts) / 8
        // Reduce-scatter of FP32 gradients and gather of BF16 parameters between the two replicas.
        let crossing = 0.5 * expertShard * (4 + 2) / (1e9 * 0.85)
        #expect(sync(twoReplicas) - sync(oneReplica) > 0.9 * crossing)
    }

    @Test func recomputationCostsTimeAndSavesMemory() throws {
        let none = try Self.estimator(chips: 1).estimate(plan: TrainingPlan(tp: 1, pp: 1, dp: 1))
        let full = try Self.estimator(chips: 1).estimate(plan: TrainingPlan(tp: 1, pp: 1, dp: 1, recompute: .full))
        #expect(full.stepTime > none.stepTime)
        #expect(full.memoryPerChip < none.memoryPerChip)
    }

    @Test func moreDataParallelChipsRaiseThroughputPerStep() throws {
        let small = try Self.estimator(chips: 8).estimate(plan: TrainingPlan(tp: 1, pp: 1, dp: 8))
        let large = try Self.estimator(chips: 64).estimate(plan: TrainingPlan(tp: 1, pp: 1, dp: 64))
        #expect(large.stepTime < small.stepTime)
        #expect(large.tokensPerSecondPerChip <= small.tokensPerSecondPerChip * 1.000_001)
    }

    @Test func aPlanThatDoesNotFillTheChipsIsAnError() {
        #expect(throws: EstimationError.self) {
            try Self.estimator(chips: 16).estimate(plan: TrainingPlan(tp: 2, pp: 2, dp: 2))
        }
    }

    @Test func aMissingEfficiencyIsAnErrorNotADefault() {
        var e = Self.estimator(chips: 1)
        e.stack.parameters[.attentionEfficiency] = nil
        #expect(throws: EstimationError.self) { try e.estimate(plan: TrainingPlan(tp: 1, pp: 1, dp: 1)) }
    }

    @Test func theSearchFindsAPlanThatFits() throws {
        let best = try TrainingPlanSearch(estimator: Self.estimator(chips: 16)).best()
        #expect(best.fits)
        #expect(best.plan.chips == 16)
    }
}
