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
        var shards: [(file: String, shard: ShardRecord?)] = []
        for file in files {
            let output = try Self.output(in: file)
            cases += output.cases.map(\.value)
            shards.append((file, output.shard))
        }
        try Self.checkShards(shards)
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
        /// Absent in shards written before in-sample marking: taken as out-of-sample.
        var inSample: Bool?
        var unrounded: Double?

        enum CodingKeys: String, CodingKey {
            case id, metric, expected, predicted, reason, workload, vendor, chip, model, stack
            case lowerBound = "lower_bound"
            case inSample = "in_sample"
            case unrounded
        }

        var value: ValidationReport.Case {
            var c = ValidationReport.Case(
                id: id,
                metric: metric,
                expected: expected,
                predicted: predicted,
                reason: reason,
                lowerBound: lowerBound,
                workload: workload,
                vendor: vendor,
                chip: chip,
                model: model,
                stack: stack
            )
            c.inSample = inSample ?? false
            c.unrounded = unrounded
            return c
        }
    }

    struct ShardRecord: Decodable {
        var index: Int
        var count: Int
    }

    struct Output: Decodable {
        var cases: [CaseRecord]
        var shard: ShardRecord?
    }

    /// Sharded outputs must form one whole set: the same count, every index once. Unsharded outputs
    /// (of different folders, say) merge freely, but not mixed with shards.
    static func checkShards(_ shards: [(file: String, shard: ShardRecord?)]) throws(CatalogError) {
        let sharded = shards.filter { $0.shard != nil }
        guard !sharded.isEmpty else { return }
        if let plain = shards.first(where: { $0.shard == nil }) {
            throw CatalogError(
                file: plain.file,
                keyPath: "shard",
                message: "Not a shard, but merged with shards.",
                fix: "Merge the outputs of one `validate --shard i/n` run, and nothing else."
            )
        }
        var seen: [Int: String] = [:]
        let count = sharded[0].shard?.count ?? 0
        for (file, shard) in sharded {
            guard let shard else { continue }
            if shard.count != count {
                throw CatalogError(
                    file: file,
                    keyPath: "shard.count",
                    message: "Shard of \(shard.count), but \(sharded[0].file) is a shard of \(count).",
                    fix: "Merge shards of one split."
                )
            }
            if let other = seen[shard.index] {
                throw CatalogError(
                    file: file,
                    keyPath: "shard.index",
                    message: "Shard \(shard.index)/\(count) is also given as \(other).",
                    fix: "Give each shard once."
                )
            }
            seen[shard.index] = file
        }
        let missing = (0..<count).filter { seen[$0] == nil }
        if !missing.isEmpty {
            throw CatalogError(
                file: nil,
                keyPath: "shard",
                message: "Shards \(missing.map { "\($0)/\(count)" }.joined(separator: ", ")) are missing.",
                fix: "Wait for every shard to finish, or rerun the missing ones."
            )
        }
    }

    /// JSONDecoder rather than JSONSerialization: it parses numbers exactly, so merged summaries
    /// equal unsharded ones to the last bit.
    static func output(in file: String) throws(CatalogError) -> Output {
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
        return output
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
