import Foundation
import Testing

/// `run --sweep-rate`: latency percentiles against offered load, and the knee.
struct CapacityCurveTests {
    static let scenario = """
        id: curve
        model: llama-3.1-8b
        system: { chip: h100-sxm, chips: 1, node: hgx-h100, software: vllm }
        workload:
          kind: serving
          input_tokens: 2048
          output_tokens: 256
          num_requests: 400
          ttft_slo_ms: 1000
          tpot_slo_ms: 40
        plan:
          serving: { chips: 1, tp: 1 }
        """

    @Test func theCurveRisesAndNamesItsKnee() throws {
        let path = try CommandTests.write(Self.scenario, name: "curve.yaml")
        let result = CommandTests.run("run", path, "--sweep-rate", "1:200:5", "--format", "json")
        #expect(result.status == 0, "\(result.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let points = try #require(json["points"] as? [[String: Any]])
        #expect(points.count == 5)
        let p99 = points.compactMap { ($0["ttft_ms"] as? [String: Double])?["p99"] }
        #expect(p99.count == 5)
        #expect(try #require(p99.last) > 10 * (try #require(p99.first)))
        // At 1 request/s the objectives hold; at 200 they cannot, and the knee lies between.
        #expect(points.first?["meets_objectives"] as? Bool == true)
        #expect(points.last?["meets_objectives"] as? Bool == false)
        let knee = try #require(json["knee_rate_per_s"] as? Double)
        #expect(knee > 1 && knee <= 200)
    }

    @Test func theTableSaysWhereTheObjectivesBreak() throws {
        let path = try CommandTests.write(Self.scenario, name: "curve.yaml")
        let result = CommandTests.run("run", path, "--sweep-rate", "1:200:3")
        #expect(result.status == 0)
        #expect(result.output.contains("knee: the objectives break at"))
        let html = CommandTests.run("run", path, "--sweep-rate", "1:200:3", "--format", "html")
        #expect(html.output.contains("<svg") && html.output.contains("TTFT p90 against request rate"))
    }

    @Test func aMalformedRangeIsRefusedWithTheExpectedShape() throws {
        let path = try CommandTests.write(Self.scenario, name: "curve.yaml")
        for bad in ["0:10:5", "5:1:3", "1:10", "1:10:0", "1:10:1000", "a:b:c"] {
            let result = CommandTests.run("run", path, "--sweep-rate", bad)
            #expect(result.status == 2, "\(bad)")
            #expect(result.error.contains("LOW:HIGH:STEPS"), "\(bad)")
        }
    }
}
