import ArgumentParser
import ParityCatalog
import ParityCore
import ParityReport

struct Validate: RenderingCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict every scenario with published measurements and compare.",
        discussion: """
            PATH is a scenario file or a folder of them. Each published metric becomes a case with its \
            relative error; a scenario that cannot be predicted is listed with the reason. The summary gives \
            the median and p90 |error| overall and by workload, metric, vendor, chip, model and software stack.
            """
    )

    @Argument(help: "Scenario files or folders of them.")
    var paths: [String]

    @Option(
        help: ArgumentHelp(
            "Run only shard i of n (0-based): CSV rows, then scenario files, dealt round-robin. Join the shards' JSON with `parity merge`.",
            valueName: "i/n"
        )
    )
    var shard: String?

    @Option(
        help: ArgumentHelp(
            "Keep only the cases of this metric (e.g. tpot_ms), so the summary is that metric's.",
            valueName: "metric"
        )
    )
    var metric: String?

    @Option(help: "Output format: table, json, csv, markdown or html (a page with charts).")
    var format: OutputFormat = .table

    @OptionGroup var catalogOptions: CatalogOptions

    mutating func render() throws -> String {
        let catalog = try catalogOptions.load()
        let parsedShard = try shard.map(Shard.init(parsing:))
        var report = try ValidationRun.run(paths: paths, catalog: catalog, shard: parsedShard)
        if let metric {
            report.cases = report.cases.filter { $0.metric == metric }
            guard !report.cases.isEmpty else {
                throw CatalogError(
                    file: nil,
                    keyPath: "--metric",
                    message: "No case has the metric '\(metric)'.",
                    fix: "Use a metric the files publish, such as tpot_ms or ttft_ms."
                )
            }
        }
        switch format {
        case .json:
            // A shard says which it is, so that `parity merge` can check the set is whole.
            guard let parsedShard, case .object(var fields) = report.value else { return report.value.json() + "\n" }
            fields.append(
                .init(
                    "shard",
                    .object([.init("index", .integer(parsedShard.index)), .init("count", .integer(parsedShard.count))])
                )
            )
            return ReportValue.object(fields).json() + "\n"
        case .table: return report.table.render()
        case .csv: return report.table.csv()
        case .markdown: return report.table.markdown()
        case .html: return HTMLReports.validation(report)
        }
    }
}
