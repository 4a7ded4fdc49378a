import Testing

@testable import ParityCore

/// The serving estimator on hand-built inputs: how fixed costs and chunked prefill enter a step.
struct ServingEstimatorTests {
    static let provenance = Provenance(sources: ["test"], confidence: .low)

    static func evidence(_ value: Double) -> SoftwareStack.Evidence {
        .init(value: value, evidence: "test", provenance: provenance)
    }

    static func stack(
        elementwiseKernels: Double? = nil,
        stepOverhead: Double? = nil,
        chunk: Double? = nil
    ) -> SoftwareStack {
        var parameters: [SoftwareStack.Parameter: SoftwareStack.Evidence] = [
            .gemmEfficiencyBF16: evidence(0.8),
            .attentionEfficiency: evidence(0.5),
            .memoryBandwidthEfficiency: evidence(0.8),
            .scaleUpEfficiency: evidence(0.75),
            .collectiveLatency: evidence(15e-6),
            .kernelOverhead: evidence(3e-6),
        ]
        parameters[.elementwiseKernelsPerLayer] = elementwiseKernels.map(evidence)
        parameters[.decodeStepOverhead] = stepOverhead.map(evidence)
        parameters[.prefillChunkTokens] = chunk.map(evidence)
        return SoftwareStack(name: "test", description: nil, chips: ["x"], matches: [], parameters: parameters)
    }

    static func estimator(moe: Bool = false, stack: SoftwareStack = stack()) -> ServingEstimator {
        ServingEstimator(
            architecture: TrainingEstimatorTests.model(layers: 16, moe: moe),
            chip: TrainingEstimatorTests.chip,
            system: nil,
            stack: stack,
            deployment: ServingDeployment(ranks: 1)
        )
    }

    @Test func elementWiseKernelsAddTheirFixedCostPerLayer() throws {
        let without = try Self.estimator().decodeStep(batch: 4, context: 2_048)
        let with = try Self.estimator(stack: Self.stack(elementwiseKernels: 4)).decodeStep(batch: 4, context: 2_048)
        // Four kernels per layer, each paying the 3 µs overhead, over 16 layers.
        let added = (with.total - without.total).value
        #expect(abs(added - 16 * 4 * 3e-6 - with.elementwise.value) < 1e-12)
        #expect(with.elementwise > .zero)
        #expect(with.ops.contains { $0.name == "element-wise" })
    }

    @Test func theDecodeStepOverheadIsCountedOnceOrNamedAsMissing() throws {
        let with = try Self.estimator(stack: Self.stack(stepOverhead: 4e-4)).decodeStep(batch: 4, context: 2_048)
        #expect(with.stepOverhead.value == 4e-4)
        let without = try Self.estimator().decodeStep(batch: 4, context: 2_048)
        #expect(without.stepOverhead == .zero)
        #expect(without.omissions.contains { $0.contains("decode_step_overhead") })
        // Prefill passes do not pay it.
        let prefill = try Self.estimator(stack: Self.stack(stepOverhead: 4e-4)).prefill(
            tokens: 2_048,
            sequenceLength: 2_048
        )
        #expect(prefill.stepOverhead == .zero)
    }

    @Test func chunkedPrefillAveragesDecodeOnlyAndMixedSteps() throws {
        let estimator = Self.estimator(moe: true, stack: Self.stack(chunk: 8_192))
        let batch = 8
        // 8 sequences, 8K prompts, 1K outputs: 64 prompt tokens per step on average; the 8,192-token budget
        // holds the 8 decode tokens and a prompt chunk of 8,184, carried by one step in 8,184 / 64.
        let averaged = try estimator.mixedStep(batch: batch, context: 8_704, promptTokens: 64, promptLength: 8_192)
        let decodeOnly = try estimator.decodeStep(batch: batch, context: 8_704)
        let full = try Self.estimator(moe: true).mixedStep(
            batch: batch,
            context: 8_704,
            promptTokens: 8_184,
            promptLength: 8_192
        )
        let share = 64.0 / 8_184
        let expected = decodeOnly.total.value * (1 - share) + full.total.value * share
        #expect(abs(averaged.total.value - expected) < 1e-12)
        // Spreading the 64 tokens over every step streams far more experts than the average of the two.
        let spread = try Self.estimator(moe: true).mixedStep(
            batch: batch,
            context: 8_704,
            promptTokens: 64,
            promptLength: 8_192
        )
        #expect(averaged.total < spread.total)
    }

    @Test func promptTokensBeyondAChunkFillEveryStep() throws {
        let chunked = try Self.estimator(stack: Self.stack(chunk: 8_192)).mixedStep(
            batch: 64,
            context: 2_048,
            promptTokens: 9_000,
            promptLength: 16_384
        )
        let plain = try Self.estimator().mixedStep(batch: 64, context: 2_048, promptTokens: 9_000, promptLength: 16_384)
        #expect(chunked.total == plain.total)
    }

    static func expertParallel(overlap: Bool) -> ServingEstimator {
        var stack = stack()
        stack.parameters[.overlapComputeFraction] = evidence(0.85)
        stack.parameters[.scaleOutEfficiency] = evidence(0.85)
        // Sixteen ranks over two 8-chip domains, attention data-parallel, experts spread over all.
        return ServingEstimator(
            architecture: TrainingEstimatorTests.model(layers: 16, moe: true),
            chip: TrainingEstimatorTests.chip,
            system: nil,
            stack: stack,
            deployment: ServingDeployment(ranks: 16, attentionDP: 16, moeEP: 16, twoBatchOverlap: overlap)
        )
    }

    @Test func prefillSendsATokenOncePerRemoteDomainAndDecodeEveryCopy() throws {
        let estimator = Self.expertParallel(overlap: false)
        let prefill = try estimator.prefill(tokens: 256, sequenceLength: 256)
        let decode = try estimator.mixedStep(batch: 256, context: 256, promptTokens: 0, promptLength: 1)
        // The same 256 tokens per rank: about one remote copy each in prefill against four in decode.
        #expect(prefill.communication < decode.communication)
        #expect(prefill.communication.value > 0)
    }

    @Test func twoBatchOverlapHidesCommunicationButSlowsTheComputationBesideIt() throws {
        let plain = try Self.expertParallel(overlap: false).prefill(tokens: 4_096, sequenceLength: 4_096)
        let overlapped = try Self.expertParallel(overlap: true).prefill(tokens: 4_096, sequenceLength: 4_096)
        #expect(overlapped.communication < plain.communication)
        #expect(overlapped.overlapSlowdown > .zero)
        #expect(plain.overlapSlowdown == .zero)
        #expect(overlapped.total < plain.total)
    }

    @Test func theBusiestExpertRankSetsThePace() throws {
        var balanced = Self.expertParallel(overlap: false)
        let even = try balanced.prefill(tokens: 4_096, sequenceLength: 4_096)
        balanced.deployment.expertImbalance = 1.5
        let skewed = try balanced.prefill(tokens: 4_096, sequenceLength: 4_096)
        // Half as much again expert work and traffic on the busiest rank; attention is untouched.
        #expect(skewed.expertGEMM.value > even.expertGEMM.value * 1.4)
        #expect(skewed.communication > even.communication)
        #expect(skewed.attention == even.attention)
    }

    @Test func thePlansTokenBudgetHoldsTheDecodeTokensToo() throws {
        let estimator = Self.estimator(moe: true, stack: Self.stack(chunk: 8_192))
        // A 2,048-token budget with 64 decode tokens leaves 1,984 for a prompt chunk.
        let stated = try estimator.mixedStep(
            batch: 64,
            context: 4_096,
            promptTokens: 100,
            promptLength: 4_096,
            tokenBudget: 2_048
        )
        let decodeOnly = try estimator.decodeStep(batch: 64, context: 4_096)
        let full = try Self.estimator(moe: true).mixedStep(
            batch: 64,
            context: 4_096,
            promptTokens: 1_984,
            promptLength: 4_096
        )
        let share = 100.0 / 1_984
        let expected = decodeOnly.total.value * (1 - share) + full.total.value * share
        #expect(abs(stated.total.value - expected) < 1e-12)
    }
}
