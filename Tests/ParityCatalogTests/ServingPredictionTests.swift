import Foundation
import ParityCore
import ParitySimulation
import Testing

@testable import ParityCatalog

/// Serving predictions that depend on how the benchmark ran: bursts of requests and drafters.
struct ServingPredictionTests {
    let catalog = Fixtures.catalog

    func predict(_ text: String) throws -> ScenarioPrediction {
        try ScenarioFile.load(path: try BadInputTests.write(text), catalog: catalog).predict(catalog: catalog)
    }

    static func scenario(concurrency: Int, requests: Int?, speculative: String = "") -> String {
        """
        id: burst
        model: llama-3.1-8b
        system: { chip: h100-sxm, chips: 1, node: hgx-h100 }
        workload:
          kind: serving
          input_tokens: 2048
          output_tokens: 256
          concurrency: \(concurrency)
          \(requests.map { "num_requests: \($0)" } ?? "")
          \(speculative)
        plan:
          serving: { chips: 1, tp: 1, max_num_tokens: 8192 }
        """
    }

    @Test func aBurstOfRequestsQueuesForPrefillPasses() throws {
        let one = try predict(Self.scenario(concurrency: 1, requests: 1))
        let burst = try predict(Self.scenario(concurrency: 16, requests: 16))
        // 16 prompts of 2,048 tokens in passes of 8,192: four passes of four prompts, and the mean request
        // waits for (4 + 1) / 2 of them.
        let oneTTFT = try #require(one.metrics[.ttft])
        let burstTTFT = try #require(burst.metrics[.ttft])
        #expect(burstTTFT > 2.5 * 4 * oneTTFT * 0.9)
        #expect(burst.notes.contains { $0.contains("4 passes") })
    }

    @Test func manyWavesDesynchroniseSoTheirTTFTIsTheSimulations() throws {
        // Ten waves of 16: after the first, each request restarts when its own predecessor ends, so the
        // mean TTFT is the simulation's, well below the first wave's burst, which stays in the tail.
        let burst = try predict(Self.scenario(concurrency: 16, requests: 16))
        let waves = try predict(Self.scenario(concurrency: 16, requests: 160))
        let load = try #require(waves.load)
        let ttft = try #require(waves.metrics[.ttft])
        #expect(isClose(ttft, load.ttft.mean, relative: 1e-12))
        let burstTTFT = try #require(burst.metrics[.ttft])
        #expect(ttft < burstTTFT)
        #expect(load.ttft.p99 > ttft)
        #expect(waves.notes.contains { $0.contains("simulated mean over 160 requests") })
    }

    @Test func aSteadyStreamMeetsNoPrefillQueue() throws {
        let steady = try predict(Self.scenario(concurrency: 16, requests: nil))
        let one = try predict(Self.scenario(concurrency: 1, requests: nil))
        #expect(steady.metrics[.ttft] == one.metrics[.ttft])
        #expect(steady.notes.contains { $0.contains("without queueing") })
    }

    @Test func draftTokensWithoutAnAcceptanceTakeTheMethodsPublishedOne() throws {
        // Llama has no MTP module, so an unnamed drafter is an EAGLE-3 head: accepted length 2.8 at 3
        // drafts, acceptance (2.8 - 1) / 3 = 0.6.
        let text = Self.scenario(concurrency: 4, requests: nil, speculative: "speculative: { tokens: 3 }")
        let assumed = try predict(text)
        let acceptance = try #require(assumed.assumptions.first { $0.key == "workload.speculative.acceptance" })
        #expect(abs(acceptance.value - 0.6) < 1e-9)
        #expect(acceptance.source.hasPrefix("EAGLE-3 (no method named)"))
        // Stating that same acceptance gives the same metrics, without the assumption.
        let stated = Self.scenario(
            concurrency: 4,
            requests: nil,
            speculative: "speculative: { tokens: 3, acceptance: 0.6 }"
        )
        let exact = try predict(stated)
        #expect(exact.assumptions.isEmpty)
        let a = try #require(assumed.metrics[.tpot])
        let b = try #require(exact.metrics[.tpot])
        #expect(abs(a - b) <= 1e-9 * b)
    }

    /// A disaggregated Llama 3.1 8B deployment on 16 H100 with the given pools.
    static func pools(prefill: String, decode: String) -> String {
        """
        id: pools
        model: llama-3.1-8b
        system: { chip: h100-sxm, chips: 16, node: hgx-h100 }
        workload: { kind: serving, input_tokens: 4096, output_tokens: 512, disaggregated: true }
        plan:
          prefill: { chips: 8, \(prefill) }
          decode: { chips: 8, \(decode) }
        """
    }

    static func prefillPool(_ layout: String) -> String {
        pools(prefill: layout, decode: "tp: 1, attention_dp: 8, batch_per_chip: 16")
    }

    @Test func tensorParallelPrefillSharesEachPassAcrossItsChips() throws {
        let dataParallel = try predict(Self.prefillPool("tp: 1, attention_dp: 8"))
        let tensorParallel = try predict(Self.prefillPool("tp: 8"))
        let dp = try #require(dataParallel.metrics[.prefillTokensPerSecondPerChip])
        let tp = try #require(tensorParallel.metrics[.prefillTokensPerSecondPerChip])
        // Eight chips on one group's prompts do the same arithmetic as eight groups on their own, plus
        // all-reduces: per chip, no faster, and not many times slower.
        #expect(tp <= dp * 1.000_001)
        #expect(tp > dp / 3)
    }

    @Test func aDrafterWithoutItsDraftLengthIsPredictedWithItsUsualOneNotAsNone() throws {
        let plain = try predict(Self.scenario(concurrency: 4, requests: nil))
        let named = try predict(
            Self.scenario(concurrency: 4, requests: nil, speculative: "speculative: { method: DSpark }")
        )
        #expect(named.assumptions.first { $0.key == "workload.speculative.tokens" }?.value == 7)
        // Drafts accepted: each step yields more than one token, so TPOT falls below plain decode's.
        #expect((named.metrics[.tpot] ?? .infinity) < (plain.metrics[.tpot] ?? 0))
        // Neither tokens nor method: the usual drafter of the model (EAGLE-3 for Llama), said so.
        let empty = try predict(
            Self.scenario(concurrency: 4, requests: nil, speculative: "speculative: { acceptance: 0.5 }")
        )
        let tokens = try #require(empty.assumptions.first { $0.key == "workload.speculative.tokens" })
        #expect(tokens.value == 3 && tokens.source.contains("no method named"))
        #expect(!empty.assumptions.contains { $0.key == "workload.speculative.acceptance" })
    }

    static func decodePool(_ extra: String) -> String {
        pools(prefill: "tp: 8", decode: "tp: 4, batch_per_chip: 16, \(extra)")
    }

    @Test func contextParallelDecodeAndPipelinedAggregatedPoolsAreRefused() {
        #expect {
            _ = try predict(Self.decodePool("cp: 2"))
        } throws: { error in
            "\(error)".contains("plan.decode.cp") && "\(error)".contains("only in a prefill pool")
        }
        let aggregated = """
            id: agg
            model: llama-3.1-8b
            system: { chip: h100-sxm, chips: 8, node: hgx-h100 }
            workload: { kind: serving, input_tokens: 4096, output_tokens: 512 }
            plan:
              serving: { chips: 8, pp: 2, tp: 4, batch_per_chip: 16 }
            """
        #expect {
            _ = try predict(aggregated)
        } throws: { error in
            "\(error)".contains("plan.serving.pp") && "\(error)".contains("prefill and decode pools")
        }
    }

    @Test func aPipelinedDecodePoolRunsMicroBatchesThroughItsStages() throws {
        // Two stages of one 8-GPU node each, against that node alone: a stage holds half the layers,
        // so half the weights and half of each sequence's cache; 16 sequences run as 2 micro-batches
        // of 8, each token through the whole model plus one stage-to-stage send.
        func decode(_ layout: String, chips: Int) throws -> ScenarioPrediction {
            try predict(
                """
                id: pp-decode
                model: llama-3.1-70b
                system: { chip: h100-sxm, chips: \(chips), node: hgx-h100 }
                workload: { kind: serving, input_tokens: 4096, output_tokens: 512, disaggregated: true }
                plan:
                  decode: { chips: \(chips), \(layout) }
                """
            )
        }
        let staged = try decode("pp: 2, tp: 8, batch_per_chip: 1", chips: 16)
        let single = try decode("tp: 8, batch_per_chip: 1", chips: 8)
        #expect(
            staged.notes.contains { $0.contains("2 pipeline stages of 8 chips") && $0.contains("micro-batches of 8") }
        )
        let stagedTPOT = try #require(staged.metrics[.tpot])
        let singleTPOT = try #require(single.metrics[.tpot])
        // Same micro-batch (8 sequences) through the same layers, plus a send between the stages.
        #expect(stagedTPOT > singleTPOT)
        #expect(stagedTPOT < singleTPOT * 1.05)
        // Twice the chips for twice the sequences at about the same TPOT: the same rate per chip.
        let stagedRate = try #require(staged.metrics[.decodeTokensPerSecondPerChip])
        let singleRate = try #require(single.metrics[.decodeTokensPerSecondPerChip])
        #expect(abs(stagedRate / singleRate - singleTPOT / stagedTPOT) < 1e-9)
        // Half the weights per rank leave more than twice the room for (half-size) caches.
        let stagedCapacity = try #require(staged.metrics[.maxConcurrency])
        let singleCapacity = try #require(single.metrics[.maxConcurrency])
        #expect(stagedCapacity > 2 * singleCapacity)
        // Stages must split the chips evenly.
        #expect {
            _ = try decode("pp: 3, tp: 4", chips: 16)
        } throws: { error in
            "\(error)".contains("pp 3 does not divide 16 chips")
        }
        // A layout degree must divide one stage's ranks, and the message says so.
        #expect {
            _ = try decode("pp: 2, tp: 16", chips: 16)
        } throws: { error in
            "\(error)".contains("tp: 16 does not divide 8 ranks per pipeline stage (16 chips / pp 2)")
        }
    }

    @Test func expertImbalanceGrowsWithTheExpertParallelDegree() throws {
        // nvidia-hopper measured 2.56x (no balancer) and 1.11x (EPLB) at EP32; elsewhere the excess over 1
        // scales with log2(EP) / log2(32).
        func imbalance(ep: Int, eplb: Bool) throws -> String {
            let text = """
                id: imbalance
                model: deepseek-v3
                system: { chip: h100-sxm, chips: \(ep), node: hgx-h100 }
                workload: { kind: serving, input_tokens: 4096, output_tokens: 512, disaggregated: true }
                plan:
                  decode: { chips: \(ep), ep: \(ep), attention_dp: \(ep), batch_per_chip: 64, eplb: \(eplb) }
                """
            let p = try predict(text)
            return try #require(p.notes.first { $0.hasPrefix("Busiest expert rank") })
        }
        #expect(try imbalance(ep: 32, eplb: false).contains("2.56x the mean"))
        #expect(!(try imbalance(ep: 32, eplb: false)).contains("scaled"))
        // EP8: 1 + 1.56 x 3 / 5 = 1.94; EP64: 1 + 1.56 x 6 / 5 = 2.87; with EPLB at EP8: 1 + 0.11 x 3 / 5.
        #expect(try imbalance(ep: 8, eplb: false).contains("1.94x the mean"))
        #expect(try imbalance(ep: 8, eplb: false).contains("scaled to EP8"))
        #expect(try imbalance(ep: 64, eplb: false).contains("2.87x the mean"))
        #expect(try imbalance(ep: 8, eplb: true).contains("1.07x the mean"))
    }

    @Test func aPipelinedPrefillPoolOverlapsItsChunksAcrossStages() throws {
        // A 64K prompt over 2 stages of 4 chips, context-parallel over each stage's 4 groups. The
        // budget of 32,768 tokens cuts the prompt (not a group's 16K share) into 2 chunks, so the
        // TTFT is (2 + 2 - 1) stage-chunks, 3/4 of the 2 x 2 a pipeline without overlap would take.
        let text = """
            id: pp
            model: llama-3.1-8b
            system: { chip: h100-sxm, chips: 8, node: hgx-h100, software: SGLang }
            workload: { kind: serving, input_tokens: 65536, output_tokens: 512, disaggregated: true }
            plan:
              prefill: { chips: 8, pp: 2, cp: 4, max_num_tokens: 32768 }
              decode: { chips: 8, tp: 8, batch_per_chip: 8 }
            """
        let p = try predict(text)
        let pass = try #require(p.prefillPass)
        let ttft = try #require(p.metrics[.ttft])
        #expect(p.notes.contains { $0.contains("2 stages of 4 chips") && $0.contains("2 chunks") })
        // TTFT = 3 stage-chunks of pass / 2 stages / 2 chunks, plus the stage-to-stage sends.
        #expect(ttft >= pass.total.value * 1_000 * 3 / 4)
        #expect(ttft < pass.total.value * 1_000 * 3 / 4 * 1.05)
        // One prompt at a time: the rate is the prompt over its TTFT, per chip.
        let rate = try #require(p.metrics[.prefillTokensPerSecondPerChip])
        #expect(abs(rate - 65536 / (ttft / 1_000) / 8) < 1e-6 * rate)
        // Without a stated budget the stack's 8,192 tokens make 8 chunks: (8 + 1) / (2 x 8) of the pass.
        let small = try predict(text.replacingOccurrences(of: ", max_num_tokens: 32768", with: ""))
        let smallPass = try #require(small.prefillPass)
        let smallTTFT = try #require(small.metrics[.ttft])
        #expect(small.notes.contains { $0.contains("8 chunks") })
        #expect(smallTTFT >= smallPass.total.value * 1_000 * 9 / 16)
        #expect(smallTTFT < smallPass.total.value * 1_000 * 9 / 16 * 1.05)
        // Stated attention_dp that disagrees with cp is an error.
        #expect {
            _ = try predict(text.replacingOccurrences(of: "pp: 2, cp: 4", with: "pp: 2, cp: 4, attention_dp: 2"))
        } throws: { error in
            "\(error)".contains("attention_dp 2 and cp 4 disagree")
        }
    }

    @Test func aModelSpecWithUnexpressedFeaturesIsPredictedApproximatelyWithAWiderBand() throws {
        let spec = """
            id: spec
            model_spec:
              name: custom-moe
              layers: 4
              hidden_size: 1024
              heads: 8
              kv_heads: 8
              vocab_size: 32000
              ffn_hidden_size: 4096
            NOT
            system: { chip: h100-sxm, chips: 1, node: hgx-h100 }
            workload: { kind: serving, input_tokens: 1024, output_tokens: 128, concurrency: 1 }
            """
        let listed = spec.replacingOccurrences(
            of: "NOT",
            with: "  not_expressible: [\"an external memory table in host DRAM\"]"
        )
        let file = try ScenarioFile.load(path: try BadInputTests.write(listed), catalog: catalog)
        #expect(file.unexpressedFeatures == ["an external memory table in host DRAM"])
        let approximate = try file.predict(catalog: catalog)
        #expect(approximate.notes.contains { $0.hasPrefix("Approximate") && $0.contains("external memory table") })
        // The same architecture without the listed feature: the same point, a narrower band.
        let plain = try predict(spec.replacingOccurrences(of: "NOT", with: ""))
        let rate = try #require(plain.metrics[.tpot])
        #expect(isClose(try #require(approximate.metrics[.tpot]), rate, relative: 1e-9))
        let wide = try #require(approximate.bands[.tpot])
        let narrow = try #require(plain.bands[.tpot])
        #expect(wide.low < narrow.low && wide.high > narrow.high)
        #expect(wide.high - rate >= rate * BandPriors.unexpressedFeature * 0.99)
    }

    static func deepSeekV4(chip: String, node: String, layout: String, software: String) -> String {
        """
        id: v4
        model: deepseek-v4-pro
        system: { chip: \(chip), chips: 8, node: \(node), software: "\(software)" }
        workload:
          kind: serving
          input_tokens: 8192
          output_tokens: 1024
          concurrency: 64
          weights_precision: mxfp4a8
          attention_precision: fp8
          kv_cache_precision: fp8
          disaggregated: true
        plan:
          decode: { chips: 8, \(layout) }
        """
    }

    /// DeepSeek-V4-Pro on 8 B200 under vLLM's stack (or `adjust`ed copy of it), attention DP 8 and EP 8
    /// with FP4 x FP8 experts.
    func v4OnB200(adjust: (inout SoftwareStack) -> Void = { _ in }) throws -> ServingEstimator {
        let chip = try catalog.chip(named: "b200")
        var (stack, _) = try catalog.stack(for: chip, software: "vLLM")
        adjust(&stack)
        return ServingEstimator(
            architecture: try catalog.model(named: "deepseek-v4-pro"),
            chip: chip,
            system: try catalog.system(named: "hgx-b200"),
            stack: stack,
            deployment: ServingDeployment(ranks: 8, attentionDP: 8, moeEP: 8, expertPrecision: .mxfp4a8)
        )
    }

    @Test func theKernelCountsAddTheirLaunchesToTheStep() throws {
        // The same vLLM stack with and without its per-layer counts: V4-Pro's 30 CSA layers launch 40
        // kernels and its 31 HCA layers 29, against about a dozen each counted generically, at 3 us.
        let counted = try v4OnB200().decodeStep(batch: 8, context: 4_096).overhead.value
        let generic = try v4OnB200 { stack in
            for parameter in [
                SoftwareStack.Parameter.compressedLayerKernelsCSA, .compressedLayerKernelsHCA,
                .compressedLayerKernelsSWA,
            ] {
                stack.parameters[parameter] = nil
            }
        }.decodeStep(batch: 8, context: 4_096).overhead.value
        let added = counted - generic
        #expect(added > 2.5e-3)
        #expect(added < 5e-3)
    }

    @Test func deepSeekV4DecodeCountsTheEnginesKernelsPerLayer() throws {
        let counted = try predict(
            Self.deepSeekV4(chip: "b200", node: "hgx-b200", layout: "tp: 8", software: "vLLM")
        )
        let generic = try predict(
            Self.deepSeekV4(chip: "b200", node: "hgx-b200", layout: "tp: 8", software: "TensorRT-LLM")
        )
        let withCounts = try #require(counted.servingStep)
        let without = try #require(generic.servingStep)
        // vLLM launches 26-40 kernels per V4 layer; the generic count is about a dozen.
        #expect(withCounts.overhead.value > without.overhead.value * 1.8)
        #expect(generic.notes.contains { $0.contains("compressed_layer_kernels") })
        #expect(!counted.notes.contains { $0.contains("compressed_layer_kernels") })
    }

    @Test func sparseAttentionPadsARanksHeadsOnBlackwell() throws {
        // V4-Pro has 128 heads: TP 8 leaves 16 per rank, padded to 128 on Blackwell (8x the work);
        // attention data-parallel keeps all 128 and pads nothing.
        let tp = try predict(Self.deepSeekV4(chip: "b200", node: "hgx-b200", layout: "tp: 8", software: "vLLM"))
        let dp = try predict(
            Self.deepSeekV4(chip: "b200", node: "hgx-b200", layout: "attention_dp: 8, ep: 8", software: "vLLM")
        )
        func coreFLOPs(_ p: ScenarioPrediction) throws -> Double {
            try #require(p.servingStep?.ops.first { $0.name == "attention core (decode)" }).flops
        }
        // Per rank, TP 8 holds 8 sequences' worth of the batch per group of 8 ranks and 1/8 of the heads;
        // DP holds 1/8 of the sequences with every head: equal useful work, so the ratio is the padding.
        #expect(abs(try coreFLOPs(tp) / coreFLOPs(dp) - 8) < 0.01)
    }

    @Test func v4PrefillPaysTheTopKSelectionOfItsRatio4Layers() throws {
        // vLLM on B200 measured 0.15 us per query for the selection; V4-Pro has 30 ratio-4 layers with a
        // top-k of 1,024 over ratio-4 entries: a 16K prompt selects, a 4K prompt (1,024 entries) does not.
        let estimator = try v4OnB200()
        let long = try estimator.prefill(tokens: 16_384, sequenceLength: 16_384)
        let selection = try #require(long.ops.first { $0.name == "indexer selection (prefill)" })
        #expect(abs(selection.time.value - 0.15e-6 * 16_384 * 30) < 1e-9)
        let short = try estimator.prefill(tokens: 4_096, sequenceLength: 4_096)
        #expect(!short.ops.contains { $0.name == "indexer selection (prefill)" })
        // Decode does not pay it: its selection is inside the measured per-layer kernels.
        let step = try estimator.decodeStep(batch: 8, context: 16_384)
        #expect(!step.ops.contains { $0.name.hasPrefix("indexer selection") })
        // A stack without the measurement says what it leaves out.
        let unmeasured = try v4OnB200 { $0.parameters[.indexerSelectionTimePerQuery] = nil }
            .prefill(tokens: 16_384, sequenceLength: 16_384)
        #expect(unmeasured.omissions.contains { $0.contains("indexer_selection_time_per_query") })
    }

    @Test func megaMoEStreamsMXFP4ExpertsAtItsMeasuredRate() throws {
        let ep = try predict(
            Self.deepSeekV4(chip: "b200", node: "hgx-b200", layout: "attention_dp: 8, ep: 8", software: "vLLM")
        )
        let op = try #require(ep.servingStep?.ops.first { $0.name == "routed experts" })
        // Memory-bound at 64 sequences: the weights stream at 0.59 of 8.0 TB/s, not the generic 0.78.
        #expect(!op.computeBound)
        let rate = op.bytes / op.time.value
        #expect(abs(rate / (8.0e12 * 0.59) - 1) < 0.01)
        // The kernel does the dispatch and combine inside; MXFP4 weights with BF16 activations (not the
        // Mega MoE's FP8 x FP4) stream at the generic rate and pay the all-to-all.
        let bf16Activations = try predict(
            Self.deepSeekV4(chip: "b200", node: "hgx-b200", layout: "attention_dp: 8, ep: 8", software: "vLLM")
                .replacingOccurrences(of: "mxfp4a8", with: "mxfp4")
        )
        let generic = try #require(bf16Activations.servingStep?.ops.first { $0.name == "routed experts" })
        #expect(abs(generic.bytes / generic.time.value / (8.0e12 * 0.78) - 1) < 0.01)
        #expect(ep.servingStep?.communication.value == 0)
        #expect((bf16Activations.servingStep?.communication.value ?? 0) > 0)
    }

    @Test func aDisaggregatedPredictionBreaksDownItsPrefillPass() throws {
        let p = try predict(Self.prefillPool("tp: 1, attention_dp: 8"))
        let pass = try #require(p.prefillPass)
        #expect(pass.ops.contains { $0.name == "attention core (prefill)" })
        let ttft = try #require(p.metrics[.ttft])
        #expect(abs(pass.total.value * 1_000 - ttft) < 1e-6 * ttft)
    }

    @Test func aCapacitySweepIsComparedAtTheLevelsItTried() throws {
        let base = Self.decodePool("")
        let free = try #require(try predict(base).metrics[.maxConcurrency])
        let levels = try predict(
            base + "\nexpected: { metrics: { max_concurrency: 64 }, max_concurrency_levels: [64, 8, 16] }"
        )
        // Thousands of 4K-token sequences fit; the largest level tried below that is 64 (levels sorted).
        #expect(free > 64)
        #expect(levels.metrics[.maxConcurrency] == 64)
        #expect(levels.notes.contains { $0.contains("largest of the source's tried levels") })
        // The unrounded capacity travels with the rounded one, for validate to show.
        #expect(levels.unrounded[.maxConcurrency] == free)
        #expect {
            _ = try predict(base + "\nexpected: { max_concurrency_levels: [0, 8] }")
        } throws: { error in
            "\(error)".contains("expected.max_concurrency_levels[0]")
        }
    }

    @Test func theIndexerScoresRunAtTheEightBitGEMMRate() throws {
        let p = try predict(
            Self.deepSeekV4(chip: "b200", node: "hgx-b200", layout: "attention_dp: 8, ep: 8", software: "vLLM")
        )
        let step = try #require(p.servingStep)
        let indexer = try #require(step.ops.first { $0.name == "indexer scores (decode)" })
        let core = try #require(step.ops.first { $0.name == "attention core (decode)" })
        // FP8 on Blackwell: the 4,500 TFLOP/s FP8 peak at the stack's FP8 GEMM efficiency (0.55), not a
        // BF16 rate.
        #expect(indexer.flops > 0)
        #expect(abs(indexer.computeRate.value / (4_500e12 * 0.55) - 1) < 0.01)
        // V4's attention is a sparse kernel: FlashMLA's measured sparse decode rate on B200 (0.16 of
        // 2,250 TFLOP/s), not the dense MLA generation rate.
        #expect(abs(core.computeRate.value / (2_250e12 * 0.16) - 1) < 0.01)
    }

    @Test func twoBatchOverlapRunsTwoPassesOverTheWeights() throws {
        func step(_ overlap: Bool) throws -> ServingEstimator.StepBreakdown {
            let text = """
                id: tbo
                model: deepseek-v3
                system: { chip: h800, chips: 32, node: hgx-h800 }
                workload: { kind: serving, decode_context_tokens: 4096, weights_precision: fp8, disaggregated: true }
                plan:
                  decode: { chips: 32, attention_dp: 32, ep: 32, batch_per_chip: 64, two_batch_overlap: \(overlap) }
                """
            return try #require(try predict(text).servingStep)
        }
        let one = try step(false)
        let two = try step(true)
        func op(_ b: ServingEstimator.StepBreakdown, _ name: String) throws -> ServingEstimator.StepBreakdown.Op {
            try #require(b.ops.first { $0.name == name })
        }
        // Each micro-batch streams the MoE layers' weights and launches their kernels: 58 of
        // DeepSeek-V3's 61 layers run twice, the 3 dense layers and the LM head once, for the same FLOPs.
        let projections = try op(one, "attention projections")
        let split = try op(two, "attention projections")
        #expect(abs(split.bytes / projections.bytes - Double(58 * 2 + 3) / 61) < 1e-9)
        #expect(abs(split.flops / projections.flops - 1) < 1e-9)
        #expect(try op(two, "LM head").bytes == op(one, "LM head").bytes)
        #expect(two.stepOverhead == one.stepOverhead)
        #expect(two.overhead.value > one.overhead.value * 1.8)
        // Decode's low-latency all-to-all frees the SMs: no slowdown of the overlapped computation.
        #expect(two.overlapSlowdown.value == 0)
        #expect(two.communicationHidden.value > 0)
    }

    @Test func attentionDataParallelRanksWaitForAnyRankCarryingAChunk() throws {
        // DeepSeek-V3 on 8 H100, attention DP 8 and EP 8: 64 sequences per rank, 8,192-token prompts in
        // chunks of 8,192 - 64 tokens. A rank carries a chunk in a share f of steps; the ranks step together
        // through the all-to-all, so the instance carries one in 1 - (1 - f)^8 of them.
        let chip = try catalog.chip(named: "h100-sxm")
        let (stack, _) = try catalog.stack(for: chip, software: "SGLang")
        let estimator = ServingEstimator(
            architecture: try catalog.model(named: "deepseek-v3"),
            chip: chip,
            system: try catalog.system(named: "hgx-h100"),
            stack: stack,
            deployment: ServingDeployment(ranks: 8, attentionDP: 8, moeEP: 8, densePrecision: .fp8)
        )
        let chunk = 8_192 - 64
        let decodeOnly = try estimator.decodeStep(batch: 64, context: 4_096).total.value
        let mixed = try estimator.mixedStep(
            batch: 64,
            context: 4_096,
            promptTokens: chunk,
            promptLength: 8_192
        ).total.value
        let f = 0.1
        let step = try estimator.mixedStep(
            batch: 64,
            context: 4_096,
            promptTokens: Int(f * Double(chunk)),
            promptLength: 8_192
        ).total.value
        let share = 1 - pow(1 - Double(Int(f * Double(chunk))) / Double(chunk), 8)
        #expect(abs(step - ((1 - share) * decodeOnly + share * mixed)) < 1e-9 * step)
        #expect(share > 0.5)
    }

    @Test func aDecodePoolOfSeveralInstancesCountsAllTheirChips() throws {
        let text = """
            id: instances
            model: llama-3.1-8b
            system: { chip: h100-sxm, chips: 24, node: hgx-h100 }
            workload: { kind: serving, input_tokens: 1024, output_tokens: 1024, disaggregated: true }
            plan:
              prefill: { chips: 8, tp: 8 }
              decode: { chips: 8, tp: 8, batch_per_chip: 16, instances: 2 }
            """
        let p = try predict(text)
        let output = try #require(p.metrics[.outputTokensPerSecondPerChip])
        let decode = try #require(p.metrics[.decodeTokensPerSecondPerChip])
        let prefill = try #require(p.metrics[.prefillTokensPerSecondPerChip])
        // The system's output is the slower pool's, over all 24 chips: both decode instances (16 chips)
        // decode, and 8 chips prefill.
        let expected = min(decode * 16, prefill * 8 / 1_024 * 1_024) / 24
        #expect(abs(output - expected) < 1e-9 * expected)
    }

    @Test func aClosedLoopQueuesAtThePrefillPool() throws {
        func run(_ concurrency: Int) throws -> ScenarioPrediction {
            try predict(
                """
                id: loop
                model: llama-3.1-8b
                system: { chip: h100-sxm, chips: 9, node: hgx-h100 }
                workload:
                  { kind: serving, input_tokens: 8192, output_tokens: 256, concurrency: \(concurrency), disaggregated: true }
                plan:
                  prefill: { chips: 1, tp: 1 }
                  decode: { chips: 8, tp: 1, attention_dp: 8, batch_per_chip: 512 }
                """
            )
        }
        let one = try run(1)
        let many = try run(2_048)
        let unloaded = try #require(one.metrics[.prefillTokensPerSecondPerChip])
        // One request meets no queue: TTFT is one prompt's pass, and the loop turns once per TTFT + decode.
        let ttft = try #require(one.metrics[.ttft])
        let tpot = try #require(one.metrics[.tpot])
        let output = try #require(one.metrics[.outputTokensPerSecondPerChip])
        #expect(abs(output - 256 / ((ttft + 256 * tpot) / 1_000) / 9) < 1e-6 * output)
        // Thousands of requests queue at the one prefill chip: the output is its prompt rate, and TTFT grows.
        let crowded = try #require(many.metrics[.outputTokensPerSecondPerChip])
        #expect(abs(crowded - unloaded / 8_192 * 256 / 9) < 0.02 * crowded)
        #expect(try #require(many.metrics[.ttft]) > 10 * ttft)
    }

    @Test func aPipelinedPrefillComputesOnlyTheUncachedTokens() throws {
        func run(_ cached: Double) throws -> ScenarioPrediction {
            try predict(
                """
                id: cached
                model: llama-3.1-8b
                system: { chip: h100-sxm, chips: 16, node: hgx-h100, software: SGLang }
                workload:
                  kind: serving
                  input_tokens: 65536
                  output_tokens: 512
                  cached_input_fraction: \(cached)
                  disaggregated: true
                plan:
                  prefill: { chips: 8, pp: 2, cp: 4 }
                  decode: { chips: 8, tp: 8, batch_per_chip: 8 }
                """
            )
        }
        let cold = try run(0)
        let warm = try run(0.5)
        // Half the prompt is in the cache: less to compute, so a shorter TTFT and a higher rate, the rate
        // still counting every prompt token.
        #expect(try #require(warm.metrics[.ttft]) < #require(cold.metrics[.ttft]) * 0.75)
        #expect(
            try #require(warm.metrics[.prefillTokensPerSecondPerChip])
                > #require(cold.metrics[.prefillTokensPerSecondPerChip]) * 1.3
        )
    }
}
