import ArgumentParser
import ParityCatalog
import ParityCore
import ParityReport

struct CatalogCommand: RenderingCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "List the chips, systems or models Parity knows, with sources and export-control standing."
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable { case chips, systems, models, sources }

    @Argument(help: "What to list: chips, systems, models or sources.")
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
