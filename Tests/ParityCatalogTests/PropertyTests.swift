import Foundation
import ParityCatalog
import ParityCore
import Testing

/// Properties every prediction keeps, whatever the scenario.
struct PropertyTests {
    let catalog = Fixtures.catalog

    static func scenario(chip: String, node: String, chips: Int, plan: String) -> String {
        """
        id: property
        model: deepseek-v3
        system: { chip: \(chip), chips: \(chips), node: \(node) }
        workload: { kind: serving, input_tokens: 4096, output_tokens: 1024, tpot_slo_ms: 50 }
        \(plan)
        """
    }

    func load(_ text: String) throws -> ScenarioFile {
        try ScenarioFile.load(path: try BadInputTests.write(text), catalog: catalog)
    }

    /// More HBM bandwidth never makes a decode step slower, at any batch of a fixed plan.
    @Test(arguments: [1, 8, 64])
    func moreMemoryBandwidthNeverSlowsDecode(batch: Int) throws {
        let plan = "plan:\n  serving: { chips: 16, tp: 1, ep: 16, batch_per_group: \(batch) }"
        let base = try load(Self.scenario(chip: "h800", node: "hgx-h800", chips: 16, plan: plan))
        var faster = base
        faster.chip.memory.bandwidth = base.chip.memory.bandwidth.map { $0 * 1.5 }
        let slow = try #require(try base.predict(catalog: catalog, bands: false).metrics[.tpot])
        let fast = try #require(try faster.predict(catalog: catalog, bands: false).metrics[.tpot])
        #expect(fast <= slow * (1 + 1e-12))
    }

    /// More chips for the same kind of plan never raise the weights each chip holds.
    @Test func moreChipsNeverRaiseMemoryPerChip() throws {
        var previous = Double.infinity
        for chips in [16, 32, 64] {
            let text = """
                id: memory
                model: deepseek-v3
                system: { chip: h800, chips: \(chips), node: hgx-h800 }
                workload: { kind: training, sequence_length: 4096, global_batch: 1024, precision: fp8 }
                plan:
                  training: { tp: 1, pp: 8, ep: \(chips / 8), zero: 1, recompute: full, micro_batch: 1, schedule: 1f1b }
                """
            let memory = try #require(try load(text).predict(catalog: catalog, bands: false).metrics[.memoryPerChip])
            #expect(memory <= previous * (1 + 1e-9), "\(chips) chips: \(memory) GiB")
            previous = memory
        }
    }

    /// The same input gives the same output, byte for byte, searches and bands included.
    @Test func theSameInputGivesTheSameOutput() throws {
        let file = try load(Self.scenario(chip: "ascend-910c", node: "cloudmatrix-384", chips: 32, plan: ""))
        func render(_ p: ScenarioPrediction) -> String {
            let metrics = p.metrics.sorted { $0.key < $1.key }.map { "\($0.key.rawValue)=\($0.value)" }
            let bands = p.bands.sorted { $0.key < $1.key }.map {
                "\($0.key.rawValue)=\($0.value.low)..\($0.value.high)"
            }
            return (metrics + bands + p.notes).joined(separator: "\n")
        }
        let first = render(try file.predict(catalog: catalog))
        let second = render(try file.predict(catalog: catalog))
        #expect(first == second)
    }

    /// Every band holds its point estimate, on every system a plain question is compared on.
    @Test(arguments: ["h800", "h20", "b200", "gb300", "ascend-910c", "ascend-950dt", "mi300x", "tpu-v5p"])
    func bandsHoldThePointEstimate(chip: String) throws {
        let text = """
            id: band
            model: deepseek-v3
            system: { chip: \(chip) }
            workload: { kind: serving, input_tokens: 2048, output_tokens: 512, tpot_slo_ms: 80, speculative: { method: MTP } }
            """
        let prediction = try load(text).predict(catalog: catalog)
        #expect(!prediction.metrics.isEmpty)
        for (metric, value) in prediction.metrics {
            let band = try #require(prediction.bands[metric], "\(metric)")
            #expect(band.low <= value * (1 + 1e-12) && value <= band.high * (1 + 1e-12), "\(chip) \(metric)")
        }
    }
}
