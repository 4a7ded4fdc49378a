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
