public import ParityCore

/// Tables and values for a training estimate.
public enum TrainingReport {
    public static func value(
        id: String,
        metrics: [Metric: Double],
        estimate: TrainingEstimate?,
        notes: [String],
        economics: [(name: String, value: Double)] = [],
        servingStep: ServingEstimator.StepBreakdown? = nil,
        prefillPass: ServingEstimator.StepBreakdown? = nil,
        servingPlan: Plan? = nil,
        plansWeighed: Int? = nil,
        bands: [Metric: (low: Double, high: Double)] = [:],
        assumptions: [Assumption] = [],
        percentiles: [(name: String, mean: Double, p50: Double, p90: Double, p99: Double)] = [],
        load: [(name: String, value: Double)] = []
    ) -> ReportValue {
        var fields: [ReportValue.Field] = [
            .init("id", .string(id)),
            .init(
                "metrics",
                .object(metrics.sorted { $0.key < $1.key }.map { .init($0.key.rawValue, .number($0.value)) })
            ),
        ]
        if !bands.isEmpty {
            fields.append(
                .init(
                    "bands",
                    .object(
                        bands.sorted { $0.key < $1.key }.map {
                            .init(
                                $0.key.rawValue,
                                .object([.init("low", .number($0.value.low)), .init("high", .number($0.value.high))])
                            )
                        }
                    )
                )
            )
        }
        if !percentiles.isEmpty {
            fields.append(
                .init(
                    "percentiles",
                    .object(
                        percentiles.map { p in
                            .init(
                                p.name,
                                .object([
                                    .init("mean", .number(p.mean)), .init("p50", .number(p.p50)),
                                    .init("p90", .number(p.p90)), .init("p99", .number(p.p99)),
                                ])
                            )
                        }
                    )
                )
            )
        }
        if !load.isEmpty {
            fields.append(.init("load", .object(load.map { .init($0.name, .number($0.value)) })))
        }
        fields.append(
            .init(
                "assumptions",
                .array(
                    assumptions.map { a in
                        .object([
                            .init("key", .string(a.key)), .init("value", .number(a.value)),
                            .init("low", .optional(a.low)), .init("high", .optional(a.high)),
                            .init("source", .string(a.source)),
                        ])
                    }
                )
            )
        )
        if !economics.isEmpty {
            fields.append(.init("cost_and_energy", .object(economics.map { .init($0.name, .number($0.value)) })))
        }
        if let e = estimate {
            let p = e.plan
            fields.append(
                .init(
                    "plan",
                    .object([
                        .init("tp", .integer(p.tp)), .init("pp", .integer(p.pp)), .init("vpp", .integer(p.vpp)),
                        .init("ep", .integer(p.ep)), .init("dp", .integer(p.dp)), .init("cp", .integer(p.cp)),
                        .init("sequence_parallel", .bool(p.sequenceParallel)), .init("zero", .integer(p.zero)),
                        .init("schedule", .string(p.schedule.rawValue)), .init("micro_batch", .integer(p.microBatch)),
                        .init("recompute", .string(p.recompute.rawValue)),
                    ])
                )
            )
            fields.append(.init("stack", .string(e.stack)))
            fields.append(
                .init("step_breakdown_s", .object(e.breakdown.parts.map { .init($0.name, .number($0.time.value)) }))
            )
            fields.append(
                .init(
                    "hidden_communication_s",
                    .object(e.breakdown.hidden.map { .init($0.name, .number($0.time.value)) })
                )
            )
            fields.append(.init("bottleneck", .string(e.bottleneck)))
            fields.append(.init("fits_in_memory", .bool(e.fits)))
            fields.append(.init("model_flops_per_token", .number(e.modelFLOPsPerToken.value)))
        }
        if let servingPlan {
            fields.append(.init("plan", Self.value(servingPlan, weighed: plansWeighed)))
        }
        for (key, step) in [("decode_step", servingStep), ("prefill_pass", prefillPass)] {
            guard let s = step else { continue }
            fields.append(.init("\(key)_breakdown_s", .object(s.parts.map { .init($0.name, .number($0.time.value)) })))
            fields.append(
                .init(
                    "\(key)_ops",
                    .array(
                        s.ops.map { op in
                            .object([
                                .init("name", .string(op.name)), .init("flops", .number(op.flops)),
                                .init("bytes", .number(op.bytes)), .init("time_s", .number(op.time.value)),
                                .init("flops_per_byte", .optional(op.intensity.isFinite ? op.intensity : nil)),
                                .init("bound", .string(op.computeBound ? "compute" : "memory bandwidth")),
                            ])
                        }
                    )
                )
            )
        }
        fields.append(.init("notes", .array(notes.map(ReportValue.string))))
        return .object(fields)
    }

    /// A serving plan in the scenario format's keys, with whether it was searched.
    static func value(_ plan: Plan, weighed: Int?) -> ReportValue {
        func pool(_ p: Plan.Pool) -> ReportValue {
            let keys: [(String, Int?)] = [
                ("chips", p.chips), ("tp", p.tp), ("pp", p.pp), ("cp", p.cp), ("ep", p.ep),
                ("attention_dp", p.attentionDP), ("batch_per_chip", p.batchPerChip),
                ("batch_per_group", p.batchPerGroup), ("batch_tokens", p.batchTokens),
                ("max_num_tokens", p.maxNumTokens), ("instances", p.instances),
            ]
            return .object(keys.compactMap { key, value in value.map { .init(key, .integer($0)) } })
        }
        var fields: [ReportValue.Field] = [
            .init("mode", .string(plan.serving != nil ? "aggregated" : "disaggregated")),
            .init("searched", .bool(weighed != nil)),
        ]
        if let weighed { fields.append(.init("plans_weighed", .integer(weighed))) }
        for (key, p) in [("serving", plan.serving), ("prefill", plan.prefill), ("decode", plan.decode)] {
            if let p { fields.append(.init(key, pool(p))) }
        }
        return .object(fields)
    }

    public static func table(
        id: String,
        metrics: [Metric: Double],
        estimate: TrainingEstimate?,
        notes: [String],
        economics: [(name: String, value: Double)] = [],
        servingStep: ServingEstimator.StepBreakdown? = nil,
        prefillPass: ServingEstimator.StepBreakdown? = nil,
        bands: [Metric: (low: Double, high: Double)] = [:]
    ) -> Table {
        // A metric whose band has width shows it: "12.5 (10.3 to 17.8)".
        var rows: [[String]] = metrics.sorted { $0.key < $1.key }.map { metric, value in
            guard let band = bands[metric], format(band.low) != format(band.high) else {
                return [metric.rawValue, format(value)]
            }
            return [metric.rawValue, "\(format(value)) (\(format(band.low)) to \(format(band.high)))"]
        }
        rows += economics.map { [$0.name, format($0.value)] }
        if let e = estimate {
            let p = e.plan
            rows.append([
                "plan",
                "tp \(p.tp) pp \(p.pp) vpp \(p.vpp) ep \(p.ep) dp \(p.dp) cp \(p.cp) zero \(p.zero) \(p.schedule.rawValue) mb \(p.microBatch) recompute \(p.recompute.rawValue)",
            ])
            rows.append(["stack", e.stack])
            let total = e.stepTime.value
            for part in e.breakdown.parts where part.time.value > 0 {
                rows.append([
                    "  \(part.name)",
                    formatNumber(part.time.value, decimals: 3) + " s ("
                        + formatNumber(part.time.value / total * 100, decimals: 1)
                        + "%)",
                ])
            }
            for part in e.breakdown.hidden where part.time.value > 0 {
                rows.append(["  \(part.name) (overlapped)", formatNumber(part.time.value, decimals: 3) + " s"])
            }
            rows.append(["bottleneck", e.bottleneck])
            rows.append(["fits in memory", e.fits ? "yes" : "no"])
        }
        for (title, step) in [("decode step, per rank", servingStep), ("prefill pass, per rank", prefillPass)] {
            guard let s = step else { continue }
            let total = s.total.value
            rows.append([title, formatNumber(total * 1_000, decimals: 3) + " ms"])
            for part in s.parts where part.time.value > 0 {
                rows.append([
                    "  \(part.name)",
                    formatNumber(part.time.value * 1_000, decimals: 3) + " ms ("
                        + formatNumber(part.time.value / total * 100, decimals: 1) + "%)",
                ])
            }
            for op in s.ops where op.time.value > 0 {
                let intensity = op.intensity.isFinite ? formatNumber(op.intensity, decimals: 1) + " FLOP/B" : "no bytes"
                rows.append([
                    "  op: \(op.name)",
                    "\(formatNumber(op.flops / 1e9, decimals: 2)) GFLOP, \(formatNumber(op.bytes / 1e6, decimals: 1)) MB, \(intensity), \(formatNumber(op.time.value * 1_000, decimals: 3)) ms, \(op.computeBound ? "compute" : "memory")-bound",
                ])
            }
        }
        return Table(
            title: id,
            columns: ["metric", "value"],
            alignments: [.left, .right],
            rows: rows,
            footnotes: notes.map { "note: \($0)" }
        )
    }

    static func format(_ x: Double) -> String {
        abs(x) >= 100
            ? formatNumber(x, decimals: 1) : abs(x) >= 1 ? formatNumber(x, decimals: 3) : formatNumber(x, decimals: 4)
    }
}
