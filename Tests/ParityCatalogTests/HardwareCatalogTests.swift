import Foundation
import ParityCore
import Testing

@testable import ParityCatalog

/// The embedded hardware catalog: every name the scenario schema lists, units and provenance on
/// every number, and export-control standing computed from specs.
struct HardwareCatalogTests {
    let catalog = Fixtures.catalog

    static let schemaChips = [
        "a100-80gb", "a800", "h100-sxm", "h100-pcie", "h800", "h20", "h200", "b200", "b300", "gb200", "gb300", "l20",
        "ascend-910", "ascend-910b", "ascend-910b1", "ascend-910b2", "ascend-910b3", "ascend-910b4", "ascend-910c",
        "ascend-950pr", "ascend-950dt", "ascend-300i-duo", "mi250x", "mi300x", "mi325x", "mi355x", "tpu-v4", "tpu-v5e",
        "tpu-v5p", "tpu-v6e", "tpu-v7", "gaudi2", "gaudi3", "trainium2",
    ]
    static let schemaSystems = [
        "dgx-a100", "hgx-h100", "hgx-h800", "hgx-h20", "hgx-h200", "hgx-b200", "gb200-nvl72", "gb300-nvl72",
        "atlas-800t-a2", "atlas-800i-a2", "atlas-a3", "cloudmatrix-384", "atlas-950-superpod", "tpu-v5p-pod",
        "tpu-v5e-pod", "mi300x-8",
    ]
    static let hardwareYAMLIDs = [
        "nvidia_a100_sxm_80gb", "nvidia_a800_sxm_80gb", "nvidia_h100_sxm", "nvidia_h100_pcie", "nvidia_h800_sxm",
        "nvidia_h20", "nvidia_h200_sxm", "nvidia_b200_hgx", "nvidia_gb200_nvl72_gpu", "nvidia_b300_hgx",
        "nvidia_gb300_nvl72_gpu", "nvidia_l20", "nvidia_rtx_pro_6000_blackwell", "huawei_ascend_910",
        "huawei_ascend_910b", "huawei_ascend_910c", "huawei_ascend_950pr", "huawei_ascend_950dt", "huawei_ascend_960",
        "huawei_ascend_970", "amd_mi250x", "amd_mi300x", "amd_mi325x", "amd_mi355x", "google_tpu_v4", "google_tpu_v5e",
        "google_tpu_v5p", "google_tpu_v6e", "google_tpu7x_ironwood", "intel_gaudi2", "intel_gaudi3", "aws_trainium2",
        "cambricon_mlu370_x8", "cambricon_mlu590", "hygon_dcu_k100",
    ]

    @Test(arguments: schemaChips)
    func everySchemaChipIsInTheCatalog(name: String) throws {
        let chip = try catalog.chip(named: name)
        #expect(chip.name == name)
    }

    @Test(arguments: hardwareYAMLIDs)
    func researchIDsAreAliases(id: String) throws {
        _ = try catalog.chip(named: id)
    }

    @Test(arguments: schemaSystems)
    func everySchemaSystemIsInTheCatalogAndNamesAKnownChip(name: String) throws {
        let system = try catalog.system(named: name)
        #expect(system.name == name)
        _ = try catalog.chip(named: system.chip)
    }

    @Test func everyCitedSourceIsRegistered() {
        for chip in catalog.chips {
            for id in chip.compute.provenance.sources + chip.memory.provenance.sources {
                #expect(catalog.sources.entries[id] != nil, "\(chip.name) cites \(id)")
            }
        }
    }

    @Test func namesAndAliasesAreUnambiguous() throws {
        var seen: [String: String] = [:]
        for chip in catalog.chips {
            for name in [chip.name] + chip.aliases {
                let key = name.lowercased().replacingOccurrences(of: "_", with: "-")
                #expect(seen[key] == nil || seen[key] == chip.name, "\(name) names \(seen[key] ?? "") and \(chip.name)")
                seen[key] = chip.name
            }
        }
    }

    @Test func datasheetNumbersCarryTheirUnits() throws {
        let h800 = try catalog.chip(named: "h800")
        #expect(h800.peak(.bf16)?.value == 989.4e12)
        #expect(h800.memory.capacity?.value == 80e9)
        #expect(h800.memory.bandwidth?.value == 3.35e12)
        #expect(h800.scaleUp?.bidirectionalBandwidth?.value == 400e9)
        let hgx = try catalog.system(named: "hgx-h800")
        #expect(hgx.scaleUp.achievableBandwidthPerDirection?.value == 160e9)
        #expect(hgx.scaleOut?.bandwidth?.value == 50e9)  // 400 Gb/s
        let ascend = try catalog.chip(named: "ascend-910c")
        #expect(ascend.dies == 2)
    }

    /// Worked examples of hardware-notes.md §3.
    @Test(arguments: [
        ("a100-80gb", 4_992.0, "3A090.a.1"), ("h100-sxm", 15_831.2, "3A090.a.1"), ("h20", 2_368.0, "not 3A090"),
        ("ascend-910b", 5_120.0, "3A090.a.1"), ("ascend-910", 4_096.0, "3A090.a.2"), ("b200", 36_000.0, "3A090.a.1"),
        ("b300", 54_000.0, "3A090.a.1"), ("mi355x", 60_396.0, "3A090.a.1"),
        ("ascend-910b4", 3_932.8, "3A090.b (if datacenter)"),
    ])
    func exportControlFollowsTheWorkedExamples(name: String, tpp: Double, october2023: String) throws {
        let standing = try #require(try catalog.chip(named: name).exportControl)
        #expect(isClose(standing.tpp, tpp, relative: 0.001))
        #expect(standing.rules.first { $0.id == "oct2023_3a090" }?.verdict == october2023)
    }

    @Test func theOctober2022RuleTurnsOnTheInterconnect() throws {
        let a800 = try #require(try catalog.chip(named: "a800").exportControl)
        let a100 = try #require(try catalog.chip(named: "a100-80gb").exportControl)
        #expect(a800.rules.first { $0.id == "oct2022_3a090" }?.applies == false)
        #expect(a100.rules.first { $0.id == "oct2022_3a090" }?.applies == true)
    }

    @Test func theBandwidthRulesCatchTheH20AndSpareTheH200FromDenial() throws {
        let h20 = try #require(try catalog.chip(named: "h20").exportControl)
        #expect(h20.rules.first { $0.id == "apr2025_bandwidth" }?.applies == true)
        let h200 = try #require(try catalog.chip(named: "h200").exportControl)
        #expect(h200.rules.first { $0.id == "jan2026_case_by_case" }?.applies == true)
        let b200 = try #require(try catalog.chip(named: "b200").exportControl)
        #expect(b200.rules.first { $0.id == "jan2026_case_by_case" }?.applies == false)
    }

    @Test func trainiumFlagsTheTF32Ambiguity() throws {
        let standing = try #require(try catalog.chip(named: "trainium2").exportControl)
        #expect(standing.tppWithoutTF32 != nil)
    }

    @Test func performanceDensityNeedsADieArea() throws {
        let h100 = try #require(try catalog.chip(named: "h100-sxm").exportControl)
        #expect(isClose(try #require(h100.performanceDensity), 19.45, relative: 0.001))
        let b200 = try #require(try catalog.chip(named: "b200").exportControl)
        #expect(b200.performanceDensity == nil)
    }
}

/// Software stacks: every parameter sourced, framework stacks inheriting their chip stack.
struct SoftwareStackTests {
    let catalog = Fixtures.catalog

    @Test func aFrameworkStackInheritsAndOverrides() throws {
        let h100 = try catalog.chip(named: "h100-sxm")
        let vllm = try catalog.stack(for: h100, software: "vLLM 0.9.1").stack
        let base = try catalog.stack(for: h100, software: nil).stack
        #expect(vllm.name == "nvidia-hopper-vllm")
        #expect(base.name == "nvidia-hopper")
        #expect(vllm.value(.gemmEfficiencyBF16) == base.value(.gemmEfficiencyBF16))
        #expect(vllm.value(.latentAttentionLayerOverhead) != base.value(.latentAttentionLayerOverhead))
    }

    @Test(arguments: [
        ("Megatron-LM (PTD-P)", "nvidia-ampere-megatron-lm"),
        ("MegaScale (built on Megatron-LM)", "nvidia-ampere-megascale"),
        ("DeepSpeed", "nvidia-ampere"),
    ])
    func theFrameworkNamedFirstPicksTheStack(software: String, stack: String) throws {
        let a100 = try catalog.chip(named: "a100-80gb")
        #expect(try catalog.stack(for: a100, software: software).stack.name == stack)
    }

    @Test func stacksForGraceBlackwellAndB200DifferForVLLM() throws {
        let b200 = try catalog.stack(for: try catalog.chip(named: "b200"), software: "vllm").stack
        let gb200 = try catalog.stack(for: try catalog.chip(named: "gb200"), software: "vllm").stack
        #expect(b200.name != gb200.name)
    }

    @Test func everyStackParameterNamesItsEvidence() {
        for stack in catalog.stacks {
            for (parameter, evidence) in stack.parameters {
                #expect(!evidence.provenance.sources.isEmpty, "\(stack.name).\(parameter.rawValue)")
                #expect(!evidence.evidence.isEmpty, "\(stack.name).\(parameter.rawValue)")
                if parameter.isFraction { #expect(evidence.value > 0 && evidence.value <= 1) }
            }
        }
    }

    @Test func aChipWithoutAStackTakesTransferredEfficienciesMarkedLow() throws {
        // No Gaudi stack: each parameter is the median over the catalog's stacks, of low confidence.
        let gaudi = try catalog.chip(named: "gaudi3")
        let (stack, note) = try catalog.stack(for: gaudi, software: nil)
        #expect(stack.name.contains("transferred to gaudi3"))
        #expect(note?.contains("median") == true)
        #expect(!stack.parameters.isEmpty)
        #expect(stack.parameters.values.allSatisfy { $0.provenance.confidence == .low })
        #expect(stack.parameters.values.allSatisfy { $0.evidence.hasPrefix("Transferred from") })
        // Ascend 950DT takes its own vendor's nearest stack, the A3's, value for value.
        let a3 = try catalog.stack(for: try catalog.chip(named: "ascend-910c"), software: nil).stack
        let (moved, movedNote) = try catalog.stack(for: try catalog.chip(named: "ascend-950dt"), software: nil)
        #expect(movedNote?.contains("huawei-ascend-a3") == true)
        #expect(moved.value(.attentionEfficiency) == a3.value(.attentionEfficiency))
        // A stack that measured a parameter keeps its own value and confidence.
        #expect(a3.parameters[.scaleUpEfficiency]?.evidence.hasPrefix("Transferred") == false)
    }

    @Test func aNewGenerationStatesWhatItMeasuredAndTransfersTheRest() throws {
        let cdna3 = try catalog.stack(for: try catalog.chip(named: "mi300x"), software: nil).stack
        let (cdna4, note) = try catalog.stack(for: try catalog.chip(named: "mi355x"), software: nil)
        #expect(cdna4.name == "amd-cdna4")
        #expect(note?.contains("transferred") != true)
        // Measured on CDNA4: its own value and confidence.
        let fp8 = try #require(cdna4.parameters[.gemmEfficiencyFP8])
        #expect(!fp8.evidence.hasPrefix("Transferred"))
        #expect(fp8.provenance.confidence == .medium)
        // Not measured on CDNA4: CDNA3's value, marked transferred and low.
        let latency = try #require(cdna4.parameters[.collectiveLatency])
        #expect(latency.value == cdna3.value(.collectiveLatency))
        #expect(latency.evidence.hasPrefix("Transferred from amd-cdna3"))
        #expect(latency.provenance.confidence == .low)
        #expect(cdna3.parameters[.collectiveLatency]?.provenance.confidence == .high)
        // The A2 stack takes the A3's measured expert all-to-all cost rather than none.
        let a2 = try catalog.stack(for: try catalog.chip(named: "ascend-910b"), software: nil).stack
        #expect(a2.name == "huawei-ascend-a2")
        #expect(a2.parameters[.expertAllToAllLatency]?.evidence.hasPrefix("Transferred from huawei-ascend-a3") == true)
        #expect(a2.parameters[.scaleUpEfficiency]?.provenance.confidence == .medium)
        // The TPU stack, with no earlier generation, takes the cross-vendor median for what it lacks.
        let tpu = try catalog.stack(for: try catalog.chip(named: "tpu-v5p"), software: "MaxText").stack
        #expect(tpu.name == "google-tpu")
        #expect(tpu.parameters[.gemmEfficiencyBF16]?.evidence.hasPrefix("Transferred") == false)
        #expect(tpu.parameters[.gradientOverlap]?.evidence.hasPrefix("Transferred from the median") == true)
    }

    @Test func aMeasurementRestatedByAnotherStackWeighsOnceInTheMedian() throws {
        // The A2 and A3 stacks both cite the same fused-attention measurement at 0.30; the median
        // names each stack whose evidence it weighs, and only one of the two is among them.
        let median = try #require(catalog.median(of: .attentionEfficiency))
        let named = ["huawei-ascend-a2", "huawei-ascend-a3"].filter { median.evidence.contains("\($0),") }
        #expect(named.count == 1)
        // Framework stacks restate their base's GEMM evidence: the Hopper value weighs once.
        let gemm = try #require(catalog.median(of: .gemmEfficiencyBF16))
        #expect(!gemm.evidence.contains("nvidia-hopper-vllm"))
    }
}
