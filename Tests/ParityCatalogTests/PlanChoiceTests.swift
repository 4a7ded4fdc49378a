import Foundation
import ParityCatalog
import ParityCore
import Testing

/// A question asked plainly: no plan, part of a plan, a chip name for a system, no precision.
struct PlanChoiceTests {
    let catalog = Fixtures.catalog

    func load(_ text: String) throws -> ScenarioFile {
        try ScenarioFile.load(path: try BadInputTests.write(text), catalog: catalog)
    }

    static func question(chip: String, node: String, chips: Int, extra: String = "", plan: String = "") -> String {
        """
        id: plain
        model: deepseek-v3
        system: { chip: \(chip), chips: \(chips), node: \(node) }
        workload:
          kind: serving
          input_tokens: 4000
          output_tokens: 1000
          tpot_slo_ms: 50
          \(extra)
        \(plan)
        """
    }

    @Test func aPlanLessRunIsTheSearchsBest() throws {
        let file = try load(Self.question(chip: "h200", node: "hgx-h200", chips: 16, extra: "ttft_slo_ms: 2000"))
        let search = try file.servingSearch(catalog: catalog)
        let best = try #require(search.best)
        let run = try file.predict(catalog: catalog)
        let rate = try #require(run.metrics[.outputTokensPerSecondPerChip])
        #expect(abs(rate - best.throughputPerChip) <= best.throughputPerChip * 1e-9)
        #expect(abs((run.metrics[.tpot] ?? 0) - best.tpot.value * 1_000) <= 1e-6)
        // The run names the plan and how many were weighed.
        let plan = try #require(run.servingPlan)
        let decode = try #require(best.isDisaggregated ? plan.decode : plan.serving)
        #expect(decode.tp == best.attentionTP && decode.attentionDP == best.attentionDP)
        #expect(decode.ep == best.expertParallel && decode.batchPerGroup == best.batch)
        #expect(run.plansWeighed == search.points.count)
        #expect(run.notes.contains { $0.contains("No plan stated: \(search.points.count) plans weighed") })
        // No other plan the search found serves more per chip within the objectives.
        for point in search.points where point.tpot.value <= 0.050 && point.ttft.value <= 2 {
            #expect(point.throughputPerChip <= rate * (1 + 1e-9))
        }
    }

    @Test func theBestBatchIsNotRoundedToAPowerOfTwo() throws {
        let file = try load(Self.question(chip: "h200", node: "hgx-h200", chips: 8, extra: "disaggregated: false"))
        let best = try #require(try file.servingSearch(catalog: catalog).best)
        // Bisection finds the largest batch within the TPOT objective, which is rarely a power of two;
        // one more sequence would miss the objective or the memory.
        #expect(best.batch & (best.batch - 1) != 0)
        #expect(best.tpot.value <= 0.050)
    }

    @Test func aPartialPlanIsAConstraintNotReplaced() throws {
        // A decode pool that states only its chips and its expert parallelism: the layout is searched,
        // the stated fields stay.
        let plan = "plan:\n  decode: { chips: 32, ep: 32 }"
        let file = try load(
            Self.question(chip: "h800", node: "hgx-h800", chips: 32, extra: "disaggregated: true", plan: plan)
        )
        let run = try file.predict(catalog: catalog)
        let decode = try #require(run.servingPlan?.decode)
        #expect(decode.chips == 32 && decode.ep == 32)
        #expect(decode.tp != nil && (decode.tp ?? 0) * (decode.attentionDP ?? 0) == 32)
        #expect(run.notes.contains { $0.contains("layouts weighed") })
        #expect((run.metrics[.tpot] ?? .infinity) <= 50 + 1e-6)
        // Every layout the search weighed keeps ep 32: stating a different one changes the answer.
        var other = file
        var pool = try #require(other.scenario.plan.decode)
        pool.ep = 1
        other.scenario.plan.decode = pool
        let tensorExperts = try other.predict(catalog: catalog)
        #expect(tensorExperts.servingPlan?.decode?.ep == 1)
    }

    @Test func anObjectiveNoPlanMeetsIsAnsweredWithTheClosest() throws {
        let text = Self.question(chip: "h20", node: "hgx-h20", chips: 8).replacingOccurrences(
            of: "tpot_slo_ms: 50",
            with: "tpot_slo_ms: 1"
        )
        let run = try load(text).predict(catalog: catalog)
        #expect(run.metrics[.tpot] != nil)
        #expect(run.notes.contains { $0.contains("none meets the objectives") })
    }

    @Test func anUnstatedPrecisionIsOneTheChipComputes() throws {
        // DeepSeek-V3 is released in FP8; the 910C has no FP8 tensor peak, so Ascend's stacks deploy W8A8.
        let run = try load(Self.question(chip: "ascend-910c", node: "cloudmatrix-384", chips: 32)).predict(
            catalog: catalog
        )
        #expect(run.metrics[.outputTokensPerSecondPerChip] != nil)
        #expect(run.notes.contains { $0.contains("deployed in int8/int8") && $0.contains("W8A8") })
        // Where the chip computes the released format, the released format is kept.
        let h800 = try load(Self.question(chip: "h800", node: "hgx-h800", chips: 32)).predict(catalog: catalog)
        #expect(h800.notes.contains { $0.contains("the released fp8/fp8 weights assumed") })
    }

    @Test func aChipNameStandsForItsUsualSystem() throws {
        #expect(try catalog.system(orChip: "ascend-910c").system.name == "cloudmatrix-384")
        #expect(try catalog.system(orChip: "gb300").system.name == "gb300-nvl72")
        #expect(try catalog.system(orChip: "h800").system.name == "hgx-h800")
        #expect(try catalog.system(orChip: "hgx-h20").note == nil)
        #expect(try catalog.system(orChip: "ascend-910c").note?.contains("cloudmatrix-384") == true)
        #expect(throws: CatalogError.self) { try catalog.system(orChip: "h9000") }
        let file = try load(Self.question(chip: "h800", node: "hgx-h800", chips: 16))
        let comparison = try Comparison.run(file: file, systems: ["h800", "ascend-910c"], catalog: catalog)
        #expect(comparison.entries.map(\.system.name) == ["hgx-h800", "cloudmatrix-384"])
        #expect(comparison.entries.allSatisfy { $0.prediction != nil })
    }

    static let drafted = """
        id: drafted
        model: deepseek-v3
        system: { chip: h200, chips: 8, node: hgx-h200 }
        workload: { kind: serving, input_tokens: 2000, output_tokens: 500, speculative: { method: MTP, tokens: 3 } }
        plan:
          serving: { chips: 8, tp: 8, batch_per_chip: 4 }
        """

    @Test func anUnstatedAcceptanceIsSourcedAndWidensTheBands() throws {
        let run = try load(Self.drafted).predict(catalog: catalog)
        let acceptance = try #require(run.assumptions.first { $0.key == "workload.speculative.acceptance" })
        // MTP at 3 drafts: accepted length 2.7 (2.4-3.3) in the published runs.
        #expect(abs(acceptance.value - 1.7 / 3) < 1e-9)
        #expect(acceptance.low! < acceptance.value && acceptance.value < acceptance.high!)
        #expect(acceptance.source.contains("DeepSeek-V3 report"))
        #expect(run.notes.contains { $0.contains("workload.speculative.acceptance not stated") })
        let rate = try #require(run.metrics[.outputTokensPerSecondPerChip])
        let band = try #require(run.bands[.outputTokensPerSecondPerChip])
        #expect(band.low < rate && rate < band.high)
        // A step yields the mean accepted length: 1 + tokens x acceptance.
        let stated = Self.drafted.replacingOccurrences(of: "tokens: 3 }", with: "tokens: 3, acceptance: 0.5 }")
        let exact = try load(stated).predict(catalog: catalog)
        #expect(exact.assumptions.isEmpty)
        // Stating it narrows the band to what the low-confidence catalog inputs leave.
        let narrow = try #require(exact.bands[.outputTokensPerSecondPerChip])
        let exactRate = try #require(exact.metrics[.outputTokensPerSecondPerChip])
        #expect(narrow.low <= exactRate && exactRate <= narrow.high)
        #expect(narrow.high - narrow.low < (band.high - band.low) / 2)
    }

    @Test func aNamedMethodWithoutItsDraftLengthTakesTheUsualOne() throws {
        let text = Self.drafted.replacingOccurrences(of: "{ method: MTP, tokens: 3 }", with: "{ method: DSpark }")
        let run = try load(text).predict(catalog: catalog)
        let tokens = try #require(run.assumptions.first { $0.key == "workload.speculative.tokens" })
        #expect(tokens.value == 7)
        #expect(run.assumptions.contains { $0.key == "workload.speculative.acceptance" })
        // DeepSeek's own drafter, unnamed: its one MTP module.
        let unnamed = Self.drafted.replacingOccurrences(of: "{ method: MTP, tokens: 3 }", with: "{ method: null }")
        let mtp = try load(unnamed).predict(catalog: catalog)
        #expect(mtp.assumptions.first { $0.key == "workload.speculative.tokens" }?.value == 1)
    }

    @Test func withoutAChipCountTheDeploymentIsSized() throws {
        let text = """
            id: sized
            model: deepseek-v3
            system: { chip: h800 }
            workload: { kind: serving, input_tokens: 4096, output_tokens: 1024, tpot_slo_ms: 50 }
            """
        let file = try load(text)
        // The chip's usual system is taken, and the count is Parity's to choose.
        #expect(file.system?.name == "hgx-h800")
        #expect(file.scenario.system.chipsStated == false)
        let run = try file.predict(catalog: catalog)
        let chips = try #require(run.chips)
        #expect(file.sizingCandidates == [8, 16, 32, 64, 128])
        #expect(run.notes.first?.hasPrefix("system.chips not stated: \(chips) x h800") == true)
        // No smaller count comes within 2% of the best rate per chip among those weighed.
        // (8 H800 cannot hold DeepSeek-V3's weights and a cache: that count has no answer.)
        let rates = file.sizingCandidates.map { n -> (Int, Double) in
            let p = try? file.sized(n).predict(catalog: catalog)
            return (n, p?.metrics[.outputTokensPerSecondPerChip] ?? 0)
        }
        let best = try #require(rates.map(\.1).max())
        let rate = try #require(run.metrics[.outputTokensPerSecondPerChip])
        #expect(rate >= best * 0.98)
        #expect(rates.allSatisfy { $0.0 >= chips || $0.1 < best * 0.98 })
        // Compared, each system is sized from its own domain.
        let comparison = try Comparison.run(file: file, systems: ["h800", "gb300"], catalog: catalog)
        #expect(comparison.entries[0].chips == chips)
        #expect(comparison.entries[1].prediction?.chips == comparison.entries[1].chips)
    }

    @Test func lowConfidenceInputsWidenTheBandsByTheirPrior() throws {
        // Ascend A3's stack rests on low-confidence parameters; NVIDIA Hopper's decode on one.
        let a3 = try load(Self.question(chip: "ascend-910c", node: "cloudmatrix-384", chips: 32)).predict(
            catalog: catalog
        )
        let rate = try #require(a3.metrics[.outputTokensPerSecondPerChip])
        let band = try #require(a3.bands[.outputTokensPerSecondPerChip])
        #expect(band.low < rate && rate < band.high)
        // Each input moves by at most 25%, so the band stays within a few times that.
        #expect(band.low > rate * 0.5 && band.high < rate * 1.5)
        for (metric, value) in a3.metrics {
            let b = try #require(a3.bands[metric])
            #expect(b.low <= value && value <= b.high, "\(metric)")
        }
    }
}
