import Foundation
import ParityCLI
import ParityCatalog
import ParityTestSupport
import Testing

/// The command-line interface end to end, without a process: output, errors and exit codes.
struct CommandTests {
    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    static func run(_ arguments: String...) -> Result { run(arguments) }

    static func run(_ arguments: [String]) -> Result {
        var output = ""
        var error = ""
        let status = ParityMain.run(arguments, standardOutput: { output += $0 }, standardError: { error += $0 })
        return Result(status: status, output: output, error: error)
    }

    static func write(_ text: String, name: String) throws -> String {
        let path = try Scratch.folder().appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func inspectPrintsExactCounts() {
        let result = Self.run("inspect", "deepseek-v3")
        #expect(result.status == 0)
        #expect(result.output.contains("671,026,419,200"))
        #expect(result.output.contains("70,272"))
    }

    @Test func inspectJSONHasTheContractKeys() throws {
        let result = Self.run("inspect", "deepseek-v3", "--format", "json", "--context", "4096")
        #expect(result.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let parameters = try #require(json["parameters"] as? [String: Any])
        #expect(parameters["total"] as? Int == 671_026_419_200)
        #expect(parameters["active"] as? Int == 37_552_297_472)
        let breakdown = try #require(parameters["breakdown"] as? [String: Any])
        for block in [
            "embedding", "attention", "dense_mlp", "routed_experts", "shared_experts", "router", "norms", "head", "mtp",
        ] {
            #expect(breakdown[block] != nil, "breakdown.\(block)")
        }
        #expect(json["kv_cache_bytes_per_token"] as? Int == 70_272)
        let forward = try #require(json["forward_flops_per_token"] as? [String: Any])
        #expect(forward["prefill"] != nil && forward["decode"] != nil)
        let training = try #require(json["training_flops_per_token"] as? [String: Any])
        #expect(training["causal"] != nil)
    }

    @Test func inspectReadsAConfigPath() throws {
        let config = """
            {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
             "num_key_value_heads": 2, "intermediate_size": 128, "vocab_size": 1000}
            """
        let path = try Self.write(config, name: "config.json")
        let result = Self.run("inspect", path, "--format", "csv")
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("quantity,value\n"))
    }

    @Test func catalogListsChipsWithExportControlAsCSV() {
        let result = Self.run("catalog", "chips", "--format", "csv")
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n")
        #expect(lines.first?.contains("TPP") == true)
        #expect(lines.contains { $0.hasPrefix("h20,") && $0.contains("not 3A090") })
    }

    @Test func catalogListsSystemsAndModelsAsJSON() throws {
        for kind in ["systems", "models", "sources"] {
            let result = Self.run("catalog", kind, "--format", "json")
            #expect(result.status == 0, "\(kind)")
            #expect((try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [Any])?.isEmpty == false)
        }
    }

    @Test func badInputIsOneLineAndExitStatusTwo() throws {
        let path = try Self.write(
            "id: x\nmodel: deepseek-v3\nsystem: {chip: h800, chips: 8}\nworkload: {kind: serving, tpot: 5}\n",
            name: "s.yaml"
        )
        let result = Self.run("run", path)
        #expect(result.status == 2)
        #expect(result.error.hasPrefix("error: \(path)"))
        #expect(result.error.contains("workload.tpot"))
        #expect(result.error.split(separator: "\n").count == 1)
    }

    @Test func unknownModelsAndArgumentsExitTwo() {
        #expect(Self.run("inspect", "no-such-model").status == 2)
        #expect(Self.run("inspect", "deepseek-v3", "--context", "-5").status == 2)
        #expect(Self.run("frobnicate").status == 2)
        #expect(Self.run("catalog", "gpus").status == 2)
    }

    @Test func aServingScenarioWithoutLengthsAssumesThemAndSaysSo() throws {
        let path = try Self.write(
            "id: x\nmodel: llama-3.1-70b\nsystem: {chip: h800, chips: 8}\nworkload: {kind: serving, tpot_slo_ms: 50}\n",
            name: "s.yaml"
        )
        let result = Self.run("run", path, "--format", "json")
        #expect(result.status == 0, "\(result.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let assumptions = try #require(json["assumptions"] as? [[String: Any]])
        let keys = assumptions.compactMap { $0["key"] as? String }
        #expect(keys.contains("workload.input_tokens") && keys.contains("workload.output_tokens"))
        let input = try #require(assumptions.first { $0["key"] as? String == "workload.input_tokens" })
        #expect((input["low"] as? Double ?? 0) < (input["value"] as? Double ?? 0))
        #expect(!(input["source"] as? String ?? "").isEmpty)
    }

    @Test func aServingScenarioPredictsDecodeMetrics() throws {
        let scenario = """
            id: s
            model: llama-3.1-70b
            system: {chip: h100-sxm, chips: 4, node: hgx-h100}
            workload: {kind: serving, input_tokens: 1024, output_tokens: 1024, weights_precision: fp8, concurrency: 8}
            plan: {serving: {chips: 4, tp: 4}}
            """
        let result = Self.run("run", try Self.write(scenario, name: "s.yaml"), "--format", "json")
        #expect(result.status == 0, "\(result.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let metrics = try #require(json["metrics"] as? [String: Double])
        let tpot = try #require(metrics["tpot_ms"])
        // 70.6B FP8 weights over 4 GPUs stream at most at 13.4 TB/s: at least 5 ms per step.
        #expect(tpot > 5 && tpot < 50)
        #expect(metrics["output_tokens_per_s_per_chip"] != nil)
        #expect(metrics["max_concurrency"] != nil)
        // H100 SXM has an hourly price range and a TDP in the catalog.
        let economics = try #require(json["cost_and_energy"] as? [String: Double])
        let low = try #require(economics["cost_usd_per_million_output_tokens_low"])
        let high = try #require(economics["cost_usd_per_million_output_tokens_high"])
        #expect(low > 0 && low <= high)
        let joules = try #require(economics["energy_j_per_output_token"])
        let rate = try #require(metrics["output_tokens_per_s_per_chip"])
        #expect(abs(joules * rate - 700) < 1e-6)
    }

    @Test func aTrainingScenarioPrintsItsMetricsAndBreakdown() throws {
        let scenario = """
            id: t
            model: llama-3.1-8b
            system: {chip: h100-sxm, chips: 8, node: hgx-h100}
            workload: {kind: training, sequence_length: 8192, global_batch: 64, precision: bf16, tokens: 1.0e+12}
            plan: {training: {tp: 1, pp: 1, dp: 8, micro_batch: 1}}
            """
        let result = Self.run("run", try Self.write(scenario, name: "t.yaml"), "--format", "json")
        #expect(result.status == 0, "\(result.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let metrics = try #require(json["metrics"] as? [String: Double])
        for name in [
            "step_time_s", "tokens_per_s_per_chip", "model_tflops_per_chip", "mfu", "chip_hours", "days",
            "memory_per_chip_gib",
        ] {
            #expect(metrics[name] != nil, "\(name)")
        }
        let mfu = try #require(metrics["mfu"])
        #expect(mfu > 0.2 && mfu < 0.8)
        #expect(json["step_breakdown_s"] != nil)
    }

    @Test func helpExitsZero() {
        let result = Self.run("--help")
        #expect(result.status == 0)
        #expect(result.output.contains("inspect"))
    }
}

extension CommandTests {
    /// A user catalog directory holding `text` at `path` (e.g. "chips/x.yaml").
    static func userCatalog(_ path: String, _ text: String) throws -> URL {
        let directory = try Scratch.folder()
        let file = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(),
            withIntermediateDirectories: true
        )
        try text.write(to: file, atomically: true, encoding: .utf8)
        return directory
    }

    @Test func aUserCatalogDirectoryAddsAChip() throws {
        let chip = """
            name: my-npu
            vendor: Example
            confidence: low
            compute: { dense: { bf16: 500 TFLOP/s, int8: 1000 TOP/s } }
            memory: { capacity: 96 GB, bandwidth: 3 TB/s }
            """
        let directory = try Self.userCatalog("chips/my-npu.yaml", chip)
        let result = Self.run("catalog", "chips", "--catalog", directory.path, "--format", "csv")
        #expect(result.status == 0)
        #expect(result.output.contains("my-npu,Example,500.0"))
    }
}

extension CommandTests {
    @Test func aStackScalingImbalanceByOneRankIsRefused() throws {
        let stack = """
            name: my-stack
            chips: [h100-sxm]
            software: [mine]
            extends: nvidia-hopper
            parameters:
              expert_imbalance_reference_ep:
                value: 1
                evidence: measured on one rank
                source: [aiconfigurator_perf_data]
                confidence: low
            """
        let directory = try Self.userCatalog("stacks/my-stack.yaml", stack)
        let result = Self.run("catalog", "chips", "--catalog", directory.path)
        #expect(result.status != 0)
        #expect(result.error.contains("expert_imbalance_reference_ep") && result.error.contains("at least 2"))
    }

    @Test(arguments: [
        ("extends: nvidia-hopper\ntransfers_from: nvidia-ampere", ["my-stack.yaml", "transfers_from"]),
        ("transfers_from: nvidia-kepler", ["transfers_from", "nvidia-kepler"]),
    ])
    func aStackTransfersFromAKnownGenerationOnly(keys: String, named: [String]) throws {
        let stack = "name: my-stack\nchips: [h100-sxm]\n" + keys
        let refused = Self.run(
            "catalog",
            "stacks",
            "--catalog",
            try Self.userCatalog("stacks/my-stack.yaml", stack).path
        )
        #expect(refused.status != 0)
        #expect(named.allSatisfy { refused.error.contains($0) })
    }

    @Test func aStackTransferringFromAKnownGenerationIsListed() throws {
        let good = "name: my-stack\nchips: [h100-sxm]\nsoftware: [mine]\ntransfers_from: nvidia-ampere"
        let listed = Self.run(
            "catalog",
            "stacks",
            "--catalog",
            try Self.userCatalog("stacks/my-stack.yaml", good).path,
            "--format",
            "json"
        )
        #expect(listed.status == 0)
        #expect(listed.output.contains("my-stack") && listed.output.contains("gemm_efficiency_bf16"))
    }
}

extension CommandTests {
    @Test func compareRunsOneScenarioOnSeveralSystems() throws {
        let scenario = """
            id: c
            model: llama-3.1-70b
            system: {chip: h100-sxm, chips: 8, node: hgx-h100}
            workload: {kind: serving, input_tokens: 1024, output_tokens: 1024, weights_precision: fp8, tpot_slo_ms: 30}
            """
        let path = try Self.write(scenario, name: "c.yaml")
        let result = Self.run("compare", path, "--systems", "hgx-h100,hgx-h200,cloudmatrix-384", "--format", "json")
        #expect(result.status == 0, "\(result.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let systems = try #require(json["systems"] as? [[String: Any]])
        #expect(systems.count == 3)
        // The first system matches itself with its own chips.
        #expect(systems[0]["chips_to_match_first"] as? Double == 8)
        // H200's larger, faster HBM serves at least as much per chip under the same objective.
        let h100 = try #require(systems[0]["rate_per_chip"] as? Double)
        let h200 = try #require(systems[1]["rate_per_chip"] as? Double)
        #expect(h200 >= h100)
        // Every system reports its export-control standing, predicted or not.
        #expect((systems[2]["export_control"] as? [Any])?.isEmpty == false)
    }

    @Test func compareNeedsKnownSystems() throws {
        let path = try Self.write(
            "id: c\nmodel: llama-3.1-8b\nsystem: {chip: h100-sxm, chips: 1}\nworkload: {kind: serving, input_tokens: 100, output_tokens: 100}\n",
            name: "c.yaml"
        )
        #expect(Self.run("compare", path, "--systems", "hgx-h999").status == 2)
    }
}

extension CommandTests {
    @Test func servingSearchReturnsAParetoFrontAndABestPlanMeetingTheObjectives() throws {
        let scenario = """
            id: s
            model: deepseek-v3
            system: {chip: h200, chips: 16, node: hgx-h200}
            workload: {kind: serving, input_tokens: 4000, output_tokens: 1000, weights_precision: fp8, ttft_slo_ms: 2000, tpot_slo_ms: 50}
            """
        let result = Self.run("search", try Self.write(scenario, name: "s.yaml"), "--format", "json")
        #expect(result.status == 0, "\(result.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let front = try #require(json["pareto_front"] as? [[String: Any]])
        #expect(front.count >= 2)
        func number(_ point: [String: Any], _ key: String) -> Double { point[key] as? Double ?? .nan }
        // Along the front, more throughput per chip costs speed per user.
        for (a, b) in zip(front, front.dropFirst()) {
            #expect(number(a, "output_tokens_per_s_per_user") >= number(b, "output_tokens_per_s_per_user"))
            #expect(number(a, "output_tokens_per_s_per_chip") <= number(b, "output_tokens_per_s_per_chip"))
        }
        let best = try #require(json["best"] as? [String: Any])
        #expect(number(best, "tpot_ms") <= 50)
        #expect(number(best, "ttft_ms") <= 2_000)
    }

    @Test func trainingSearchListsFittingPlansFastestFirst() throws {
        let scenario = """
            id: t
            model: llama-3.1-8b
            system: {chip: h100-sxm, chips: 16, node: hgx-h100}
            workload: {kind: training, sequence_length: 8192, global_batch: 256, precision: bf16}
            """
        let result = Self.run("search", try Self.write(scenario, name: "t.yaml"), "--format", "json", "--top", "5")
        #expect(result.status == 0, "\(result.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let plans = try #require(json["plans"] as? [[String: Any]])
        #expect(plans.count == 5)
        let times = plans.compactMap { $0["step_time_s"] as? Double }
        #expect(times == times.sorted())
        for plan in plans {
            let width = ["tp", "cp", "pp", "dp"].compactMap { plan[$0] as? Int }.reduce(1, *)
            #expect(width == 16)
        }
    }
}

extension CommandTests {
    @Test func sensitivityNamesTheSpecThatMovesTheResultMost() throws {
        let scenario = """
            id: s
            model: llama-3.1-70b
            system: {chip: h100-sxm, chips: 4, node: hgx-h100}
            workload: {kind: serving, input_tokens: 1024, output_tokens: 1024, weights_precision: fp8, concurrency: 1}
            plan: {serving: {chips: 4, tp: 4}}
            """
        let path = try Self.write(scenario, name: "s.yaml")
        let result = Self.run("compare", path, "--systems", "hgx-h100", "--sensitivity", "--format", "json")
        #expect(result.status == 0, "\(result.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let system = try #require((json["systems"] as? [[String: Any]])?.first)
        let sensitivity = try #require(system["sensitivity"] as? [[String: Any]])
        // One sequence of a 70B model streams its weights every token: bandwidth binds, not FLOPs.
        #expect((sensitivity.first?["spec"] as? String) == "+10% HBM bandwidth")
        let compute = sensitivity.first { ($0["spec"] as? String)?.contains("compute") == true }
        #expect(((compute?["rate_change"] as? Double) ?? 1) < 0.02)
    }
}

extension CommandTests {
    static let servingScenario = """
        id: h
        model: llama-3.1-70b
        system: {chip: h100-sxm, chips: 8, node: hgx-h100}
        workload: {kind: serving, input_tokens: 1024, output_tokens: 1024, weights_precision: fp8, tpot_slo_ms: 30}
        """

    @Test func compareAsHTMLIsOnePageWithAChartPerMeasure() throws {
        let path = try Self.write(Self.servingScenario, name: "h.yaml")
        let result = Self.run("compare", path, "--systems", "hgx-h100,hgx-h200", "--format", "html")
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.hasPrefix("<!DOCTYPE html>"))
        #expect(result.output.hasSuffix("</html>\n"))
        // Rate per chip, per dollar, per kilojoule, chips to match and the decode steps side by side:
        // five charts, then the table.
        #expect(result.output.components(separatedBy: "<svg ").count - 1 == 5)
        #expect(result.output.contains("Where each system's decode step goes"))
        #expect(result.output.contains("<td>hgx-h200</td>"))
        // Self-contained: nothing is fetched from elsewhere.
        #expect(!result.output.contains("<script src") && !result.output.contains("<link"))
        // A system whose rate has a band gets an error bar on the rate chart (Ascend A3 rests on
        // low-confidence parameters).
        let banded = Self.run("compare", path, "--systems", "h800,ascend-910c", "--format", "html")
        #expect(banded.output.contains("stroke=\"#222\""))
    }

    @Test func searchAndRunAsHTMLDrawTheFrontAndTheStepBreakdown() throws {
        let search = Self.run("search", try Self.write(Self.servingScenario, name: "h.yaml"), "--format", "html")
        #expect(search.status == 0, "\(search.error)")
        #expect(search.output.contains("<polyline"))
        #expect(search.output.contains("<circle"))
        let training = """
            id: t
            model: llama-3.1-8b
            system: {chip: h100-sxm, chips: 16, node: hgx-h100}
            workload: {kind: training, sequence_length: 8192, global_batch: 256, precision: bf16}
            plan: {training: {tp: 1, pp: 1, dp: 16, micro_batch: 1}}
            """
        let run = Self.run("run", try Self.write(training, name: "t.yaml"), "--format", "html")
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("Where the step time goes"))
        #expect(run.output.contains("<title>gemm:"))
    }
}

extension CommandTests {
    @Test func compareTakesItsSystemsFromTheScenarioAndChecksThem() throws {
        let base = """
            id: c
            model: llama-3.1-70b
            system: {chip: h100-sxm, chips: 8, node: hgx-h100}
            workload: {kind: serving, input_tokens: 1024, output_tokens: 1024, weights_precision: fp8, tpot_slo_ms: 30}

            """
        let listed = Self.run(
            "compare",
            try Self.write(base + "compare: {systems: [hgx-h100, hgx-h200]}\n", name: "c.yaml"),
            "--format",
            "json"
        )
        #expect(listed.status == 0, "\(listed.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [String: Any])
        #expect(
            (json["systems"] as? [[String: Any]])?.compactMap { $0["system"] as? String } == ["hgx-h100", "hgx-h200"]
        )

        let unknown = Self.run(
            "compare",
            try Self.write(base + "compare: {systems: [hgx-h100, hgx-h999]}\n", name: "c.yaml")
        )
        #expect(unknown.status == 2)
        #expect(unknown.error.contains("compare.systems[1]"))

        let none = Self.run("compare", try Self.write(base, name: "c.yaml"))
        #expect(none.status == 2)
        #expect(none.error.contains("--systems"))
    }

    @Test func aTrainingSearchWithNoPlanSaysWhy() throws {
        // The A800 has no sourced scale-out bandwidth, so no plan over 128 chips (16 nodes of 8) can be estimated.
        let scenario = """
            id: t
            model: llama-3.1-8b
            system: {chip: a800, chips: 128}
            workload: {kind: training, sequence_length: 8192, global_batch: 256, precision: bf16}
            """
        let result = Self.run("search", try Self.write(scenario, name: "t.yaml"))
        #expect(result.status == 1)
        #expect(result.error.contains("could not be estimated"))
        #expect(result.error.contains("scale-out"))
    }
}

extension CommandTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func shardsMergeToTheUnshardedReport() throws {
        let folder = Self.repository.appendingPathComponent("validation/training").path
        let whole = Self.run("validate", folder, "--format", "json")
        #expect(whole.status == 0, "\(whole.error)")
        var shardFiles: [String] = []
        var shardCaseCounts: [Int] = []
        for index in 0..<3 {
            let shard = Self.run("validate", folder, "--shard", "\(index)/3", "--format", "json")
            #expect(shard.status == 0, "\(shard.error)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(shard.output.utf8)) as? [String: Any])
            shardCaseCounts.append((json["cases"] as? [Any])?.count ?? 0)
            shardFiles.append(try Self.write(shard.output, name: "shard-\(index).json"))
        }
        // Every shard has work, and no case is lost or counted twice.
        #expect(shardCaseCounts.allSatisfy { $0 > 0 })
        let merged = Self.run(["merge"] + shardFiles + ["--format", "json"])
        #expect(merged.status == 0, "\(merged.error)")
        let a = try #require(try JSONSerialization.jsonObject(with: Data(whole.output.utf8)) as? [String: Any])
        let b = try #require(try JSONSerialization.jsonObject(with: Data(merged.output.utf8)) as? [String: Any])
        #expect((a["cases"] as? [Any])?.count == shardCaseCounts.reduce(0, +))
        #expect((b["cases"] as? [Any])?.count == shardCaseCounts.reduce(0, +))
        let summaryA = try #require(a["summary"] as? NSDictionary)
        let summaryB = try #require(b["summary"] as? NSDictionary)
        #expect(summaryA == summaryB)
    }

    @Test func badShardsAndBadMergeInputExitTwo() throws {
        let folder = Self.repository.appendingPathComponent("validation/training").path
        for bad in ["3/3", "-1/2", "1", "a/b", "0/0"] {
            let result = Self.run("validate", folder, "--shard", bad)
            #expect(result.status == 2, "\(bad)")
        }
        let file = try Self.write(
            "{\"cases\": [{\"id\": \"x\", \"metric\": \"mfu\", \"expected\": \"high\"}]}",
            name: "m.json"
        )
        let result = Self.run("merge", file)
        #expect(result.status == 2)
        #expect(result.error.contains("cases[0].expected"))
    }
}

extension CommandTests {
    static var exampleFiles: [String] {
        let folder = repository.appendingPathComponent("examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { folder.appendingPathComponent($0).path }
    }

    /// The README's main command and its siblings: every example compares its listed systems, and at
    /// least the reference and the Ascend system get a prediction.
    @Test(arguments: exampleFiles) func everyExampleCompares(path: String) throws {
        let result = Self.run("compare", path, "--format", "json")
        #expect(result.status == 0, "\(result.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let systems = try #require(json["systems"] as? [[String: Any]])
        let file = try ScenarioFile.load(path: path, catalog: try Catalog.embedded())
        #expect(systems.count == file.compareSystems.count)
        let predicted = systems.filter { $0["rate_per_chip"] is Double }.compactMap { $0["system"] as? String }
        #expect(predicted.contains("hgx-h800"))
        if path.contains("serving") {
            // The README's main job, asked plainly (no plan, no precision): every system with a stack
            // is answered, Ascend 910C (CloudMatrix 384) included, each on a searched plan with its band.
            #expect(predicted.contains("cloudmatrix-384"))
            #expect(predicted.contains("gb300-nvl72") && predicted.contains("hgx-h20"))
            for row in systems where row["rate_per_chip"] is Double {
                let band = try #require(row["rate_band"] as? [String: Double])
                let rate = try #require(row["rate_per_chip"] as? Double)
                #expect((band["low"] ?? .infinity) <= rate && rate <= (band["high"] ?? 0))
            }
        } else if !predicted.contains("cloudmatrix-384") {
            // Elsewhere a system may miss the workload's objective; then the output says why.
            let ascend = systems.first { $0["system"] as? String == "cloudmatrix-384" }
            #expect(((ascend?["reason"] as? String) ?? "").isEmpty == false)
        }
        // The lower-confidence inputs listed are ones this kind of workload uses.
        let training = path.contains("training")
        let listed = result.output
        #expect(!listed.contains(training ? "decode_step_overhead" : "gradient_overlap"))
        // Expert imbalance is a serving input (the balancer is taken as on when unstated), never training's.
        if training { #expect(!listed.contains("expert_imbalance")) }
    }

    @Test func theExamplesAreThere() { #expect(Self.exampleFiles.count >= 4) }
}

extension CommandTests {
    @Test func servingSearchAlsoSplitsPrefillAndDecodePools() throws {
        let scenario = """
            id: s
            model: deepseek-v3
            system: {chip: h200, chips: 32, node: hgx-h200}
            workload: {kind: serving, input_tokens: 4000, output_tokens: 1000, weights_precision: fp8, ttft_slo_ms: 2000, tpot_slo_ms: 50}
            """
        let result = Self.run("search", try Self.write(scenario, name: "s.yaml"), "--format", "json")
        #expect(result.status == 0, "\(result.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let front = try #require(json["pareto_front"] as? [[String: Any]])
        let split = front.filter { $0["mode"] as? String == "disaggregated" }
        #expect(!split.isEmpty)
        for point in split {
            let pool = try #require(point["prefill_pool"] as? [String: Any])
            let prefillChips = try #require(pool["chips"] as? Int)
            let decodeChips = try #require(point["decode_chips"] as? Double)
            // The pools share the system's chips, in whole 8-GPU nodes.
            #expect(prefillChips + Int(decodeChips) == 32)
            #expect(prefillChips % 8 == 0)
            // Prefill passes stay within the TTFT objective.
            #expect((point["ttft_ms"] as? Double ?? 9_999) <= 2_000)
            // Output per chip is bounded by what the decode pool alone generates, spread over all chips.
            let tpot = try #require(point["tpot_ms"] as? Double) / 1_000
            let batch = try #require(point["batch_per_group"] as? Int)
            let dp = try #require(point["attention_dp"] as? Int)
            let generated = Double(batch * dp) / tpot / 32
            #expect((point["output_tokens_per_s_per_chip"] as? Double ?? .infinity) <= generated * 1.000_001)
        }
    }
}

extension CommandTests {
    @Test func aServingRunBreaksTheDecodeStepIntoOps() throws {
        let result = Self.run("run", try Self.write(Self.servingScenario, name: "h.yaml"), "--format", "json")
        #expect(result.status == 0, "\(result.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let parts = try #require(json["decode_step_breakdown_s"] as? [String: Double])
        let ops = try #require(json["decode_step_ops"] as? [[String: Any]])
        let names = ops.compactMap { $0["name"] as? String }
        #expect(names.contains("attention projections") && names.contains("dense MLP") && names.contains("LM head"))
        // The ops' times are the compute parts of the step (GEMMs, attention, element-wise, head), not more.
        let opTime = ops.compactMap { $0["time_s"] as? Double }.reduce(0, +)
        let computeParts = ["dense_gemm", "expert_gemm", "attention", "elementwise", "lm_head"].compactMap {
            parts[$0]
        }.reduce(0, +)
        #expect(abs(opTime - computeParts) <= computeParts * 1e-9)
        // Decode attention reads the whole GQA cache for a few FLOPs per byte: memory-bound, while the
        // large batch that meets a 30 ms TPOT reuses each MLP weight hundreds of times.
        let attention = try #require(ops.first { $0["name"] as? String == "attention core (decode)" })
        #expect(attention["bound"] as? String == "memory bandwidth")
        #expect((attention["flops_per_byte"] as? Double ?? 99) < 20)
        let mlp = try #require(ops.first { $0["name"] as? String == "dense MLP" })
        #expect((mlp["flops_per_byte"] as? Double ?? 0) > 200)
        let html = Self.run("run", try Self.write(Self.servingScenario, name: "h.yaml"), "--format", "html")
        #expect(html.output.contains("Roofline"))
    }
}

extension CommandTests {
    /// The README's per-case training table is the output of `validate --format markdown`, so it
    /// cannot drift from the model. RECORD_SNAPSHOTS=1 rewrites it.
    @Test func theReadmeTrainingTableIsCurrent() throws {
        let readme = Self.repository.appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let begin = "<!-- training-cases:begin -->\n"
        let end = "<!-- training-cases:end -->"
        let start = try #require(text.range(of: begin))
        let stop = try #require(text.range(of: end, range: start.upperBound..<text.endIndex))
        let current = Self.run(
            "validate",
            Self.repository.appendingPathComponent("validation/training").path,
            "--format",
            "markdown"
        )
        #expect(current.status == 0)
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try (text[..<start.upperBound] + current.output + text[stop.lowerBound...])
                .write(to: readme, atomically: true, encoding: .utf8)
            return
        }
        #expect(
            String(text[start.upperBound..<stop.lowerBound]) == current.output,
            "README's training table is stale: rerun with RECORD_SNAPSHOTS=1"
        )
    }
}

extension CommandTests {
    @Test func validateKeepsOneMetricWhenAsked() throws {
        let folder = Self.repository.appendingPathComponent("validation/training").path
        let result = Self.run("validate", folder, "--metric", "mfu", "--format", "json")
        #expect(result.status == 0, "\(result.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let cases = try #require(json["cases"] as? [[String: Any]])
        #expect(!cases.isEmpty)
        #expect(cases.allSatisfy { $0["metric"] as? String == "mfu" })
        let unknown = Self.run("validate", folder, "--metric", "no_such_metric")
        #expect(unknown.status == 2)
        #expect(unknown.error.contains("--metric"))
    }

    @Test func longSequencesAreSearchedWithContextParallelism() throws {
        let scenario = """
            id: t
            model: llama-3.1-70b
            system: {chip: h100-sxm, chips: 64, node: hgx-h100}
            workload: {kind: training, sequence_length: 131072, global_batch: 8, precision: bf16}
            """
        let result = Self.run("search", try Self.write(scenario, name: "t.yaml"), "--format", "json", "--top", "3")
        #expect(result.status == 0, "\(result.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let plans = try #require(json["plans"] as? [[String: Any]])
        // 128K-token sequences with 8 of them per step: the fastest plans that fit split sequences.
        #expect(!plans.isEmpty)
        #expect(plans.allSatisfy { ($0["cp"] as? Int ?? 1) > 1 })
    }
}

extension CommandTests {
    @Test func trainingSearchAcrossChipCountsGivesTheTimeAndCostFront() throws {
        let scenario = """
            id: t
            model: llama-3.1-8b
            system: {chip: h100-sxm, chips: 16, node: hgx-h100}
            workload: {kind: training, sequence_length: 8192, global_batch: 256, precision: bf16, tokens: 1.0e+12}
            """
        let path = try Self.write(scenario, name: "t.yaml")
        let result = Self.run("search", path, "--chips", "64,16,32", "--format", "json")
        #expect(result.status == 0, "\(result.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let rows = try #require(json["chip_counts"] as? [[String: Any]])
        #expect(rows.compactMap { $0["chips"] as? Int } == [16, 32, 64])
        let days = rows.compactMap { $0["days"] as? Double }
        let hours = rows.compactMap { $0["chip_hours"] as? Double }
        #expect(days.count == 3 && hours.count == 3)
        // More chips finish sooner; days x chips x 24 is the chip-hours.
        #expect(days == days.sorted(by: >))
        for (row, (d, h)) in zip(rows, zip(days, hours)) {
            #expect(abs(d * 24 * Double(row["chips"] as? Int ?? 0) - h) <= h * 1e-9)
        }
        // The fastest count is never dominated.
        #expect(rows.last?["on_front"] as? Bool == true)
        #expect(Self.run("search", path, "--chips", "0,16").status == 2)
    }
}

extension CommandTests {
    @Test func expertParallelismDividesTheRanksItSpans() throws {
        // 192 chips: 192 data-parallel ranks are a multiple of 64 experts per group, not of 128 or 256.
        let scenario = """
            id: t
            model: deepseek-v3
            system: {chip: h800, chips: 192, node: hgx-h800}
            workload: {kind: training, sequence_length: 4096, global_batch: 1536, precision: fp8}
            """
        let result = Self.run("search", try Self.write(scenario, name: "t.yaml"), "--format", "json", "--top", "200")
        #expect(result.status == 0, "\(result.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let plans = try #require(json["plans"] as? [[String: Any]])
        #expect(!plans.isEmpty)
        for plan in plans {
            let ranks = ["dp", "cp", "tp"].compactMap { plan[$0] as? Int }.reduce(1, *)
            let ep = plan["ep"] as? Int ?? 1
            #expect(ranks % ep == 0, "ep \(ep) over \(ranks) ranks")
            // ZeRO-3 is not offered with pipeline parallelism.
            if (plan["pp"] as? Int ?? 1) > 1 { #expect(plan["zero"] as? Int != 3) }
        }
    }

    @Test func mergeRefusesAnIncompleteOrRepeatedSetOfShards() throws {
        let folder = Self.repository.appendingPathComponent("validation/training").path
        var files: [String] = []
        for index in 0..<2 {
            let shard = Self.run("validate", folder, "--shard", "\(index)/2", "--format", "json")
            files.append(try Self.write(shard.output, name: "s\(index).json"))
        }
        let repeated = Self.run("merge", files[0], files[0], files[1])
        #expect(repeated.status == 2)
        #expect(repeated.error.contains("shard.index"))
        let incomplete = Self.run("merge", files[0])
        #expect(incomplete.status == 2)
        #expect(incomplete.error.contains("1/2"))
        #expect(Self.run("merge", files[0], files[1]).status == 0)
    }
}

extension CommandTests {
    @Test func aClosedLoopBenchmarkIsLimitedByItsRequestsInFlight() throws {
        let base = """
            id: h
            model: llama-3.1-70b
            system: {chip: h100-sxm, chips: 8, node: hgx-h100}
            plan: {serving: {chips: 8, tp: 2}}
            workload: {kind: serving, input_tokens: 1024, output_tokens: 1024, weights_precision: fp8, concurrency: 1}
            """
        let result = Self.run("run", try Self.write(base, name: "h.yaml"), "--format", "json")
        #expect(result.status == 0, "\(result.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let m = try #require(json["metrics"] as? [String: Double])
        let tpot = try #require(m["tpot_ms"]) / 1_000
        let ttft = try #require(m["ttft_ms"]) / 1_000
        let rate = try #require(m["output_tokens_per_s_per_chip"])
        // One request at a time over 8 chips: 1,024 tokens every TTFT + 1,024 TPOTs, shared by 8 chips,
        // even though the layout has 4 attention-DP groups that could each hold a sequence.
        #expect(abs(rate - 1_024 / (ttft + 1_024 * tpot) / 8) <= rate * 1e-9)
        let decode = try #require(m["decode_tokens_per_s_per_chip"])
        #expect(abs(decode - 1 / tpot / 8) <= decode * 1e-9)
    }
}

extension CommandTests {
    @Test func aTrainingSearchSaysWhatPrecisionItAssumed() throws {
        let scenario = """
            id: t
            model: llama-3.1-8b
            system: {chip: h100-sxm, chips: 8, node: hgx-h100}
            workload: {kind: training, sequence_length: 8192, global_batch: 64}
            """
        let result = Self.run("search", try Self.write(scenario, name: "t.yaml"), "--top", "1")
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("workload.precision not stated: bf16 assumed."))
    }
}

extension CommandTests {
    /// A search has a budget: past it an even sample is weighed and the output says so.
    @Test func aSearchBeyondItsBudgetSaysSo() throws {
        let path = Self.repository.appendingPathComponent("examples/deepseek-v3-training.yaml").path
        let budgeted = Self.run("search", path, "--max-plans", "50")
        #expect(budgeted.status == 0, "\(budgeted.error)")
        #expect(budgeted.output.contains("more than the budget of 50"))
        #expect(Self.run("search", path, "--top", "0").status == 2)
        #expect(Self.run("search", path, "--max-plans", "0").status == 2)
    }
}
