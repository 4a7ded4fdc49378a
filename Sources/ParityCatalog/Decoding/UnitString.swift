public import ParityCore

/// Parses the catalog's `"VALUE UNIT"` strings into typed quantities.
///
/// Decimal prefixes are powers of 1000 (`GB`), binary prefixes powers of 1024 (`GiB`); bit rates
/// (`Gb/s`) are divided by 8. See docs/catalog-format.md for the accepted units.
public enum UnitString {
    static let bytes: [String: Double] = [
        "B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "PB": 1e15,
        "KiB": 1_024, "MiB": 1_048_576, "GiB": 1_073_741_824, "TiB": 1_099_511_627_776,
    ]
    static let bandwidth: [String: Double] = [
        "B/s": 1, "kB/s": 1e3, "MB/s": 1e6, "GB/s": 1e9, "TB/s": 1e12, "PB/s": 1e15,
        "Gb/s": 1e9 / 8, "Tb/s": 1e12 / 8, "Mb/s": 1e6 / 8,
    ]
    static let compute: [String: Double] = [
        "FLOP/s": 1, "GFLOP/s": 1e9, "TFLOP/s": 1e12, "PFLOP/s": 1e15, "EFLOP/s": 1e18,
        "OP/s": 1, "GOP/s": 1e9, "TOP/s": 1e12, "POP/s": 1e15,
    ]
    static let time: [String: Double] = ["s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9]
    static let power: [String: Double] = ["W": 1, "kW": 1e3]
    static let area: [String: Double] = ["mm2": 1]
    static let money: [String: Double] = ["USD": 1]
    static let hourly: [String: Double] = ["USD/h": 1]

    /// Splits `"3.35 TB/s"` into its number and unit and scales by `units`.
    static func parse(
        _ reader: inout ObjectReader,
        _ key: String,
        units: [String: Double],
        what: String
    ) throws(CatalogError) -> Double? {
        guard let value = reader.node(key) else { return nil }
        let example = units.keys.sorted().prefix(4).joined(separator: "`, `")
        guard case .string(let text, let line) = value else {
            throw reader.error(
                key,
                "Expected \(what) as a \"VALUE UNIT\" string, found \(value.kindName).",
                fix: "Write it with a unit, e.g. \"80 `\(example)`\".",
                line: value.line
            )
        }
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let number = Double(parts[0]), number.isFinite else {
            throw reader.error(
                key,
                "Expected \"VALUE UNIT\", found '\(text)'.",
                fix: "Write a number, one space and a unit (`\(example)`).",
                line: line
            )
        }
        guard let scale = units[String(parts[1])] else {
            let accepted = units.keys.sorted().joined(separator: ", ")
            throw reader.error(
                key,
                "Unknown unit '\(parts[1])' for \(what).",
                fix: "Use one of: \(accepted).",
                line: line
            )
        }
        guard number >= 0 else {
            throw reader.error(key, "Must not be negative, found '\(text)'.", line: line)
        }
        return number * scale
    }
}

extension ObjectReader {
    public mutating func optionalBytes(_ key: String) throws(CatalogError) -> Bytes? {
        try UnitString.parse(&self, key, units: UnitString.bytes, what: "a size").map(Bytes.init)
    }
    public mutating func optionalBandwidth(_ key: String) throws(CatalogError) -> BytesPerSecond? {
        try UnitString.parse(&self, key, units: UnitString.bandwidth, what: "a bandwidth").map(BytesPerSecond.init)
    }
    public mutating func optionalComputeRate(_ key: String) throws(CatalogError) -> FLOPsPerSecond? {
        try UnitString.parse(&self, key, units: UnitString.compute, what: "a compute rate").map(FLOPsPerSecond.init)
    }
    public mutating func optionalDuration(_ key: String) throws(CatalogError) -> Seconds? {
        try UnitString.parse(&self, key, units: UnitString.time, what: "a duration").map(Seconds.init)
    }
    public mutating func optionalPower(_ key: String) throws(CatalogError) -> Watts? {
        try UnitString.parse(&self, key, units: UnitString.power, what: "a power").map(Watts.init)
    }
    public mutating func optionalArea(_ key: String) throws(CatalogError) -> SquareMillimetres? {
        try UnitString.parse(&self, key, units: UnitString.area, what: "an area").map(SquareMillimetres.init)
    }
    public mutating func optionalDollars(_ key: String, hourly: Bool) throws(CatalogError) -> Double? {
        try UnitString.parse(&self, key, units: hourly ? UnitString.hourly : UnitString.money, what: "a price")
    }
}
