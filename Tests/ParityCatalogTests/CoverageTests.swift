import Foundation
import ParityCatalog
import ParityCore
import Testing

/// Every catalog chip answers: peaks a vendor did not announce are transferred and marked, a format
/// a stack never measured falls back to what the engines run, and a model that cannot be held says
/// how much memory it needs.
struct CoverageTests {
    let catalog = Fixtures.catalog

    func predict(_ text: String) throws -> ScenarioPrediction {
        try ScenarioFile.load(path: try BadInputTests.write(text), catalog: catalog).predict(catalog: catalog)
    }

    static func serving(chip: String, chips: Int) -> String {
        """
        id: coverage
        model: deepseek-v3
        system: { chip: \(chip), chips: \(chips) }
        workload: { kind: serving, input_tokens: 4096, output_tokens: 1024, tpot_slo_ms: 50 }
        """
    }

    @Test func aRoadmapChipWithoutABF16PeakTakesItsVendorsRatio() throws {
        let a960 = try catalog.chip(named: "ascend-960")
        let a950 = try catalog.chip(named: "ascend-950dt")
        let bf16 = try #require(a960.peak(.bf16)).value
        let ratio = try #require(a950.peak(.bf16)).value / (try #require(a950.peak(.fp8)).value)
        #expect(isClose(bf16, try #require(a960.peak(.fp8)).value * ratio, relative: 1e-12))
        #expect(a960.compute.provenance.confidence == .low)
        let peaks = a960.transferredSpecs.filter { $0.contains(" peak ") }
        #expect(peaks.count == 1)
        #expect(peaks.first?.contains("ascend-950dt") == true)
        // Announced peaks stay the catalog's own.
        #expect(!a950.transferredSpecs.contains { $0.contains(" peak ") })
        #expect(try catalog.chip(named: "h100-sxm").transferredSpecs.isEmpty)
        // And the chip is now predicted, with the transfer in its notes.
        let prediction = try predict(Self.serving(chip: "ascend-960", chips: 32))
        #expect((prediction.metrics[.outputTokensPerSecondPerChip] ?? 0) > 0)
        #expect(prediction.notes.contains { $0.contains("BF16 peak") && $0.contains("transferred") })
    }

    @Test func anFP8CheckpointOnAmpereRunsWeightOnly() throws {
        // The Ampere stack measured no INT8 GEMM, so the FP8 weights stay FP8 and compute in BF16.
        let prediction = try predict(Self.serving(chip: "a100-80gb", chips: 32))
        #expect((prediction.metrics[.outputTokensPerSecondPerChip] ?? 0) > 0)
        #expect(prediction.notes.contains { $0.contains("W8A16") })
        // Ascend measured INT8, so it keeps W8A8.
        let ascend = try predict(Self.serving(chip: "ascend-910c", chips: 32))
        #expect(ascend.notes.contains { $0.contains("int8/int8") && !$0.contains("W8A16") })
    }

    @Test func aModelTooLargeForTheChipsSaysWhatItNeeds() throws {
        // 671B parameters at one byte over 32 chips of 16 GB cannot be held.
        #expect {
            try predict(Self.serving(chip: "tpu-v5e", chips: 32))
        } throws: { error in
            let message = "\(error)"
            return message.contains("cannot be held") && message.contains("GiB per rank")
                && message.contains("usable")
        }
    }

    @Test func theStackListingSaysWhoTakesWhatByTransfer() throws {
        let listings = catalog.stackListings()
        let a3 = try #require(listings.first { $0.name == "huawei-ascend-a3" })
        #expect(a3.chips == ["ascend-910c"])
        #expect(a3.transferredTo.contains("ascend-950dt"))
        let a2 = try #require(listings.first { $0.name == "huawei-ascend-a2" })
        #expect(a2.chips.contains("ascend-910b"))
        #expect(a2.transferredParameters.contains("expert_all_to_all_latency"))
        #expect(a3.evidenceCount > 10)
        let median = try #require(listings.first { $0.name == "cross-vendor median" })
        #expect(median.transferredTo.contains("dcu-k100"))
        #expect(median.evidenceCount == 0)
        // No chip is both covered by a stack and listed as a transfer.
        let covered = Set(listings.flatMap(\.chips))
        #expect(covered.isDisjoint(with: listings.flatMap(\.transferredTo)))
    }

    @Test func aChipWithOnlyAPurchasePriceIsCostedAtTheAmortisedRate() throws {
        // The 910B has a purchase price and no rental price: its chip-hour is the H100's break-even
        // ratio applied to it, and the note says so.
        let chip = try catalog.chip(named: "ascend-910b")
        let range = try #require(chip.hourlyPriceRange)
        #expect(range.amortised)
        let purchase = try #require(chip.prices.first { $0.kind == .purchase })
        let ratio = PriceAmortisation.breakEvenRental / PriceAmortisation.referencePrice.high
        #expect(isClose(range.low, purchase.low * ratio, relative: 1e-9))
        #expect(try #require(chip.hourlyPriceBasis).contains("amortised"))
        // A rented chip keeps its rental range.
        let h100 = try #require(try catalog.chip(named: "h100-sxm").hourlyPriceRange)
        #expect(!h100.amortised)
        let prediction = try predict(Self.serving(chip: "ascend-910b", chips: 32))
        #expect((prediction.economics.first { $0.name == "cost_usd_per_million_output_tokens_low" }?.value ?? 0) > 0)
        #expect(prediction.notes.contains { $0.contains("purchase price amortised") })
    }

    @Test func aChipWithoutAPriceOrTDPTakesItsNearestSiblingsScaled() throws {
        // The H800 has no published price: the H100's, at the same peaks, widened by a quarter.
        let h800 = try catalog.chip(named: "h800")
        let h100 = try #require(try catalog.chip(named: "h100-sxm").hourlyPriceRange)
        let moved = try #require(h800.hourlyPriceRange)
        #expect(isClose(moved.low, h100.low * (1 - PriceTransfer.widening), relative: 1e-9))
        #expect(isClose(moved.high, h100.high * (1 + PriceTransfer.widening), relative: 1e-9))
        #expect(h800.prices.allSatisfy { $0.provenance.confidence == .low })
        #expect(h800.transferredSpecs.contains { $0.contains("price") && $0.contains("h100-sxm") })
        // A chip with a published price keeps it.
        #expect(try catalog.chip(named: "h100-sxm").transferredSpecs.isEmpty)
        // TDP follows compute from a near sibling; a far one (TPU v7 from v4) is not used.
        let a910c = try catalog.chip(named: "ascend-910c")
        #expect((a910c.power?.tdp?.value ?? 0) > 600)
        #expect(try catalog.chip(named: "tpu-v7").power?.tdp == nil)
    }
}
