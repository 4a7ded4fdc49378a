import Foundation
public import ParitySimulation

/// A request trace: arrival times with input and output lengths, as public LLM-serving traces record
/// them. Two layouts are read:
/// - CSV with a header naming an arrival column (`arrival`, `arrival_s`, `timestamp`, `TIMESTAMP`),
///   an input column (`input_tokens`, `input_length`, `ContextTokens`) and an output column
///   (`output_tokens`, `output_length`, `GeneratedTokens`): the Azure LLM inference traces. Times are
///   seconds, or date-times (`2023-11-16 18:15:46.6805900`);
/// - JSON lines with `timestamp` in milliseconds, `input_length` and `output_length`: Mooncake's.
///
/// Arrivals are taken relative to the first request.
public enum TraceFile {
    /// The most requests a trace may hold.
    public static let maximumRequests = 1_000_000

    public static func load(path: String) throws(CatalogError) -> [RequestSpec] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CatalogError(file: path, keyPath: "", message: "No such file.", fix: "Check the trace's path.")
        }
        guard data.count <= Node.maximumFileBytes else {
            throw CatalogError(
                file: path,
                keyPath: "",
                message: "The trace is \(data.count) bytes, more than the \(Node.maximumFileBytes) a file may have.",
                fix: "Cut the trace into a shorter window."
            )
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CatalogError(file: path, keyPath: "", message: "The trace is not UTF-8 text.", fix: "Save it as CSV.")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(CatalogError) -> [RequestSpec] {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init).filter {
            !$0.trimmingCharacters(in: .whitespaces).isEmpty
        }
        guard let first = lines.first else {
            throw CatalogError(
                file: file,
                keyPath: "",
                message: "The trace is empty.",
                fix: "Give one request per line."
            )
        }
        guard lines.count <= maximumRequests + 1 else {
            throw CatalogError(
                file: file,
                keyPath: "",
                message:
                    "The trace has \(lines.count) lines, more than the \(maximumRequests) requests a trace may hold.",
                fix: "Cut the trace into a shorter window."
            )
        }
        var specs =
            first.trimmingCharacters(in: .whitespaces).hasPrefix("{")
            ? try jsonLines(lines, file: file) : try csv(lines, file: file)
        guard let start = specs.map(\.arrival).min() else { return [] }
        for i in specs.indices { specs[i].arrival -= start }
        return specs.sorted { $0.arrival < $1.arrival }
    }

    static func csv(_ lines: [String], file: String) throws(CatalogError) -> [RequestSpec] {
        let header = ServingSweep.fields(lines[0]).map { $0.trimmingCharacters(in: .whitespaces) }
        func column(_ names: [String], _ what: String) throws(CatalogError) -> Int {
            let lower = header.map { $0.lowercased() }
            guard let i = names.lazy.compactMap({ lower.firstIndex(of: $0) }).first else {
                throw CatalogError(
                    file: file,
                    keyPath: "row 1",
                    message: "The header has no \(what) column (found: \(header.joined(separator: ", "))).",
                    fix: "Name it one of: \(names.joined(separator: ", "))."
                )
            }
            return i
        }
        let a = try column(["arrival", "arrival_s", "arrival_time", "timestamp"], "arrival time")
        let i = try column(["input_tokens", "input_length", "contexttokens", "input"], "input length")
        let o = try column(["output_tokens", "output_length", "generatedtokens", "output"], "output length")
        var specs: [RequestSpec] = []
        specs.reserveCapacity(lines.count - 1)
        for (index, line) in lines.dropFirst().enumerated() {
            let row = "row \(index + 2)"
            let values = ServingSweep.fields(line).map { $0.trimmingCharacters(in: .whitespaces) }
            guard values.count == header.count else {
                throw CatalogError(
                    file: file,
                    keyPath: row,
                    message: "Has \(values.count) fields; the header has \(header.count).",
                    fix: "Give every row the header's columns."
                )
            }
            specs.append(
                RequestSpec(
                    arrival: try seconds(values[a], file: file, row: row),
                    inputTokens: try tokens(values[i], file: file, row: row, what: "input"),
                    outputTokens: try tokens(values[o], file: file, row: row, what: "output")
                )
            )
        }
        return specs
    }

    static func jsonLines(_ lines: [String], file: String) throws(CatalogError) -> [RequestSpec] {
        var specs: [RequestSpec] = []
        for (index, line) in lines.enumerated() {
            let row = "line \(index + 1)"
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let ms = (object["timestamp"] as? NSNumber)?.doubleValue,
                let input = (object["input_length"] as? NSNumber)?.doubleValue,
                let output = (object["output_length"] as? NSNumber)?.doubleValue
            else {
                throw CatalogError(
                    file: file,
                    keyPath: row,
                    message: "Expected a JSON object with numbers timestamp (ms), input_length and output_length.",
                    fix: "Use Mooncake's trace layout, or a CSV with a header."
                )
            }
            specs.append(
                RequestSpec(
                    arrival: try seconds(String(ms / 1_000), file: file, row: row),
                    inputTokens: try tokens(String(input), file: file, row: row, what: "input"),
                    outputTokens: try tokens(String(output), file: file, row: row, what: "output")
                )
            )
        }
        return specs
    }

    static func tokens(_ text: String, file: String, row: String, what: String) throws(CatalogError) -> Int {
        guard let v = Double(text), v.isFinite, v >= 1, v <= Double(InputLimits.tokens) else {
            throw CatalogError(
                file: file,
                keyPath: row,
                message:
                    "The \(what) length '\(text)' is not a whole number of tokens from 1 to \(InputLimits.tokens).",
                fix: "Give token counts."
            )
        }
        return Int(v.rounded())
    }

    /// Seconds from a number, or from a date-time `YYYY-MM-DD HH:MM:SS[.fraction]` (days from a
    /// fixed origin, so differences are right across midnight and month ends).
    static func seconds(_ text: String, file: String, row: String) throws(CatalogError) -> Double {
        if let v = Double(text), v.isFinite, abs(v) < 1e12 { return v }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "T" })
        if parts.count == 2 {
            let date = parts[0].split(separator: "-").compactMap { Int($0) }
            let time = parts[1].split(separator: ":")
            if date.count == 3, time.count == 3, let h = Double(time[0]), let m = Double(time[1]),
                let s = Double(time[2])
            {
                return Double(daysFromCivil(date[0], date[1], date[2])) * 86_400 + h * 3_600 + m * 60 + s
            }
        }
        throw CatalogError(
            file: file,
            keyPath: row,
            message: "The arrival '\(text)' is neither seconds nor a date-time.",
            fix: "Give seconds, or YYYY-MM-DD HH:MM:SS.fff."
        )
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
