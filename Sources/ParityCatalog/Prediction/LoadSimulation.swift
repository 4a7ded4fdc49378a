import ParityCore
public import ParitySimulation

/// The result of simulating a scenario's stated load request by request: latency percentiles in
/// milliseconds, throughput and goodput.
public struct LoadSimulation: Sendable {
    /// What was simulated, in words (arrivals, requests, scheduler).
    public var description: String
    public var ttft: LatencySummary
    public var tpot: LatencySummary?
    public var interTokenLatency: LatencySummary?
    public var endToEnd: LatencySummary
    public var requestsPerSecond: Double
    /// Requests per second meeting the scenario's objectives, when it states any.
    public var goodput: Double?
    public var preemptions: Int
    public var rejected: Int
    /// Whether the prediction's `ttft_ms` is this simulation's (a closed loop of many waves) rather
    /// than the analytic burst or single prompt.
    public var drivesTTFT = false

    /// The summaries by the names `percentiles` uses in JSON.
    public var percentiles: [(name: String, summary: LatencySummary)] {
        [("ttft_ms", ttft), ("tpot_ms", tpot), ("itl_ms", interTokenLatency), ("e2e_ms", endToEnd)]
            .compactMap { name, s in s.map { (name, $0) } }
    }
}

extension LatencySummary {
    /// The same summary in milliseconds.
    var milliseconds: LatencySummary {
        LatencySummary(mean: mean * 1_000, p50: p50 * 1_000, p90: p90 * 1_000, p99: p99 * 1_000, count: count)
    }

    /// The statistic a source reports.
    func value(_ statistic: Expected.LatencyStatistic?) -> Double {
        switch statistic {
        case .median: p50
        case .p90: p90
        case .p99: p99
        default: mean
        }
    }
}

extension ScenarioFile {
    /// Requests a stated rate sends when `num_requests` is not stated.
    static let defaultSimulatedRequests = 2_000
    /// The most requests one group simulates (a bound on work; a larger run is sampled).
    static let maxSimulatedRequests = 50_000

    /// Simulates the workload's stated load (concurrency or a request rate) on one attention-DP group
    /// of an aggregated pool, whose share of the load it carries; nil when no load is stated. `batch`
    /// is the plan's stated sequences per group; without one the engine's default limit holds.
    func simulateLoad(
        _ serving: Workload.Serving,
        estimator: ServingEstimator,
        groups: Int,
        batch: Int?,
        tokenBudget: Int?,
        kvCapacityTokens: Int?,
        stack: SoftwareStack
    ) -> LoadSimulation? {
        let traced = trace.map { specs in
            (
                specs.reduce(0) { $0 + $1.inputTokens } / max(1, specs.count),
                specs.reduce(0) { $0 + $1.outputTokens } / max(1, specs.count)
            )
        }
        guard let input = serving.inputTokens ?? traced?.0, let output = serving.outputTokens ?? traced?.1 else {
            return nil
        }
        guard let arrivals = arrivals(serving, groups: groups) else { return nil }
        let family = SchedulerPolicy.Family.of(scenario.system.software ?? stack.name)
        let memory = (chip.memory.capacity?.value ?? 80 * 1_073_741_824) / 1_073_741_824
        let budget =
            tokenBudget
            ?? EngineDefaults.tokenBudget(
                family,
                memoryGiB: memory,
                isA100: chip.name.hasPrefix("a100"),
                attentionDP: estimator.deployment.attentionDP
            )
        let d = estimator.deployment
        let maxRunning =
            batch ?? EngineDefaults.maxRunning(family, memoryGiB: memory, isA100: chip.name.hasPrefix("a100"))
        let policy = SchedulerPolicy(
            family: family,
            maxRunning: maxRunning,
            tokenBudget: budget,
            kvCapacityTokens: kvCapacityTokens,
            tokensPerDecodeStep: 1 + d.draftTokens,
            emittedPerDecodeStep: d.tokensPerStep,
            requestOverhead: stack.value(.requestOverhead) ?? 0
        )
        guard (try? CachedStepCost.probe(estimator, inputTokens: input)) != nil else { return nil }
        var simulator = ServingSimulator(policy: policy, cost: CachedStepCost(estimator: estimator))
        let result = simulator.run(LoadSpec(arrivals: arrivals.kind, inputTokens: input, outputTokens: output))
        guard let ttft = result.ttft, let e2e = result.endToEnd else { return nil }
        let objectives = (serving.ttftSLOMilliseconds, serving.tpotSLOMilliseconds)
        return LoadSimulation(
            description:
                "\(arrivals.words) per attention-DP group (\(groups) group\(groups == 1 ? "" : "s")), \(family.rawValue) scheduler, \(budget)-token steps, at most \(maxRunning) running\(kvCapacityTokens.map { ", KV cache of \($0) tokens" } ?? "")",
            ttft: ttft.milliseconds,
            tpot: result.tpot?.milliseconds,
            interTokenLatency: result.interTokenLatency?.milliseconds,
            endToEnd: e2e.milliseconds,
            requestsPerSecond: Double(result.records.count) / max(result.duration, 1e-12) * Double(groups),
            goodput: objectives.0 == nil && objectives.1 == nil
                ? nil
                : result.goodput(ttft: objectives.0.map { $0 / 1_000 }, tpot: objectives.1.map { $0 / 1_000 })
                    * Double(groups),
            preemptions: result.preemptions,
            rejected: result.rejected
        )
    }

    /// One group's arrivals: its share of the concurrency or rate, and of the requests.
    func arrivals(_ serving: Workload.Serving, groups: Int) -> (kind: Arrivals, words: String)? {
        let g = max(1, groups)
        if let trace, serving.arrival == nil || serving.arrival == .trace {
            // Requests are dealt to the groups in turn, as a round-robin router does.
            let mine = stride(from: 0, to: trace.count, by: g).map { trace[$0] }.prefix(Self.maxSimulatedRequests)
            return (.trace(Array(mine)), "the trace's \(mine.count) requests (every \(g == 1 ? "one" : "\(g)th"))")
        }
        func share(_ n: Int) -> Int {
            min(Self.maxSimulatedRequests, max(1, Int((Double(n) / Double(g)).rounded(.up))))
        }
        if let rate = serving.requestRatePerSecond, serving.arrival != .closed, serving.arrival != .burst {
            let requests = share(serving.numRequests ?? Self.defaultSimulatedRequests)
            return (
                .poisson(ratePerSecond: rate / Double(g), requests: requests),
                "Poisson arrivals at \(formatNumber(rate / Double(g), decimals: 2)) requests/s, \(requests) requests"
            )
        }
        guard let concurrency = serving.concurrency else { return nil }
        let inFlight = share(concurrency)
        let requests = share(serving.numRequests ?? concurrency * BenchmarkClient.inferenceX.requestsPerSlot)
        if serving.arrival == .burst {
            return (.burst(requests: requests), "a burst of \(requests) requests at once")
        }
        return (
            .closedLoop(concurrency: inFlight, requests: max(requests, inFlight)),
            "a closed loop of \(inFlight) in flight, \(max(requests, inFlight)) requests"
        )
    }
}
