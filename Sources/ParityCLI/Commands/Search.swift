import ArgumentParser
import ParityCatalog
import ParityCore
import ParityReport

struct Search: RenderingCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search the plans of a scenario's workload: the legal ones that fit, the Pareto front, the best.",
        discussion: """
            Serving: aggregated instances over attention tensor/data parallelism, expert or tensor-parallel \
            experts and batches 1, 2, 4, ... up to the cache limit; the Pareto front of output tokens/s per chip \
            against tokens/s per user, and the best plan under the TPOT and TTFT objectives. Training: \
            TP, PP, EP, recomputation; the fastest plans that fit.
            """
    )

    @Argument(help: "A scenario YAML file.")
    var scenario: String

    @Option(help: "How many training plans to list.")
    var top: Int = 10

    @Option(
        help: ArgumentHelp(
            "Training only: the most plans to weigh; beyond it an even sample of the legal plans is, and the output says so.",
            valueName: "n"
        )
    )
    var maxPlans: Int = TrainingPlanSearch.defaultMaximumPlans

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1, found \(top).") }
        guard maxPlans >= 1, maxPlans <= 10_000_000 else {
            throw ValidationError("--max-plans must be from 1 to 10,000,000, found \(maxPlans).")
        }
    }

    @Option(
        help: ArgumentHelp(
            "Training only: also try these chip counts, each at its best plan, for the front of time against chip-hours and cost.",
            valueName: "n,n,..."
        )
    )
    var chips: String?

    @Option(help: "Output format: table, json, csv, markdown or html (a page with charts).")
    var format: OutputFormat = .table

    @OptionGroup var catalogOptions: CatalogOptions

    mutating func render() throws -> String {
        let catalog = try catalogOptions.load()
        let file = try ScenarioFile.load(path: scenario, catalog: catalog)
        let table: Table
        let value: ReportValue
        let html: String
        do {
            if case .training = file.scenario.workload, let chips {
                (table, value, html) = try trainingScale(file, counts: try Self.counts(chips), catalog: catalog)
            } else if case .training = file.scenario.workload {
                (table, value, html) = try training(file, catalog: catalog)
            } else {
                (table, value, html) = try serving(file, catalog: catalog)
            }
        } catch let error as EstimationError {
            throw PredictionError("\(scenario): \(error.message)")
        }
        switch format {
        case .json: return value.json() + "\n"
        case .table: return table.render()
        case .csv: return table.csv()
        case .markdown: return table.markdown()
        case .html: return html
        }
    }

    func serving(_ file: ScenarioFile, catalog: Catalog) throws -> (Table, ReportValue, String) {
        let result = try file.servingSearch(catalog: catalog)
        func row(_ p: ServingPlanSearch.Point, _ mark: String) -> [String] {
            let pools =
                p.prefill.map { f in
                    "P \(f.chips): TP\(f.attentionTP) x DP\(f.attentionDP) \(f.expertParallel > 1 ? "EP\(f.expertParallel)" : "TP"), \(f.promptsPerGroup) prompts/pass | D \(p.decodeChips ?? 0)"
                } ?? "aggregated"
            return [
                mark, pools, "TP\(p.attentionTP) x DP\(p.attentionDP)",
                p.expertParallel > 1 ? "EP\(p.expertParallel)" : "TP",
                String(p.batch), formatNumber(p.tpot.value * 1_000, decimals: 2),
                formatNumber(p.ttft.value * 1_000, decimals: 1),
                formatNumber(p.throughputPerChip, decimals: 1), formatNumber(p.throughputPerUser, decimals: 1),
            ]
        }
        var rows = result.front.map { row($0, $0 == result.best ? "best" : "front") }
        if let best = result.best, !result.front.contains(best) { rows.append(row(best, "best")) }
        var notes = result.notes
        notes.append("\(result.points.count) plans fit; \(result.front.count) on the Pareto front.")
        if result.best == nil { notes.append("No plan meets the latency objectives.") }
        let table = Table(
            title: "\(file.scenario.id): serving plans on \(file.scenario.system.chips) x \(file.chip.name)",
            columns: [
                "", "pools (prefill | decode chips)", "attention", "experts", "batch/group", "TPOT ms", "TTFT ms",
                "tok/s/chip", "tok/s/user",
            ],
            alignments: [.left, .left, .left, .left, .right, .right, .right, .right, .right],
            rows: rows,
            footnotes: notes
        )
        func value(_ p: ServingPlanSearch.Point) -> ReportValue {
            .object([
                .init("mode", .string(p.isDisaggregated ? "disaggregated" : "aggregated")),
                .init(
                    "prefill_pool",
                    p.prefill.map { f in
                        .object([
                            .init("chips", .integer(f.chips)), .init("attention_tp", .integer(f.attentionTP)),
                            .init("attention_dp", .integer(f.attentionDP)), .init("ep", .integer(f.expertParallel)),
                            .init("prompts_per_group", .integer(f.promptsPerGroup)),
                        ])
                    } ?? .null
                ),
                .init("decode_chips", .optional(p.decodeChips.map(Double.init))),
                .init("attention_tp", .integer(p.attentionTP)), .init("attention_dp", .integer(p.attentionDP)),
                .init("ep", .integer(p.expertParallel)), .init("batch_per_group", .integer(p.batch)),
                .init("tpot_ms", .number(p.tpot.value * 1_000)), .init("ttft_ms", .number(p.ttft.value * 1_000)),
                .init("output_tokens_per_s_per_chip", .number(p.throughputPerChip)),
                .init("output_tokens_per_s_per_user", .number(p.throughputPerUser)),
            ])
        }
        return (
            table,
            .object([
                .init("id", .string(file.scenario.id)), .init("evaluated", .integer(result.points.count)),
                .init("pareto_front", .array(result.front.map(value))), .init("best", result.best.map(value) ?? .null),
                .init("notes", .array(result.notes.map(ReportValue.string))),
            ]),
            HTMLReports.servingSearch(
                table,
                points: result.points.map { (x: $0.throughputPerUser, y: $0.throughputPerChip) },
                front: result.front.map { (x: $0.throughputPerUser, y: $0.throughputPerChip) }
            )
        )
    }

    static func counts(_ text: String) throws -> [Int] {
        let counts = text.split(separator: ",").map { Int($0.filter { $0 != " " }) }
        guard !counts.isEmpty, counts.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ValidationError("--chips takes whole numbers of at least 1, comma-separated, e.g. 1024,2048,4096.")
        }
        return Array(Set(counts.compactMap { $0 })).sorted()
    }

    /// The best plan at each chip count, and the front of run time against chip-hours: more chips
    /// finish sooner but, as scaling loses efficiency, spend more chip-hours (and dollars).
    func trainingScale(_ file: ScenarioFile, counts: [Int], catalog: Catalog) throws -> (Table, ReportValue, String) {
        guard case .training(let workload) = file.scenario.workload, workload.tokens != nil else {
            throw PredictionError(
                "\(scenario): --chips needs workload.tokens, the run's token budget, to give days and chip-hours."
            )
        }
        let price = file.chip.hourlyPriceMidpoint
        var rows: [(chips: Int, best: TrainingEstimate?, reason: String?)] = []
        for count in counts {
            var variant = file
            variant.scenario.system.chips = count
            do {
                rows.append((count, try variant.trainingSearch(catalog: catalog).ranked.first, nil))
            } catch let error as EstimationError {
                rows.append((count, nil, error.message))
            }
        }
        let done = rows.compactMap { row in
            row.best.flatMap { b in b.days.flatMap { d in b.chipHours.map { (row.chips, d, $0) } } }
        }
        // On the front: no other count is both sooner and cheaper in chip-hours.
        let front = Set(
            done.filter { a in !done.contains { b in b.1 <= a.1 && b.2 <= a.2 && (b.1 < a.1 || b.2 < a.2) } }.map(\.0)
        )
        let table = Table(
            title: "\(file.scenario.id): the run on \(file.chip.name) at \(counts.count) chip counts",
            columns: ["", "chips", "best plan", "step s", "MFU", "days", "chip-hours", "cost"],
            alignments: [.left, .right, .left, .right, .right, .right, .right, .right],
            rows: rows.map { row in
                guard let b = row.best else {
                    return ["", String(row.chips), "none: " + (row.reason ?? ""), "-", "-", "-", "-", "-"]
                }
                return [
                    front.contains(row.chips) ? "front" : "", String(row.chips), Self.label(b.plan),
                    formatNumber(b.stepTime.value, decimals: 2), formatNumber(b.mfu * 100, decimals: 1) + "%",
                    b.days.map { formatNumber($0, decimals: 1) } ?? "-", b.chipHours.map { formatNumber($0) } ?? "-",
                    b.chipHours.flatMap { h in price.map { "$" + formatNumber(h * $0 / 1e6, decimals: 2) + "M" } }
                        ?? "-",
                ]
            },
            footnotes: [
                "front: no other chip count finishes sooner for fewer chip-hours.",
                price == nil
                    ? "No hourly price for \(file.chip.name) in the catalog: cost is not given."
                    : "Cost at the mid-point of \(file.chip.name)'s hourly price range, accelerators alone.",
            ]
        )
        let value = ReportValue.object([
            .init("id", .string(file.scenario.id)),
            .init(
                "chip_counts",
                .array(
                    rows.map { row in
                        .object([
                            .init("chips", .integer(row.chips)), .init("on_front", .bool(front.contains(row.chips))),
                            .init("step_time_s", .optional(row.best?.stepTime.value)),
                            .init("mfu", .optional(row.best?.mfu)), .init("days", .optional(row.best?.days)),
                            .init("chip_hours", .optional(row.best?.chipHours)),
                            .init("cost_usd", .optional(row.best?.chipHours.flatMap { h in price.map { h * $0 } })),
                            .init("plan", .optional(row.best.map { Self.label($0.plan) })),
                            .init("reason", .optional(row.reason)),
                        ])
                    }
                )
            ),
        ])
        let html = HTMLReports.scatter(
            table,
            title: "Days against chip-hours, one point per chip count",
            xLabel: "days",
            yLabel: "chip-hours",
            points: done.map { (x: $0.1, y: $0.2) },
            front: done.filter { front.contains($0.0) }.map { (x: $0.1, y: $0.2) }
        )
        return (table, value, html)
    }

    /// A training plan in one cell: the parallel widths, then schedule, micro-batch and ZeRO stage.
    static func label(_ p: TrainingPlan) -> String {
        var parts = ["TP\(p.tp)"]
        if p.cp > 1 { parts.append("CP\(p.cp)") }
        parts.append("PP\(p.pp)" + (p.vpp > 1 ? "x\(p.vpp)" : ""))
        parts.append("DP\(p.dp)")
        if p.ep > 1 { parts.append("EP\(p.ep)") }
        if p.pp > 1 { parts.append(p.schedule.rawValue) }
        parts.append("mb\(p.microBatch)")
        parts.append("ZeRO-\(p.zero)")
        return parts.joined(separator: " ")
    }

    func training(_ file: ScenarioFile, catalog: Catalog) throws -> (Table, ReportValue, String) {
        let line = ProgressLine()
        defer { line.finish() }
        let result = try file.trainingSearch(
            catalog: catalog,
            maximumPlans: maxPlans,
            progress: line.isActive ? line.update : nil
        )
        let shown = result.ranked.prefix(top)
        let rows = shown.map { e -> [String] in
            let p = e.plan
            return [
                Self.label(p), p.recompute.rawValue,
                formatNumber(e.stepTime.value, decimals: 2),
                formatNumber(e.tokensPerSecondPerChip), formatNumber(e.mfu * 100, decimals: 1) + "%",
                formatNumber(e.memoryPerChip.value / 1_073_741_824, decimals: 1), e.bottleneck,
            ]
        }
        let table = Table(
            title: "\(file.scenario.id): training plans on \(file.scenario.system.chips) x \(file.chip.name)",
            columns: ["plan", "recompute", "step s", "tok/s/chip", "MFU", "GiB/chip", "largest part"],
            alignments: [.left, .left, .right, .right, .right, .right, .left],
            rows: rows,
            footnotes: result.notes + [
                "\(result.evaluated) plans evaluated; \(result.ranked.count) fit; fastest first."
            ]
        )
        let value = ReportValue.object([
            .init("id", .string(file.scenario.id)), .init("evaluated", .integer(result.evaluated)),
            .init(
                "plans",
                .array(
                    shown.map { e in
                        .object([
                            .init("tp", .integer(e.plan.tp)), .init("pp", .integer(e.plan.pp)),
                            .init("dp", .integer(e.plan.dp)), .init("cp", .integer(e.plan.cp)),
                            .init("vpp", .integer(e.plan.vpp)), .init("schedule", .string(e.plan.schedule.rawValue)),
                            .init("micro_batch", .integer(e.plan.microBatch)), .init("zero", .integer(e.plan.zero)),
                            .init("ep", .integer(e.plan.ep)), .init("recompute", .string(e.plan.recompute.rawValue)),
                            .init("step_time_s", .number(e.stepTime.value)),
                            .init("tokens_per_s_per_chip", .number(e.tokensPerSecondPerChip)),
                            .init("mfu", .number(e.mfu)),
                            .init("memory_per_chip_gib", .number(e.memoryPerChip.value / 1_073_741_824)),
                        ])
                    }
                )
            ),
        ])
        let html = HTMLReports.comparison(
            table,
            bars: [
                (
                    title: "Training tokens/s per chip, fastest plans", unit: "tok/s",
                    values: shown.map { e in
                        (
                            Self.label(e.plan) + " " + e.plan.recompute.rawValue,
                            e.tokensPerSecondPerChip
                        )
                    }
                )
            ]
        )
        return (table, value, html)
    }
}
