import ArgumentParser
import Foundation
import ParityCatalog
import ParityReport

struct Merge: RenderingCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join the JSON outputs of sharded `parity validate --shard i/n` runs into one report.",
        discussion: """
            Each file is the `--format json` output of one shard. The cases are pooled, sorted by scenario \
            and metric, and summarised again, so the merged summary equals that of an unsharded run. A \
            file that is not such an output is an error naming the file and key path.
            """
    )

    @Argument(help: "JSON files written by `parity validate --shard i/n --format json`.")
    var files: [String]

    @Option(help: "Output format: table, json, csv, markdown or html (a page with charts).")
    var format: OutputFormat = .table

    mutating func render() throws -> String {
        var cases: [ValidationReport.Case] = []
        for file in files { cases += try Self.cases(in: file) }
        cases.sort { ($0.id, $0.metric) < ($1.id, $1.metric) }
        let report = ValidationReport(cases: cases)
        switch format {
        case .json: return report.value.json() + "\n"
        case .table: return report.table.render()
        case .csv: return report.table.csv()
        case .markdown: return report.table.markdown()
        case .html: return HTMLReports.validation(report)
        }
    }

    /// One case as `parity validate --format json` writes it.
    struct CaseRecord: Decodable {
        var id: String
        var metric: String
        var expected: Double
        var predicted: Double?
        var reason: String?
        var lowerBound: Bool
        var workload: String
        var vendor: String
        var chip: String
        var model: String
        var stack: String

        enum CodingKeys: String, CodingKey {
            case id, metric, expected, predicted, reason, workload, vendor, chip, model, stack
            case lowerBound = "lower_bound"
        }
    }

    struct Output: Decodable { var cases: [CaseRecord] }

    /// JSONDecoder rather than JSONSerialization: it parses numbers exactly, so merged summaries
    /// equal unsharded ones to the last bit.
    static func cases(in file: String) throws(CatalogError) -> [ValidationReport.Case] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CatalogError(file: file, keyPath: "", message: "Cannot read the file.", fix: "Check the path.")
        }
        let output: Output
        do {
            output = try JSONDecoder().decode(Output.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw CatalogError(
                file: file,
                keyPath: keyPath(context.codingPath + [key]),
                message: "Missing required key.",
                fix: "Pass the output of `parity validate --format json` from this version of parity."
            )
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw CatalogError(
                file: file,
                keyPath: keyPath(context.codingPath),
                message: "Wrong type: \(context.debugDescription)",
                fix: "Pass the output of `parity validate --format json` from this version of parity."
            )
        } catch {
            throw CatalogError(
                file: file,
                keyPath: "",
                message: "Not the JSON output of `parity validate`.",
                fix: "Pass the output of `parity validate --format json`."
            )
        }
        return output.cases.map {
            ValidationReport.Case(
                id: $0.id,
                metric: $0.metric,
                expected: $0.expected,
                predicted: $0.predicted,
                reason: $0.reason,
                lowerBound: $0.lowerBound,
                workload: $0.workload,
                vendor: $0.vendor,
                chip: $0.chip,
                model: $0.model,
                stack: $0.stack
            )
        }
    }

    static func keyPath(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text
    }
}
