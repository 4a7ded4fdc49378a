import Foundation
import ParityCatalog
import ParityCore
import Testing

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
        let one = try predict(Self.scenario(concurrency: 1, requests: 8))
        let burst = try predict(Self.scenario(concurrency: 16, requests: 64))
        // 16 prompts of 2,048 tokens in passes of 8,192: four passes of four prompts, and the mean request
        // waits for (4 + 1) / 2 of them.
        let oneTTFT = try #require(one.metrics[.ttft])
        let burstTTFT = try #require(burst.metrics[.ttft])
        #expect(burstTTFT > 2.5 * 4 * oneTTFT * 0.9)
        #expect(burst.notes.contains { $0.contains("4 passes") })
    }

    @Test func aSteadyStreamMeetsNoPrefillQueue() throws {
        let steady = try predict(Self.scenario(concurrency: 16, requests: nil))
        let one = try predict(Self.scenario(concurrency: 1, requests: nil))
        #expect(steady.metrics[.ttft] == one.metrics[.ttft])
        #expect(steady.notes.contains { $0.contains("without queueing") })
    }

    @Test func draftTokensWithoutAnAcceptanceAreRefused() {
        let text = Self.scenario(concurrency: 4, requests: nil, speculative: "speculative: { tokens: 3 }")
        #expect {
            _ = try predict(text)
        } throws: { error in
            "\(error)".contains("acceptance")
        }
        // With the acceptance stated, the same scenario predicts.
        let stated = Self.scenario(
            concurrency: 4,
            requests: nil,
            speculative: "speculative: { tokens: 3, acceptance: 0.6 }"
        )
        #expect(throws: Never.self) { _ = try predict(stated) }
    }

    static func prefillPool(_ layout: String) -> String {
        """
        id: prefill
        model: llama-3.1-8b
        system: { chip: h100-sxm, chips: 16, node: hgx-h100 }
        workload: { kind: serving, input_tokens: 4096, output_tokens: 512, disaggregated: true }
        plan:
          prefill: { chips: 8, \(layout) }
          decode: { chips: 8, tp: 1, attention_dp: 8, batch_per_chip: 16 }
        """
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
}
