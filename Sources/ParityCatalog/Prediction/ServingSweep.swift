import Foundation
import ParityCore
public import ParityReport
import ParitySimulation

/// Rows of measured serving sweeps (`serving-sweeps/nvidia-measured.csv` format): each row's
/// deployment is rebuilt and its decode step predicted; rows that do not state a whole deployment,
/// or whose fields contradict each other, are reported as such and left out of the medians.
public enum ServingSweep {
    /// A parsed CSV: header and rows as dictionaries.
    static func parseCSV(_ text: String, file: String) throws(CatalogError) -> [[String: String]] {
        var lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
        guard !lines.isEmpty else { throw CatalogError(file: file, keyPath: "", message: "The CSV file is empty.") }
        let header = fields(lines.removeFirst())
        var rows: [[String: String]] = []
        for (index, line) in lines.enumerated() where !line.isEmpty {
            let values = fields(line)
            guard values.count == header.count else {
                throw CatalogError(
                    file: file,
                    keyPath: "row \(index + 2)",
                    message: "Has \(values.count) fields; the header has \(header.count)."
                )
            }
            rows.append(Dictionary(uniqueKeysWithValues: zip(header, values)))
        }
        return rows
    }

    static func fields(_ line: String) -> [String] {
        var result: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let c = iterator.next() {
            if c == "\"" {
                quoted.toggle()
            } else if c == "," && !quoted {
                result.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        result.append(current)
        return result
    }

    /// The catalog chip and system a sweep's `system` column names.
    static let systems: [String: (chip: String, system: String?)] = [
        "h100_sxm": ("h100-sxm", "hgx-h100"), "h200_sxm": ("h200", "hgx-h200"), "b200_sxm": ("b200", "hgx-b200"),
        "b300_sxm": ("b300", nil), "gb200": ("gb200", "gb200-nvl72"), "gb300": ("gb300", "gb300-nvl72"),
        "a100_sxm": ("a100-80gb", "dgx-a100"),
    ]

    static func precision(_ mode: String) -> (Precision, weightOnly: Bool)? {
        switch mode {
        case "", "bf16", "float16", "fp16": (.bf16, false)
        case "fp8", "fp8_block", "fp8_static": (.fp8, false)
        case "nvfp4": (.nvfp4, false)
        case "mxfp4", "w4a16_mxfp4": (.mxfp4, false)
        case "int4_wo": (.int4, true)
        case "int8_wo": (.int8, true)
        default: nil
        }
    }

    /// A row's model, by its Hugging Face id or the id without instruction-tuning and precision suffixes.
    static func model(_ id: String, catalog: Catalog) -> String? {
        if let entry = catalog.modelEntry(named: id) { return entry.name }
        let name = (id.split(separator: "/").last.map(String.init) ?? id).lowercased()
        var candidates = [name]
        for suffix in ["-instruct", "-fp8", "-nvfp4", "-fp4"] {
            candidates += candidates.map { $0.hasSuffix(suffix) ? String($0.dropLast(suffix.count)) : $0 }
        }
        candidates += candidates.map { "meta-" + $0 }
        for candidate in candidates { if let entry = catalog.modelEntry(named: candidate) { return entry.name } }
        return nil
    }

    /// The number after `_tp`, `_ep`, `_dep` or `_tep` in a row id: the width its name describes.
    static func describedWidth(_ id: String) -> Int? {
        var widths: [Int] = []
        let parts = id.split(separator: "_")
        for part in parts {
            for prefix in ["tep", "dep", "tp", "ep"] where part.hasPrefix(prefix) {
                if let n = Int(part.dropFirst(prefix.count)) { widths.append(n) }
            }
        }
        return widths.max()
    }

    /// Predicts every row's TPOT and reports TTFT apart.
    /// How many data rows the file holds.
    public static func rowCount(path: String) throws(CatalogError) -> Int {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw CatalogError(file: path, keyPath: "", message: "Cannot read the file.")
        }
        return try parseCSV(text, file: path).count
    }

    /// - Parameter keep: which rows (by their 0-based position) to predict, for sharding; all by default.
    public static func validate(
        path: String,
        catalog: Catalog,
        keep: (Int) -> Bool = { _ in true }
    ) throws(CatalogError) -> ValidationReport {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw CatalogError(file: path, keyPath: "", message: "Cannot read the file.")
        }
        var cases: [ValidationReport.Case] = []
        var memo = Memo()
        for (index, row) in try parseCSV(text, file: path).enumerated() where keep(index) {
            cases.append(contentsOf: predict(row: row, catalog: catalog, memo: &memo))
        }
        return ValidationReport(cases: cases)
    }

    /// What rows share: counted models, and the step costs of each deployment, which rows at other
    /// concurrencies of the same deployment reuse.
    struct Memo {
        var models: [String: ModelArchitecture] = [:]
        var costs: [String: CachedStepCost] = [:]
    }

    static func predict(
        row: [String: String],
        catalog: Catalog,
        memo: inout Memo
    ) -> [ValidationReport.Case] {
        let id = row["id"] ?? "?"
        let tpot = Double(row["silicon_tpot_ms"] ?? "")
        let ttft = Double(row["silicon_ttft_ms"] ?? "")
        let backend = row["backend"] ?? "-"
        let systemName = row["system"] ?? "-"
        let modelID = row["model_path"] ?? "-"
        func cases(
            predicted: Double?,
            reason: String?,
            chip: String,
            model: String,
            stack: String,
            ttftPredicted: Double? = nil,
            ttftReason: String? = nil
        ) -> [ValidationReport.Case] {
            func measured(_ metric: String, _ expected: Double?, _ predicted: Double?, _ why: String?)
                -> ValidationReport.Case?
            {
                expected.map {
                    .init(
                        id: id,
                        metric: metric,
                        expected: $0,
                        predicted: predicted,
                        reason: why,
                        lowerBound: false,
                        workload: "serving-sweep",
                        vendor: "NVIDIA",
                        chip: chip,
                        model: model,
                        stack: "\(stack)/\(backend)"
                    )
                }
            }
            var ttftCase = measured("ttft_ms", ttft, ttftPredicted, ttftPredicted == nil ? (ttftReason ?? reason) : nil)
            // The stacks' request_overhead is the median gap of the rows at concurrency 4 or less.
            let concurrency = (Int(row["batch_size"] ?? "") ?? 0) * (Int(row["attention_dp_size"] ?? "") ?? 1)
            if row["mode"] != "disagg", concurrency <= 4 { ttftCase?.inSample = true }
            return [measured("tpot_ms", tpot, predicted, reason), ttftCase].compactMap { $0 }
        }
        guard let target = systems[systemName] else {
            return cases(
                predicted: nil,
                reason: "not expressible: unknown system '\(systemName)'",
                chip: systemName,
                model: modelID,
                stack: "-"
            )
        }
        if memo.models["name:" + modelID] == nil, let resolved = model(modelID, catalog: catalog) {
            memo.models["name:" + modelID] = try? catalog.model(named: resolved)
        }
        guard let modelName = memo.models["name:" + modelID]?.name else {
            return cases(
                predicted: nil,
                reason: "not expressible: model '\(modelID)' is not in the catalog",
                chip: target.chip,
                model: modelID,
                stack: "-"
            )
        }
        let disaggregated = row["mode"] == "disagg"
        let prefix = disaggregated ? "decode_" : ""
        func int(_ key: String) -> Int? { Int(row[prefix + key] ?? "") }
        guard let tp = int("tp_size"), let batch = int("batch_size"), let isl = Int(row["isl"] ?? ""),
            let osl = Int(row["osl"] ?? "")
        else {
            return cases(
                predicted: nil,
                reason:
                    "not expressible: the row does not state the \(disaggregated ? "decode pool's " : "")batch or parallel layout",
                chip: target.chip,
                model: modelName,
                stack: "-"
            )
        }
        let dp = int("attention_dp_size") ?? 1
        let moeTP = int("moe_tp_size") ?? tp * dp
        let moeEP = int("moe_ep_size") ?? 1
        guard tp >= 1, dp >= 1, moeTP >= 1, moeEP >= 1, batch >= 1, isl >= 1, osl >= 1 else {
            return cases(
                predicted: nil,
                reason: "contradictory: a size, batch or length below 1",
                chip: target.chip,
                model: modelName,
                stack: "-"
            )
        }
        let ranks = tp * dp
        if memo.models[modelName] == nil { memo.models[modelName] = try? catalog.model(named: modelName) }
        guard let architecture = memo.models[modelName] else {
            return cases(
                predicted: nil,
                reason: "not expressible: \(modelName) cannot be counted exactly",
                chip: target.chip,
                model: modelName,
                stack: "-"
            )
        }
        let isMoE = architecture.mixtureOfExpertsLayerCount > 0
        if isMoE && moeTP * moeEP != ranks {
            return cases(
                predicted: nil,
                reason: "contradictory: attention tp x dp = \(ranks) but moe tp x ep = \(moeTP * moeEP)",
                chip: target.chip,
                model: modelName,
                stack: "-"
            )
        }
        if isMoE && dp == 1 && moeTP == moeEP && moeTP > 1 && tp == moeTP * moeEP {
            return cases(
                predicted: nil,
                reason:
                    "contradictory: tp \(tp) with moe \(moeTP) x \(moeEP) encodes a \(moeTP)-GPU deployment as \(tp) wide",
                chip: target.chip,
                model: modelName,
                stack: "-"
            )
        }
        if let described = describedWidth(id), ranks > described {
            return cases(
                predicted: nil,
                reason: "contradictory: layout width \(ranks) exceeds the \(described) GPUs the row's name describes",
                chip: target.chip,
                model: modelName,
                stack: "-"
            )
        }
        guard let dense = precision(row["gemm_quant_mode"] ?? ""), let experts = precision(row["moe_quant_mode"] ?? "")
        else {
            return cases(
                predicted: nil,
                reason: "not expressible: unknown quantisation mode",
                chip: target.chip,
                model: modelName,
                stack: "-"
            )
        }
        do {
            let chip = try catalog.chip(named: target.chip)
            let system = try target.system.map { name throws(CatalogError) in try catalog.system(named: name) }
            let (stack, _) = try catalog.stack(for: chip, software: row["backend"])
            // Without FP4 tensor cores (Hopper), FP4 weights are dequantised for BF16 GEMMs.
            let weightOnly = dense.weightOnly || (dense.0.computePrecision == .fp4 && chip.peak(.fp4) == nil)
            let deployment = ServingDeployment(
                ranks: ranks,
                attentionDP: dp,
                moeEP: isMoE ? moeEP : 1,
                moeTP: isMoE ? moeTP : ranks,
                densePrecision: dense.0,
                expertPrecision: experts.0,
                weightOnly: weightOnly,
                kvBytesPerElement: 2
            )
            let estimator = ServingEstimator(
                architecture: architecture,
                chip: chip,
                system: system,
                stack: stack,
                deployment: deployment
            )
            let context = isl + osl / 2
            // Aggregated serving with chunked prefill: each step also carries, on average, isl / osl
            // prompt tokens per sequence in the same pass.
            let promptTokens = disaggregated ? 0 : max(1, Int((Double(batch) * Double(isl) / Double(osl)).rounded()))
            let step = try estimator.mixedStep(
                batch: batch,
                context: context,
                promptTokens: promptTokens,
                promptLength: isl
            ).total
            // TTFT: the row's benchmark replayed request by request (a first burst of `batch` prompts,
            // then a closed loop) under the engine's default scheduler, each step priced as above.
            var ttftPredicted: Double?
            var ttftReason: String?
            if disaggregated {
                ttftReason = "not predicted: TTFT of a disaggregated row (prefill pool, KV transfer) is not modelled"
            } else {
                let key = "\(modelName)|\(chip.name)|\(backend)|\(deployment)"
                let simulated = try simulate(
                    estimator: estimator,
                    cost: &memo.costs[key, default: CachedStepCost(estimator: estimator)],
                    row: row,
                    concurrency: batch,
                    isl: isl,
                    osl: osl
                )
                ttftPredicted = simulated.ttft * 1_000
            }
            return cases(
                predicted: step.value * 1_000,
                reason: nil,
                chip: chip.name,
                model: modelName,
                stack: stack.name,
                ttftPredicted: ttftPredicted,
                ttftReason: ttftReason
            )
        } catch let error as EstimationError {
            return cases(
                predicted: nil,
                reason: "not predicted: \(error.message)",
                chip: target.chip,
                model: modelName,
                stack: "-"
            )
        } catch {
            return cases(
                predicted: nil,
                reason: "not predicted: \(error)",
                chip: target.chip,
                model: modelName,
                stack: "-"
            )
        }
    }

    /// KV-cache tokens one attention-DP rank holds: the stack's usable share of its memory less the
    /// weights, over the cache one token takes. The rows do not record the KV precision; the
    /// capacity is that of an FP8 cache, the most the deployments could have held (the recipes of
    /// quantised models set it), so only the runs that were limited even then queue for memory.
    static func kvCapacity(_ estimator: ServingEstimator, context: Int) -> Int? {
        guard let capacity = estimator.chip.memory.capacity,
            let usable = estimator.stack.value(.usableMemoryFraction)
        else { return nil }
        let free =
            capacity.value / Double(estimator.deployment.ranksPerChip) * usable - estimator.weightBytesPerRank.value
        let bf16 = estimator.cacheBytesPerSequence(context: context).value / Double(max(1, context))
        let perToken = bf16 / estimator.deployment.kvBytesPerElement
        guard free > 0, perToken > 0 else { return nil }
        return Int(min(free / perToken, 1e12))
    }

    /// The client a row was measured with: InferenceX's for its exports, aiconfigurator's AIPerf
    /// template for NVIDIA's gap-analysis runs.
    static func client(_ row: [String: String]) -> BenchmarkClient {
        (row["silicon_data_source"] ?? "").contains("gap-analysis") ? .aiperf : .inferenceX
    }

    /// Mean TTFT of the row's benchmark: a closed loop at `concurrency` per attention-DP rank,
    /// simulated with the engine family's default scheduler.
    static func simulate(
        estimator: ServingEstimator,
        cost: inout CachedStepCost,
        row: [String: String],
        concurrency: Int,
        isl: Int,
        osl: Int
    ) throws(EstimationError) -> (ttft: Double, tpot: Double) {
        // TPOT stays with the averaged step above: replayed with the client's shorter mean lengths it
        // carries fewer prefill chunks per step and came out 0.4 points worse over the sweep.
        try CachedStepCost.probe(estimator, inputTokens: isl)
        let family = SchedulerPolicy.Family.of(row["backend"] ?? "")
        let memory = (estimator.chip.memory.capacity?.value ?? 80 * 1_073_741_824) / 1_073_741_824
        let budget = EngineDefaults.tokenBudget(
            family,
            memoryGiB: memory,
            isA100: estimator.chip.name.hasPrefix("a100"),
            attentionDP: estimator.deployment.attentionDP
        )
        let policy = SchedulerPolicy(
            family: family,
            maxRunning: concurrency,
            tokenBudget: budget,
            kvCapacityTokens: kvCapacity(estimator, context: isl + osl),
            requestOverhead: estimator.stack.value(.requestOverhead) ?? 0
        )
        var simulator = ServingSimulator(policy: policy, cost: cost)
        defer { cost = simulator.cost }
        let client = client(row)
        let load = LoadSpec(
            arrivals: .closedLoop(concurrency: concurrency, requests: concurrency * client.requestsPerSlot),
            inputTokens: isl,
            outputTokens: osl,
            inputLengths: client.inputLengths,
            outputLengths: client.outputLengths
        )
        let result = simulator.run(load)
        guard let ttft = result.ttft, let tpot = result.tpot else {
            throw EstimationError("The simulation served no request.")
        }
        return (ttft.mean, tpot.mean)
    }
}
