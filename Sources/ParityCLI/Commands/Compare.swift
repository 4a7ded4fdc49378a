import ArgumentParser
import ParityCatalog
import ParityCore
import ParityReport

struct Compare: RenderingCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one scenario on several systems and compare them per chip, per dollar and per watt.",
        discussion: """
            Each system runs the scenario's workload with the scenario's chip count (or the count it sizes when \
            the scenario states none) and its own best plan under the objectives, searched where the scenario \
            leaves it open. The first system is the reference for ratios and for how many chips match it. The \
            table keeps the columns a terminal fits; --wide shows them all (JSON and CSV always do).
            """
    )

    @Argument(help: "A scenario YAML file.")
    var scenario: String

    @Option(
        help: ArgumentHelp(
            "Systems to compare, comma-separated catalog names of systems or chips (a chip stands for its largest system in the catalog, e.g. ascend-910c for cloudmatrix-384); default: the scenario's `compare.systems`.",
            valueName: "a,b,..."
        )
    )
    var systems: String?

    @Flag(help: "Also say which spec moves each result most: +10% compute, HBM bandwidth, capacity or links.")
    var sensitivity = false

    @Flag(
        help:
            "Show every column in the table (per system, tokens per kJ, cost, both export rules), not only those a terminal fits."
    )
    var wide = false

    /// The columns of the default table, about 120 characters wide.
    static let narrowColumns = [
        "system", "chip", "chips", "rate", "band", "chips to match", "tokens/$", "latency", "binds",
        "3A090 (2023)",
    ]

    @Option(help: "Output format: table, json, csv, markdown or html (a page with charts).")
    var format: OutputFormat = .table

    @OptionGroup var catalogOptions: CatalogOptions

    func validate() throws {
        if let systems, systems.split(separator: ",").isEmpty {
            throw ValidationError("--systems needs at least one system.")
        }
    }

    mutating func render() throws -> String {
        let catalog = try catalogOptions.load()
        let file = try ScenarioFile.load(path: scenario, catalog: catalog)
        let names =
            systems.map { $0.split(separator: ",").map { String($0.filter { $0 != " " }) } }
            ?? file.compareSystems
        if names.isEmpty {
            throw ValidationError(
                "\(scenario): no systems to compare. Fix: pass --systems a,b,... or list them under `compare: {systems: [...]}` in the scenario."
            )
        }
        let comparison = try Comparison.run(file: file, systems: names, catalog: catalog, sensitivity: sensitivity)
        switch format {
        case .json: return Self.value(comparison).json() + "\n"
        case .table:
            let table = Self.table(comparison)
            return (wide ? table : table.keeping(Self.narrowColumns)).render()
        case .csv: return Self.table(comparison).csv()
        case .markdown: return Self.table(comparison).markdown()
        case .html: return Self.html(comparison)
        }
    }

    static func html(_ c: Comparison) -> String {
        let unit = c.workload == "training" ? "training tokens/s" : "output tokens/s"
        func bars(_ value: (Comparison.Entry) -> Double?) -> [(String, Double)] {
            c.entries.compactMap { e in value(e).map { (e.system.name, $0) } }
        }
        return HTMLReports.comparison(
            table(c),
            bars: [
                (title: "\(unit) per chip", unit: "tok/s", values: bars(\.ratePerChip)),
                (
                    title: "Tokens per dollar (mid-point hourly price)", unit: "tok/$",
                    values: bars { e in e.ratePerChip.flatMap { r in e.hourlyPrice.map { r * 3_600 / $0 } } }
                ),
                (
                    title: "Tokens per kilojoule (at TDP)", unit: "tok/kJ",
                    values: bars { e in e.ratePerChip.flatMap { r in e.chip.power?.tdp.map { r / $0.value * 1_000 } } }
                ),
                (
                    title: "Chips to match \(c.entries.first?.system.name ?? "the first")", unit: "chips",
                    values: bars(c.chipsToMatchFirst)
                ),
            ],
            breakdowns: breakdowns(c),
            firstChartBands: Dictionary(
                c.entries.compactMap { e in e.rateBand.map { (e.system.name, $0) } },
                uniquingKeysWith: { a, _ in a }
            )
        )
    }

    /// Each system's step, side by side: the training step in seconds, or the decode step in ms.
    static func breakdowns(_ c: Comparison) -> (
        title: String, unit: String, rows: [(label: String, parts: [(name: String, value: Double)])]
    ) {
        if c.workload == "training" {
            return (
                "Where each system's training step goes", "s",
                c.entries.compactMap { e in
                    e.prediction?.training.map { t in
                        (e.system.name, t.breakdown.parts.filter { $0.time.value > 0 }.map { ($0.name, $0.time.value) })
                    }
                }
            )
        }
        return (
            "Where each system's decode step goes (per rank)", "ms",
            c.entries.compactMap { e in
                e.prediction?.servingStep.map { s in
                    (e.system.name, s.parts.filter { $0.time.value > 0 }.map { ($0.name, $0.time.value * 1_000) })
                }
            }
        )
    }

    static func number(_ x: Double?) -> String {
        guard let x else { return "-" }
        return abs(x) >= 100
            ? formatNumber(x) : abs(x) >= 1 ? formatNumber(x, decimals: 2) : formatNumber(x, decimals: 4)
    }

    static func latency(_ e: Comparison.Entry) -> String {
        guard let m = e.prediction?.metrics else { return "-" }
        if let step = m[.stepTime] { return number(step) + " s/step" }
        if let tpot = m[.tpot] { return number(tpot) + " ms TPOT" }
        if let ttft = m[.ttft] { return number(ttft) + " ms TTFT" }
        return "-"
    }

    static func cost(_ e: Comparison.Entry) -> String {
        let economics = Dictionary(e.prediction?.economics ?? [], uniquingKeysWith: { a, _ in a })
        if let low = economics["cost_usd_low"], let high = economics["cost_usd_high"] {
            return "$" + range(low / 1e6, high / 1e6, decimals: 2) + "M"
        }
        if let low = economics["cost_usd_per_million_output_tokens_low"],
            let high = economics["cost_usd_per_million_output_tokens_high"]
        {
            return "$" + range(low, high, decimals: 3) + "/M tok"
        }
        return "-"
    }

    /// The rate's band over what was assumed, "-" when nothing was.
    static func band(_ e: Comparison.Entry) -> String {
        guard let band = e.rateBand else { return "-" }
        let (low, high) = (number(band.low), number(band.high))
        return low == high ? "-" : "\(low)-\(high)"
    }

    /// "low-high", or one number when both print the same.
    static func range(_ low: Double, _ high: Double, decimals: Int) -> String {
        let (a, b) = (formatNumber(low, decimals: decimals), formatNumber(high, decimals: decimals))
        return a == b ? a : "\(a)-\(b)"
    }

    static func table(_ c: Comparison) -> Table {
        let first = c.entries.first
        var rows: [[String]] = []
        var notes: [String] = []
        for e in c.entries {
            let rate = e.ratePerChip
            let ratio = rate.flatMap { r in first?.ratePerChip.map { r / $0 } }
            let perSystem = rate.map { $0 * Double(e.system.chips) }
            let firstPerSystem = first.flatMap { f in f.ratePerChip.map { $0 * Double(f.system.chips) } }
            let systemRatio = perSystem.flatMap { r in firstPerSystem.map { r / $0 } }
            let perDollar = rate.flatMap { r in e.hourlyPrice.map { r * 3_600 / $0 } }
            let perKilojoule = rate.flatMap { r in e.chip.power?.tdp.map { r / $0.value * 1_000 } }
            let ec = e.chip.exportControl
            rows.append([
                e.system.name, e.chip.name, String(e.chips), number(rate), band(e),
                ratio.map { formatNumber($0, decimals: 2) + "x" } ?? "-",
                perSystem.map { number($0) + " (\(e.system.chips))" } ?? "-",
                systemRatio.map { formatNumber($0, decimals: 2) + "x" } ?? "-",
                c.chipsToMatchFirst(e).map { formatNumber($0) } ?? "-", number(perDollar), number(perKilojoule),
                latency(e),
                cost(e), e.prediction?.bottleneck ?? "-", ec?.rules.first { $0.id == "oct2023_3a090" }?.verdict ?? "-",
                ec?.rules.first { $0.id == "jan2026_case_by_case" }?.verdict ?? "-", e.stack?.name ?? "-",
            ])
            if let reason = e.reason { notes.append("\(e.system.name): not predicted: \(reason)") }
            if !e.sensitivity.isEmpty {
                let parts = e.sensitivity.map {
                    "\($0.spec) \($0.change >= 0 ? "+" : "")\(formatNumber($0.change * 100, decimals: 1))%"
                }
                notes.append("\(e.system.name) sensitivity: \(parts.joined(separator: "; ")).")
            }
            if !e.weakInputs.isEmpty {
                notes.append(
                    "\(e.system.name) rests on lower-confidence inputs: \(e.weakInputs.joined(separator: ", "))."
                )
            }
        }
        let unit = c.workload == "training" ? "training tokens/s per chip" : "output tokens/s per chip"
        notes.insert(
            "rate = \(unit), band = its range over what was assumed (see each system's notes); per system = the rate of one whole system (node, rack or supernode) at that per-chip rate; tokens per $ at the mid-point of the hourly price range; tokens per kJ at TDP (accelerators only).",
            at: 0
        )
        return Table(
            title: "\(c.scenario) (\(c.workload)) on \(c.entries.count) systems",
            columns: [
                "system", "chip", "chips", "rate", "band", "vs first", "per system (chips)", "system vs first",
                "chips to match", "tokens/$", "tokens/kJ", "latency",
                "cost",
                "binds", "3A090 (2023)", "Jan 2026", "stack",
            ],
            alignments: [
                .left, .left, .right, .right, .right, .right, .right, .right, .right, .right, .right, .right, .right,
                .left, .left, .left, .left,
            ],
            rows: rows,
            footnotes: notes
        )
    }

    static func value(_ c: Comparison) -> ReportValue {
        .object([
            .init("scenario", .string(c.scenario)), .init("workload", .string(c.workload)),
            .init(
                "systems",
                .array(
                    c.entries.map { e in
                        .object([
                            .init("system", .string(e.system.name)), .init("chip", .string(e.chip.name)),
                            .init("chips", .integer(e.chips)), .init("rate_per_chip", .optional(e.ratePerChip)),
                            .init(
                                "rate_band",
                                e.rateBand.map {
                                    .object([.init("low", .number($0.low)), .init("high", .number($0.high))])
                                } ?? .null
                            ),
                            .init("chips_per_system", .integer(e.system.chips)),
                            .init("rate_per_system", .optional(e.ratePerChip.map { $0 * Double(e.system.chips) })),
                            .init("chips_to_match_first", .optional(c.chipsToMatchFirst(e))),
                            .init("hourly_price_usd", .optional(e.hourlyPrice)),
                            .init("tdp_w", .optional(e.chip.power?.tdp?.value)),
                            .init(
                                "metrics",
                                .object(
                                    (e.prediction?.metrics ?? [:]).sorted { $0.key < $1.key }.map {
                                        .init($0.key.rawValue, .number($0.value))
                                    }
                                )
                            ),
                            .init(
                                "cost_and_energy",
                                .object((e.prediction?.economics ?? []).map { .init($0.name, .number($0.value)) })
                            ),
                            .init("bottleneck", .optional(e.prediction?.bottleneck)),
                            .init("stack", .optional(e.stack?.name)), .init("reason", .optional(e.reason)),
                            .init(
                                "export_control",
                                .array(
                                    (e.chip.exportControl?.rules ?? []).map { rule in
                                        .object([
                                            .init("id", .string(rule.id)), .init("verdict", .string(rule.verdict)),
                                            .init("reason", .string(rule.reason)),
                                        ])
                                    }
                                )
                            ),
                            .init("lower_confidence_inputs", .array(e.weakInputs.map(ReportValue.string))),
                            .init(
                                "sensitivity",
                                .array(
                                    e.sensitivity.map {
                                        .object([
                                            .init("spec", .string($0.spec)), .init("rate_change", .number($0.change)),
                                        ])
                                    }
                                )
                            ),
                            .init("notes", .array((e.prediction?.notes ?? []).map(ReportValue.string))),
                        ])
                    }
                )
            ),
        ])
    }
}
