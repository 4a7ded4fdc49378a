import ArgumentParser
import ParityCatalog
import ParityCore
import ParityReport

struct Inspect: RenderingCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count a model's parameters, KV cache and FLOPs per token exactly.",
        discussion: """
            MODEL is a built-in name (see `parity catalog models`), a path to a Hugging Face config.json, \
            or a path to a model YAML. FLOPs count 2 per multiply-accumulate, matrix products only.
            """
    )

    @Argument(help: "A built-in model name, a config.json path, or a model YAML path.")
    var model: String

    // Parsed unconditionally so that a negative value reaches the range check and its message.
    @Option(parsing: .unconditional, help: "Context length for prefill and decode FLOPs and the cache at context.")
    var context: Int = 4_096

    @Option(parsing: .unconditional, help: "Sequence length for training FLOPs.")
    var sequenceLength: Int = 4_096

    @Option(help: "Output format: table, json, csv, markdown or html (a page with charts).")
    var format: OutputFormat = .table

    @OptionGroup var catalogOptions: CatalogOptions

    func validate() throws {
        for (name, value) in [("--context", context), ("--sequence-length", sequenceLength)] {
            guard value > 0, value <= InputLimits.tokens else {
                throw ValidationError(
                    "\(name) must be a number of tokens from 1 to \(InputLimits.tokens) (docs/input-limits.md), found \(value)."
                )
            }
        }
    }

    mutating func render() throws -> String {
        let catalog = try catalogOptions.load()
        let architecture = try catalog.model(named: model)
        let inspection = ModelInspection(architecture: architecture, context: context, sequenceLength: sequenceLength)
        switch format {
        case .json: return inspection.value.json() + "\n"
        case .table: return inspection.table.render()
        case .csv: return inspection.table.csv()
        case .markdown: return inspection.table.markdown()
        case .html: return HTMLReports.page(inspection.table)
        }
    }
}
