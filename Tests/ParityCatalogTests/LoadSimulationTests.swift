import Foundation
import ParityCatalog
import ParityCore
import ParitySimulation
import Testing

/// A scenario that states a load is simulated request by request, and its answer carries the
/// latency percentiles a benchmark reports.
struct LoadSimulationTests {
    let catalog = Fixtures.catalog

    func predict(_ text: String) throws -> ScenarioPrediction {
        try ScenarioFile.load(path: try BadInputTests.write(text), catalog: catalog).predict(catalog: catalog)
    }

    static func scenario(load: String) -> String {
        """
        id: load
        model: llama-3.1-8b
        system: { chip: h100-sxm, chips: 1, node: hgx-h100, software: vllm }
        workload:
          kind: serving
          input_tokens: 2048
          output_tokens: 256
          ttft_slo_ms: 1000
          tpot_slo_ms: 50
          \(load)
        plan:
          serving: { chips: 1, tp: 1 }
        """
    }

    @Test func aStatedRateIsSimulatedWithOrderedPercentiles() throws {
        let p = try predict(Self.scenario(load: "request_rate_per_s: 2\n  num_requests: 400"))
        let load = try #require(p.load)
        for (_, s) in load.percentiles {
            #expect(s.p50 <= s.p90 && s.p90 <= s.p99)
        }
        // The engine keeps up with 2 requests/s, so nearly every request meets the objectives.
        #expect(load.requestsPerSecond > 1.8 && load.requestsPerSecond < 2.2)
        #expect(try #require(load.goodput) > 1.5)
        #expect(p.notes.contains { $0.contains("Poisson arrivals") && $0.contains("vllm scheduler") })
    }

    @Test func pastTheKneeTailLatencyGrowsAndGoodputFalls() throws {
        func run(_ rate: Double) throws -> LoadSimulation {
            try #require(try predict(Self.scenario(load: "request_rate_per_s: \(rate)\n  num_requests: 600")).load)
        }
        let light = try run(2)
        let heavy = try run(200)
        #expect(heavy.ttft.p99 > 10 * light.ttft.p99)
        #expect(try #require(heavy.goodput) < (try #require(light.goodput)))
    }

    @Test func aConcurrencyRunsAsAClosedLoopAndABurstAsOne() throws {
        let closed = try #require(try predict(Self.scenario(load: "concurrency: 32")).load)
        #expect(closed.ttft.count == 320)  // ten requests per slot, as the InferenceX client sends
        let burst = try #require(
            try predict(Self.scenario(load: "concurrency: 32\n  arrival: burst\n  num_requests: 64")).load
        )
        #expect(burst.ttft.count == 64)
        #expect(burst.ttft.p99 > burst.ttft.p50)
    }

    @Test func withoutALoadNothingIsSimulated() throws {
        #expect(try predict(Self.scenario(load: "")).load == nil)
    }

    @Test func anUnknownArrivalIsALocatedError() throws {
        #expect {
            try predict(Self.scenario(load: "concurrency: 8\n  arrival: bursty"))
        } throws: { error in
            "\(error)".contains("workload.arrival") && "\(error)".contains("poisson")
        }
    }
}

/// Request traces in the public layouts (Azure's CSV, Mooncake's JSON lines).
struct TraceFileTests {
    @Test func azureCSVWithDateTimesReadsAsSecondsFromTheFirstRequest() throws {
        let text = """
            TIMESTAMP,ContextTokens,GeneratedTokens
            2023-11-16 23:59:59.5000000,4808,10
            2023-11-17 00:00:00.7500000,3180,8
            2023-11-16 23:59:59.0000000,110,27
            """
        let specs = try TraceFile.parse(text, file: "azure.csv")
        #expect(specs.map(\.arrival) == [0, 0.5, 1.75])
        #expect(specs.map(\.inputTokens) == [110, 4_808, 3_180])
        #expect(specs.map(\.outputTokens) == [27, 10, 8])
    }

    @Test func mooncakeJSONLinesTakeMilliseconds() throws {
        let text = """
            {"timestamp": 27482, "input_length": 6955, "output_length": 52, "hash_ids": [46, 47]}
            {"timestamp": 30535, "input_length": 6472, "output_length": 26, "hash_ids": [46]}
            """
        let specs = try TraceFile.parse(text, file: "mooncake.jsonl")
        #expect(abs(specs[1].arrival - 3.053) < 1e-9)
        #expect(specs[0].inputTokens == 6_955)
    }

    @Test func aBadRowIsALocatedError() {
        #expect {
            try TraceFile.parse("arrival,input_tokens,output_tokens\n0,100,10\n1,-5,10\n", file: "t.csv")
        } throws: { error in
            guard let e = error as? CatalogError else { return false }
            return e.keyPath == "row 3" && e.message.contains("input length")
        }
        #expect {
            try TraceFile.parse("when,prompt,answer\n0,1,1\n", file: "t.csv")
        } throws: { error in
            "\(error)".contains("no arrival time column")
        }
    }

    @Test func aScenarioReplaysItsTrace() throws {
        let trace = (0..<200).map { "\(Double($0) * 0.25),\(1_000 + $0),\(50 + $0 % 7)" }.joined(separator: "\n")
        let tracePath = try BadInputTests.write("arrival,input_tokens,output_tokens\n" + trace, name: "trace.csv")
        let scenario = """
            id: traced
            model: llama-3.1-8b
            system: { chip: h100-sxm, chips: 1, node: hgx-h100, software: vllm }
            workload:
              kind: serving
              trace: \(tracePath)
            plan:
              serving: { chips: 1, tp: 1 }
            """
        let catalog = Fixtures.catalog
        let file = try ScenarioFile.load(path: try BadInputTests.write(scenario), catalog: catalog)
        #expect(file.trace?.count == 200)
        let load = try #require(try file.predict(catalog: catalog).load)
        #expect(load.ttft.count == 200)
        // 4 requests/s of ~1,100 tokens is a light load for an H100 serving Llama 3.1 8B.
        #expect(abs(load.requestsPerSecond - 4) < 0.5)
    }

    @Test func arrivalsFromATraceNeedOne() throws {
        #expect {
            try ScenarioFile.load(
                path: try BadInputTests.write(LoadSimulationTests.scenario(load: "arrival: trace")),
                catalog: Fixtures.catalog
            )
        } throws: { error in
            "\(error)".contains("workload.arrival") && "\(error)".contains("no trace is named")
        }
    }
}
