import Benchmark
import ParityCatalog
import ParityCore
import ParitySimulation

/// Speed of the estimators: one decode-step prediction, one training-step prediction, and a whole
/// training-plan search. Catalog loading happens once, outside the measured region.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(5)
    Benchmark.defaultConfiguration.metrics = [.wallClock, .cpuTotal, .mallocCountTotal]

    // Loads a stack by chip, failing loudly: a benchmark on a broken catalog is meaningless.
    func load() -> (Catalog, ModelArchitecture, Chip, System, SoftwareStack) {
        do {
            let catalog = try Catalog.embedded()
            let model = try catalog.model(named: "deepseek-v3")
            let chip = try catalog.chip(named: "h800")
            let system = try catalog.system(named: "hgx-h800")
            let stack = try catalog.stack(for: chip, software: nil).stack
            return (catalog, model, chip, system, stack)
        } catch {
            fatalError("The embedded catalog does not load: \(error)")
        }
    }
    let (catalog, deepseek, h800, hgx, hopper) = load()

    Benchmark("Decode step, DeepSeek-V3 on 16 H800 (EP16, attention DP, batch 64)") { benchmark in
        let deployment = ServingDeployment(ranks: 16, attentionDP: 16, moeEP: 16, densePrecision: .fp8)
        let estimator = ServingEstimator(
            architecture: deepseek,
            chip: h800,
            system: hgx,
            stack: hopper,
            deployment: deployment
        )
        for _ in benchmark.scaledIterations {
            blackHole(try? estimator.decodeStep(batch: 64, context: 4_500))
        }
    }

    Benchmark(
        "Request-level simulation, 10,000 requests (Poisson, 4K in, 1K out ±50%), DeepSeek-V3 on 16 H800, vLLM",
        configuration: .init(scalingFactor: .one)
    ) { benchmark in
        let deployment = ServingDeployment(ranks: 16, attentionDP: 16, moeEP: 16, densePrecision: .fp8)
        let estimator = ServingEstimator(
            architecture: deepseek,
            chip: h800,
            system: hgx,
            stack: hopper,
            deployment: deployment
        )
        let load = LoadSpec(
            arrivals: .poisson(ratePerSecond: 2, requests: 10_000),
            inputTokens: 4_096,
            outputTokens: 1_024,
            inputLengths: .uniform(ratio: 0.5),
            outputLengths: .uniform(ratio: 0.5)
        )
        let policy = SchedulerPolicy(family: .vllm, maxRunning: 256, tokenBudget: 8_192, kvCapacityTokens: 400_000)
        for _ in benchmark.scaledIterations {
            // A fresh cost cache each time: the estimator's pricing is part of what is measured.
            var simulator = ServingSimulator(policy: policy, cost: CachedStepCost(estimator: estimator))
            blackHole(simulator.run(load))
        }
    }

    Benchmark("Training step, DeepSeek-V3 on 2,048 H800 (PP16 EP64 DualPipe)") { benchmark in
        let estimator = TrainingEstimator(
            architecture: deepseek,
            chip: h800,
            system: hgx,
            stack: hopper,
            chips: 2_048,
            sequenceLength: 4_096,
            globalBatch: 15_360,
            precision: .fp8,
            tokens: 1.48e13,
            conventions: .init()
        )
        let plan = TrainingPlan(tp: 1, pp: 16, ep: 64, dp: 128, schedule: .dualpipe)
        for _ in benchmark.scaledIterations {
            blackHole(try? estimator.estimate(plan: plan))
        }
    }

    Benchmark("Training plan search, Llama 3.1 70B on 64 H800") { benchmark in
        guard let llama = try? catalog.model(named: "llama-3.1-70b") else { fatalError("llama-3.1-70b does not load") }
        let estimator = TrainingEstimator(
            architecture: llama,
            chip: h800,
            system: hgx,
            stack: hopper,
            chips: 64,
            sequenceLength: 8_192,
            globalBatch: 512,
            precision: .bf16,
            tokens: 1e12,
            conventions: .init()
        )
        for _ in benchmark.scaledIterations {
            blackHole(try? TrainingPlanSearch(estimator: estimator).best())
        }
    }

    Benchmark("Serving plan search, aggregated and disaggregated, DeepSeek-V3 on 16 H200 (4K in, 1K out, TTFT 2 s, TPOT 50 ms)") { benchmark in
        guard let h200 = try? catalog.chip(named: "h200"), let node = try? catalog.system(named: "hgx-h200"),
            let stack = try? catalog.stack(for: h200, software: nil).stack
        else { fatalError("h200 does not load") }
        let base = ServingDeployment(ranks: 16, attentionDP: 16, moeEP: 16, densePrecision: .fp8)
        let search = ServingPlanSearch(
            architecture: deepseek,
            chip: h200,
            system: node,
            stack: stack,
            chips: 16,
            base: base,
            inputTokens: 4_000,
            outputTokens: 1_000,
            usableMemoryFraction: 0.9
        )
        for _ in benchmark.scaledIterations {
            let points = search.evaluate() + search.evaluateDisaggregated(ttftObjective: .milli(2_000))
            blackHole(ServingPlanSearch.paretoFront(points))
            blackHole(ServingPlanSearch.best(points, tpot: .milli(50), ttft: .milli(2_000)))
        }
    }
}
