import ParityCore

/// Strict decoding of the scenario format (scenarios/SCHEMA.md).
enum ScenarioDecoding {
    static let topLevelKeys = [
        "id", "title", "model", "model_spec", "system", "workload", "plan", "expected", "compare",
    ]

    static func scenario(_ r: inout ObjectReader) throws(CatalogError) -> Scenario {
        let id = try r.string("id")
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw r.error("id", "The id '\(id)' is not a slug.", fix: "Use letters, digits, '-', '_' and '.'.")
        }
        let title = try r.optionalString("title")
        let model = try r.optionalString("model")
        var systemReader = try r.object("system")
        let chips = try systemReader.optionalInteger("chips", minimum: 1)
        var system = Scenario.SystemSpec(
            chip: try systemReader.string("chip"),
            chips: chips ?? 1,
            node: try systemReader.optionalString("node"),
            software: try systemReader.optionalString("software"),
            slices: try systemReader.optionalInteger("slices", minimum: 1)
        )
        // Left out, the count is Parity's to choose (`ScenarioFile.predict` sizes the deployment).
        system.chipsStated = chips != nil
        try systemReader.finish()
        var workloadReader = try r.object("workload")
        let workload = try self.workload(&workloadReader)
        try workloadReader.finish()
        var plan = Plan()
        if var p = try r.optionalObject("plan") {
            plan = try self.plan(&p)
            try p.finish()
        }
        var expected: Expected?
        if var e = try r.optionalObject("expected") {
            expected = try self.expected(&e)
            try e.finish()
        }
        var compareSystems: [String] = []
        if var c = try r.optionalObject("compare") {
            compareSystems = try c.stringList("systems")
            if compareSystems.isEmpty {
                throw c.error(
                    "systems",
                    "Missing or empty.",
                    fix: "List at least one system, e.g. `systems: [hgx-h800]`."
                )
            }
            try c.finish()
        }
        return Scenario(
            id: id,
            title: title,
            model: model,
            system: system,
            workload: workload,
            plan: plan,
            expected: expected,
            compareSystems: compareSystems
        )
    }

    static func workload(_ r: inout ObjectReader) throws(CatalogError) -> Workload {
        let kind = try r.string("kind")
        switch kind {
        case "training":
            var t = Workload.Training()
            t.tokens = try r.optionalNumber("tokens", minimum: 0, exclusiveMinimum: true)
            t.sequenceLength = try r.optionalInteger("sequence_length", minimum: 1)
            t.globalBatch = try r.optionalInteger("global_batch", minimum: 1)
            t.globalBatchTokens = try r.optionalNumber("global_batch_tokens", minimum: 0, exclusiveMinimum: true)
            t.precision = try r.optionalEnum("precision", Precision.self)
            try rejectOther(r, kind: kind, keys: servingKeys)
            return .training(t)
        case "serving":
            var s = Workload.Serving()
            s.inputTokens = try r.optionalInteger("input_tokens", minimum: 1)
            s.outputTokens = try r.optionalInteger("output_tokens", minimum: 1)
            s.decodeContextTokens = try r.optionalInteger("decode_context_tokens", minimum: 1)
            s.cachedInputFraction = try r.optionalNumber("cached_input_fraction", minimum: 0, maximum: 1)
            s.concurrency = try r.optionalInteger("concurrency", minimum: 1)
            s.numRequests = try r.optionalInteger("num_requests", minimum: 1)
            s.requestRatePerSecond = try r.optionalNumber("request_rate_per_s", minimum: 0, exclusiveMinimum: true)
            s.arrival = try r.optionalEnum("arrival", Workload.Arrival.self)
            s.trace = try r.optionalString("trace")
            s.weightsPrecision = try r.optionalEnum("weights_precision", Precision.self)
            s.attentionPrecision = try r.optionalEnum("attention_precision", Precision.self)
            s.kvCachePrecision = try r.optionalEnum("kv_cache_precision", Precision.self)
            s.ttftSLOMilliseconds = try r.optionalNumber("ttft_slo_ms", minimum: 0, exclusiveMinimum: true)
            s.tpotSLOMilliseconds = try r.optionalNumber("tpot_slo_ms", minimum: 0, exclusiveMinimum: true)
            s.sloPercentile = try r.optionalNumber("slo_percentile", minimum: 0, exclusiveMinimum: true, maximum: 100)
            if var spec = try r.optionalObject("speculative") {
                s.speculative = Workload.Speculative(
                    tokens: try spec.optionalInteger("tokens", minimum: 0),
                    acceptance: try spec.optionalNumber("acceptance", minimum: 0, maximum: 1),
                    method: try spec.optionalString("method")
                )
                try spec.finish()
            }
            s.disaggregated = try r.optionalBool("disaggregated")
            s.attentionFFNDisaggregated = try r.optionalBool("attention_ffn_disaggregated")
            try rejectOther(r, kind: kind, keys: trainingKeys)
            return .serving(s)
        default:
            throw r.error("kind", "Unknown workload kind '\(kind)'.", fix: "Use training or serving.")
        }
    }

    static let trainingKeys = ["tokens", "sequence_length", "global_batch", "global_batch_tokens", "precision"]
    static let servingKeys = [
        "input_tokens", "output_tokens", "decode_context_tokens", "cached_input_fraction", "concurrency",
        "num_requests", "request_rate_per_s", "arrival", "trace", "weights_precision", "attention_precision",
        "kv_cache_precision", "ttft_slo_ms",
        "tpot_slo_ms", "slo_percentile", "speculative", "disaggregated", "attention_ffn_disaggregated",
    ]

    /// A serving key in a training workload (or the reverse) is an error, not an unknown key.
    static func rejectOther(_ r: ObjectReader, kind: String, keys: [String]) throws(CatalogError) {
        for key in keys where r.contains(key) {
            throw r.error(key, "This key belongs to the other workload kind, not to \(kind).", fix: "Remove it.")
        }
    }

    static func plan(_ r: inout ObjectReader) throws(CatalogError) -> Plan {
        var plan = Plan()
        if var t = try r.optionalObject("training") {
            var training = Plan.Training()
            training.tp = try t.optionalInteger("tp", minimum: 1)
            training.pp = try t.optionalInteger("pp", minimum: 1)
            training.vpp = try t.optionalInteger("vpp", minimum: 1)
            training.ep = try t.optionalInteger("ep", minimum: 1)
            training.dp = try t.optionalInteger("dp", minimum: 1)
            training.cp = try t.optionalInteger("cp", minimum: 1)
            training.sequenceParallel = try t.optionalBool("sequence_parallel")
            training.zero = try t.optionalInteger("zero", minimum: 0, maximum: 3)
            training.schedule = try t.optionalEnum("schedule", Plan.Schedule.self)
            training.microBatch = try t.optionalInteger("micro_batch", minimum: 1)
            training.recompute = try t.optionalEnum("recompute", Plan.Recompute.self)
            try t.finish()
            plan.training = training
        }
        for key in ["serving", "prefill", "decode"] {
            guard var p = try r.optionalObject(key) else { continue }
            let pool = try self.pool(&p, disaggregated: key != "serving")
            try p.finish()
            switch key {
            case "serving": plan.serving = pool
            case "prefill": plan.prefill = pool
            default: plan.decode = pool
            }
        }
        return plan
    }

    static func pool(_ r: inout ObjectReader, disaggregated: Bool) throws(CatalogError) -> Plan.Pool {
        var pool = Plan.Pool()
        pool.chips = try r.optionalInteger("chips", minimum: 1)
        pool.tp = try r.optionalInteger("tp", minimum: 1)
        pool.pp = try r.optionalInteger("pp", minimum: 1)
        pool.cp = try r.optionalInteger("cp", minimum: 1)
        pool.ep = try r.optionalInteger("ep", minimum: 1)
        pool.attentionDP = try r.optionalInteger("attention_dp", minimum: 1)
        pool.batchPerChip = try r.optionalInteger("batch_per_chip", minimum: 1)
        pool.batchPerGroup = try r.optionalInteger("batch_per_group", minimum: 1)
        pool.maxNumTokens = try r.optionalInteger("max_num_tokens", minimum: 1)
        pool.instances = try r.optionalInteger("instances", minimum: 1)
        pool.ranksPerChip = try r.optionalInteger("ranks_per_chip", minimum: 1)
        pool.redundantExperts = try r.optionalInteger("redundant_experts", minimum: 0)
        pool.sharedExpertReplicas = try r.optionalInteger("shared_expert_replicas", minimum: 0)
        pool.twoBatchOverlap = try r.optionalBool("two_batch_overlap")
        pool.batchTokens = try r.optionalInteger("batch_tokens", minimum: 1)
        if let value = r.node("eplb") {
            switch value {
            case .bool(let b, _): pool.expertBalancing = b ? .enabled : .disabled
            case .string(let s, _) where ["perfect"].contains(s.lowercased()): pool.expertBalancing = .perfect
            case .string(let s, _) where ["default", "on", "true"].contains(s.lowercased()):
                pool.expertBalancing = .enabled
            case .string(let s, _) where ["none", "off", "false"].contains(s.lowercased()):
                pool.expertBalancing = .disabled
            default:
                throw r.error(
                    "eplb",
                    "Expected true, false, default or perfect, found \(value.kindName).",
                    line: value.line
                )
            }
        }
        return pool
    }

    static func expected(_ r: inout ObjectReader) throws(CatalogError) -> Expected {
        var e = Expected()
        e.source = try r.optionalString("source")
        if var m = try r.optionalObject("metrics") {
            for key in m.keys {
                guard let metric = Metric(rawValue: key) else {
                    throw m.error(
                        key,
                        "Unknown metric name.",
                        fix:
                            "Use a metric of SCHEMA.md (\(Metric.allCases.map(\.rawValue).joined(separator: ", "))), or put it under other_metrics."
                    )
                }
                if let value = try m.optionalNumber(key, minimum: 0) { e.metrics[metric] = value }
            }
            try m.finish()
        }
        if var o = try r.optionalObject("other_metrics") {
            for key in o.keys {
                guard let node = o.node(key) else { continue }
                switch node {
                case .integer, .double:
                    e.otherMetrics[key] = .init(value: node.numberValue ?? 0, unit: nil)
                default:
                    var item = try ObjectReader(node, file: o.file, path: "\(o.path).\(key)")
                    let value = try item.number("value")
                    e.otherMetrics[key] = .init(value: value, unit: try item.optionalString("unit"))
                    item.ignore("note", "notes", "source")
                    try item.finish()
                }
            }
        }
        for (i, name) in try r.stringList("lower_bounds").enumerated() {
            guard let metric = Metric(rawValue: name) else {
                throw CatalogError(
                    file: r.file,
                    keyPath: "expected.lower_bounds[\(i)]",
                    message: "Unknown metric '\(name)'.",
                    fix: "Use a metric name of SCHEMA.md."
                )
            }
            e.lowerBounds.append(metric)
        }
        if let precision = try r.optionalString("mfu_precision"), precision != "unstated" {
            guard let p = Precision(rawValue: precision) else {
                throw r.error(
                    "mfu_precision",
                    "Unknown precision '\(precision)'.",
                    fix: "Use unstated or one of: \(Precision.allCases.map(\.rawValue).joined(separator: ", "))."
                )
            }
            e.mfuPrecision = p
        }
        e.attentionFLOPs = try r.optionalEnum("attention_flops", Expected.AttentionFLOPs.self)
        e.flopsIncludeRecompute = try r.optionalBool("flops_include_recompute")
        e.throughputCounts = try r.optionalEnum("throughput_counts", Expected.ThroughputCounts.self)
        e.latencyStatistic = try r.optionalEnum("latency_statistic", Expected.LatencyStatistic.self)
        if let node = r.node("max_concurrency_levels") {
            guard case .array(let items, _) = node, !items.isEmpty else {
                throw r.error(
                    "max_concurrency_levels",
                    "Expected a list of the concurrency levels the sweep tried.",
                    fix: "Give them as whole numbers, for example [32, 64, 128]."
                )
            }
            for (index, item) in items.enumerated() {
                guard case .integer(let level, _) = item, level >= 1 else {
                    throw CatalogError(
                        file: r.file,
                        keyPath: "expected.max_concurrency_levels[\(index)]",
                        line: item.line,
                        message: "Expected a whole number of 1 or more."
                    )
                }
                e.maxConcurrencyLevels.append(level)
            }
            e.maxConcurrencyLevels.sort()
        }
        e.notes = try r.optionalString("notes")
        e.tolerance = try r.optionalNumber("tolerance", minimum: 0, exclusiveMinimum: true)
        return e
    }
}
