import Testing

@testable import ParitySimulation

/// A cost model whose every step takes the same time, as queueing theory's deterministic server.
struct ConstantCost: StepCostModel {
    var seconds: Double
    var asked = 0
    mutating func seconds(for shape: StepShape) -> Double {
        asked += 1
        return seconds
    }
}

func simulator(
    _ family: SchedulerPolicy.Family = .vllm,
    maxRunning: Int = 256,
    budget: Int = 8_192,
    kv: Int? = nil,
    step: Double = 0.01
) -> ServingSimulator<ConstantCost> {
    ServingSimulator(
        policy: SchedulerPolicy(family: family, maxRunning: maxRunning, tokenBudget: budget, kvCapacityTokens: kv),
        cost: ConstantCost(seconds: step)
    )
}

@Suite("Serving simulator")
struct SimulatorTests {
    @Test("An M/D/1 queue: mean time in system is D + ρD / (2(1 − ρ)), the Pollaczek–Khinchine value")
    func mD1() throws {
        // One request at a time, each a single step of D seconds: a deterministic server.
        let d = 0.1
        for rho in [0.3, 0.5, 0.8] {
            var sim = simulator(maxRunning: 1, step: d)
            let load = LoadSpec(
                arrivals: .poisson(ratePerSecond: rho / d, requests: 40_000),
                inputTokens: 100,
                outputTokens: 1
            )
            let result = sim.run(load)
            let expected = d + rho * d / (2 * (1 - rho))
            let mean = try #require(result.ttft).mean
            #expect(abs(mean / expected - 1) < 0.05, "ρ \(rho): \(mean) against \(expected)")
        }
    }

    @Test("Past the knee p99 TTFT grows sharply; below it, it stays within a few service times")
    func knee() throws {
        let d = 0.1
        func p99(_ rho: Double) throws -> Double {
            var sim = simulator(maxRunning: 1, step: d)
            let load = LoadSpec(
                arrivals: .poisson(ratePerSecond: rho / d, requests: 5_000),
                inputTokens: 100,
                outputTokens: 1
            )
            return try #require(sim.run(load).ttft).p99
        }
        let light = try p99(0.3)
        let heavy = try p99(0.9)
        let overloaded = try p99(1.2)
        #expect(light < 5 * d)
        #expect(heavy > 3 * light)
        #expect(overloaded > 10 * heavy)
    }

    @Test("Percentiles are ordered and the mean lies between the extremes")
    func ordered() throws {
        var sim = simulator(step: 0.02)
        let load = LoadSpec(
            arrivals: .poisson(ratePerSecond: 30, requests: 2_000),
            inputTokens: 2_000,
            outputTokens: 200,
            inputLengths: .uniform(ratio: 0.5),
            outputLengths: .uniform(ratio: 0.5)
        )
        let r = sim.run(load)
        for s in [r.ttft, r.tpot, r.endToEnd, r.interTokenLatency] {
            let s = try #require(s)
            #expect(s.p50 <= s.p90 && s.p90 <= s.p99)
            #expect(s.mean > 0)
        }
        #expect(r.records.count == 2_000)
    }

    @Test("A burst is prefilled in passes of the token budget: mean TTFT is (passes + 1) / 2 steps")
    func burst() throws {
        // 32 prompts of 1,024 tokens, 8 per 8,192-token step: four passes.
        var sim = simulator(step: 0.05)
        let r = sim.run(LoadSpec(arrivals: .burst(requests: 32), inputTokens: 1_024, outputTokens: 1))
        let ttft = try #require(r.ttft)
        #expect(abs(ttft.mean - 0.05 * 2.5) < 1e-9)
        #expect(abs(ttft.p99 - 0.2) < 1e-3)
    }

    @Test("SGLang prefills waiting prompts before it decodes; vLLM mixes them into decode steps")
    func prefillFirst() throws {
        // One long-running decode, then a burst that needs several passes.
        let load = LoadSpec(arrivals: .closedLoop(concurrency: 64, requests: 64), inputTokens: 4_096, outputTokens: 64)
        var sglang = simulator(.sglang, budget: 8_192, step: 0.01)
        var vllm = simulator(.vllm, budget: 8_192, step: 0.01)
        let s = sglang.run(load)
        let v = vllm.run(load)
        // Both prefill the 64 prompts 2 per step; vLLM's steps also carry decode tokens, which take
        // budget, so its last prompts start later.
        #expect(try #require(s.ttft).mean < (try #require(v.ttft)).mean)
        // SGLang's first requests wait out every later prefill before they decode again.
        #expect(try #require(s.tpot).mean > (try #require(v.tpot)).mean)
    }

    @Test("A closed loop of fixed lengths decodes at one step per token")
    func closedLoop() throws {
        var sim = simulator(step: 0.02)
        let r = sim.run(
            LoadSpec(arrivals: .closedLoop(concurrency: 8, requests: 80), inputTokens: 512, outputTokens: 100)
        )
        #expect(r.records.count == 80)
        #expect(abs(try #require(r.tpot).p50 - 0.02) < 1e-9)
        #expect(abs(try #require(r.interTokenLatency).mean - 0.02) < 1e-9)
    }

    @Test("A full KV cache preempts and recomputes (vLLM) or holds requests back (TensorRT-LLM)")
    func kvCapacity() throws {
        let load = LoadSpec(arrivals: .burst(requests: 16), inputTokens: 1_000, outputTokens: 500)
        var vllm = simulator(.vllm, kv: 8_000)
        let v = vllm.run(load)
        #expect(v.records.count == 16)
        #expect(v.preemptions > 0)
        var trt = simulator(.trtllm, kv: 8_000)
        let t = trt.run(load)
        #expect(t.records.count == 16)
        #expect(t.preemptions == 0)
        // Five requests' prompt and answer fit at once: the rest queue, so TTFT's tail is long.
        #expect(try #require(t.ttft).p99 > 200 * 0.01)
    }

    @Test("SGLang keeps room for running answers, so a full cache retracts far less than vLLM's")
    func estimatedAdmission() {
        let load = LoadSpec(
            arrivals: .closedLoop(concurrency: 64, requests: 640),
            inputTokens: 1_000,
            outputTokens: 500
        )
        var vllm = simulator(.vllm, kv: 20_000)
        var sglang = simulator(.sglang, kv: 20_000)
        let v = vllm.run(load)
        let s = sglang.run(load)
        #expect(v.records.count == 640 && s.records.count == 640)
        #expect(s.preemptions * 4 < v.preemptions)
    }

    @Test("Full reservation holds its promises exactly: a long run never drifts into refusing work")
    func reservationDoesNotDrift() throws {
        // Two requests' prompts and answers fit at once; after 2,000 of them the engine still runs two.
        var trt = simulator(.trtllm, kv: 2 * 1_100)
        let r = trt.run(
            LoadSpec(arrivals: .closedLoop(concurrency: 2, requests: 2_000), inputTokens: 1_000, outputTokens: 100)
        )
        #expect(r.records.count == 2_000)
        #expect(r.timeline.decoders.suffix(50).contains(2))
    }

    @Test("A prompt larger than the whole cache is rejected, and the rest are served")
    func rejection() {
        var sim = simulator(kv: 1_000)
        let specs = [
            RequestSpec(arrival: 0, inputTokens: 5_000, outputTokens: 10),
            RequestSpec(arrival: 0, inputTokens: 100, outputTokens: 10),
        ]
        let r = sim.run(requests: specs, closedLoop: nil)
        #expect(r.rejected == 1)
        #expect(r.records.count == 1)
    }

    @Test("The same seed gives the same run; another seed, another")
    func deterministic() {
        func run(_ seed: UInt64) -> SimulationResult {
            var sim = simulator()
            let load = LoadSpec(
                arrivals: .poisson(ratePerSecond: 50, requests: 500),
                inputTokens: 1_000,
                outputTokens: 100,
                inputLengths: .uniform(ratio: 0.3),
                seed: seed
            )
            return sim.run(load)
        }
        #expect(run(1) == run(1))
        #expect(run(1) != run(2))
    }

    @Test("The step budget stops a run and says so")
    func truncation() {
        var sim = ServingSimulator(
            policy: SchedulerPolicy(family: .vllm, maxRunning: 4, tokenBudget: 100),
            cost: ConstantCost(seconds: 0.01),
            maxSteps: 10
        )
        let r = sim.run(LoadSpec(arrivals: .burst(requests: 10), inputTokens: 1_000, outputTokens: 1_000))
        #expect(r.truncated)
        #expect(r.steps == 10)
    }

    @Test("The logarithm used for exponential gaps matches known values")
    func logarithm() {
        for (x, ln) in [(2.0, 0.693_147_180_559_945), (10.0, 2.302_585_092_994_046), (0.001, -6.907_755_278_982_137)] {
            #expect(abs(Foundationless.log(x) - ln) < 1e-12)
        }
    }

    @Test("Cached costs interpolate between grid points and ask the model once per grid shape")
    func cache() {
        // A cost affine in each size is reproduced exactly by the interpolation.
        func affine(_ s: StepShape) -> Double {
            0.01 + 1e-6 * Double(s.decodeContext) + 1e-4 * Double(s.decodeSequences) + 1e-5 * Double(s.prefillTokens)
        }
        var cost = CachedStepCost(affine)
        for shape in [
            StepShape(decodeSequences: 37, decodeContext: 10_000, prefillTokens: 0, promptLength: 1),
            StepShape(decodeSequences: 100, decodeContext: 3_333, prefillTokens: 7_777, promptLength: 8_000),
            StepShape(decodeSequences: 0, decodeContext: 1, prefillTokens: 5_000, promptLength: 5_000),
        ] {
            #expect(abs(cost.seconds(for: shape) - affine(shape)) < 1e-12)
        }
        let before = cost.misses
        _ = cost.seconds(for: StepShape(decodeSequences: 37, decodeContext: 10_010, prefillTokens: 0, promptLength: 1))
        #expect(cost.misses == before)
        for n in [1, 16, 17, 100, 1_000, 123_456] {
            let b = CachedStepCost.bracket(n)
            #expect(b.low <= n && n <= b.high)
            #expect(Double(b.high - b.low) <= Double(n) / 8)
        }
    }
}
