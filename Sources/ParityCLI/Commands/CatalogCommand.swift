import ArgumentParser
import ParityCatalog
import ParityCore
import ParityReport

struct CatalogCommand: RenderingCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "List the chips, systems or models Parity knows, with sources and export-control standing."
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable { case chips, systems, models, sources, stacks }

    @Argument(
        help:
            "What to list: chips, systems, models, sources or stacks (software stacks: the chips each covers, its evidence, what it transfers)."
    )
    var kind: Kind

    @Option(help: "Output format: table, json, csv, markdown or html (a page with charts).")
    var format: OutputFormat = .table

    @OptionGroup var catalogOptions: CatalogOptions

    mutating func render() throws -> String {
        let catalog = try catalogOptions.load()
        let table: Table
        let value: ReportValue
        switch kind {
        case .chips:
            table = HardwareReport.chipTable(catalog.chips)
            value = .array(catalog.chips.map(HardwareReport.chipValue))
        case .systems:
            table = HardwareReport.systemTable(catalog.systems)
            value = .array(catalog.systems.map(HardwareReport.systemValue))
        case .models:
            (table, value) = Self.models(catalog)
        case .stacks:
            (table, value) = Self.stacks(catalog)
        case .sources:
            let entries = catalog.sources.entries.values.sorted { $0.id < $1.id }
            table = Table(
                columns: ["id", "title", "url", "date"],
                rows: entries.map { [$0.id, $0.title, $0.url ?? "-", $0.date ?? "-"] }
            )
            value = .array(
                entries.map { e in
                    .object([
                        .init("id", .string(e.id)), .init("title", .string(e.title)), .init("url", .optional(e.url)),
                        .init("date", .optional(e.date)), .init("type", .optional(e.type)),
                    ])
                }
            )
        }
        switch format {
        case .table: return table.render()
        case .csv: return table.csv()
        case .markdown: return table.markdown()
        case .html: return HTMLReports.page(table)
        case .json: return value.json() + "\n"
        }
    }

    /// Every software stack: the chips it covers and the chips that take it by transfer, its
    /// evidence count and the parameters it transfers from the other stacks.
    static func stacks(_ catalog: Catalog) -> (Table, ReportValue) {
        let listings = catalog.stackListings()
        let list = { (names: [String]) in names.isEmpty ? "-" : names.joined(separator: ", ") }
        let table = Table(
            columns: ["stack", "chips", "transferred to", "evidence (low)", "transferred parameters", "selected by"],
            alignments: [.left, .left, .left, .right, .left, .left],
            rows: listings.map { s in
                [
                    s.name, list(s.chips), list(s.transferredTo), "\(s.evidenceCount) (\(s.lowConfidence))",
                    s.transferredParameters.count > 6
                        ? "\(s.transferredParameters.count) (listed with --format json)"
                        : list(s.transferredParameters),
                    s.matches.isEmpty ? "default" : s.matches.joined(separator: " | "),
                ]
            }
        )
        let value = ReportValue.array(
            listings.map { s in
                .object([
                    .init("name", .string(s.name)), .init("description", .optional(s.description)),
                    .init("chips", .array(s.chips.map(ReportValue.string))),
                    .init("transferred_to", .array(s.transferredTo.map(ReportValue.string))),
                    .init("evidence_count", .integer(s.evidenceCount)),
                    .init("low_confidence_count", .integer(s.lowConfidence)),
                    .init("transferred_parameters", .array(s.transferredParameters.map(ReportValue.string))),
                    .init("selected_by", .array(s.matches.map(ReportValue.string))),
                ])
            }
        )
        return (table, value)
    }

    /// Every built-in model, counted, or with the reason it cannot be counted exactly.
    static func models(_ catalog: Catalog) -> (Table, ReportValue) {
        var rows: [[String]] = []
        var values: [ReportValue] = []
        for entry in catalog.models {
            do {
                let a = try catalog.model(named: entry.name)
                let total = a.parameters.total
                rows.append([
                    entry.name, a.family, formatNumber(Double(total) / 1e9, decimals: 2),
                    formatNumber(Double(a.activeParameters) / 1e9, decimals: 2),
                    formatNumber(a.kvCacheBytesPerToken().value), "exact",
                ])
                values.append(
                    .object([
                        .init("name", .string(entry.name)), .init("huggingface_id", .optional(entry.huggingFaceID)),
                        .init("family", .string(a.family)), .init("parameters_total", .integer(total)),
                        .init("parameters_active", .integer(a.activeParameters)),
                        .init("kv_cache_bytes_per_token", .number(a.kvCacheBytesPerToken().value)),
                        .init("status", .string("exact")),
                    ])
                )
            } catch {
                rows.append([entry.name, "-", "-", "-", "-", "not supported: \(error.message)"])
                values.append(
                    .object([
                        .init("name", .string(entry.name)), .init("huggingface_id", .optional(entry.huggingFaceID)),
                        .init("status", .string("unsupported")), .init("reason", .string(error.message)),
                    ])
                )
            }
        }
        let table = Table(
            columns: ["model", "family", "total (B)", "active (B)", "KV B/token (BF16)", "status"],
            alignments: [.left, .left, .right, .right, .right, .left],
            rows: rows
        )
        return (table, .array(values))
    }
}
