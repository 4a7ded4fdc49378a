/// A JSON-shaped value with ordered keys: what every command produces before it is rendered as
/// JSON, a table or CSV.
public indirect enum ReportValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([ReportValue])
    case object([Field])

    /// One key of an object.
    public struct Field: Hashable, Sendable {
        public var key: String
        public var value: ReportValue
        public init(_ key: String, _ value: ReportValue) {
            self.key = key
            self.value = value
        }
    }

    /// The value under `key`, for objects.
    public subscript(key: String) -> ReportValue? {
        guard case .object(let fields) = self else { return nil }
        return fields.first { $0.key == key }?.value
    }
}

extension ReportValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension ReportValue {
    /// Builds an object from key–value pairs, dropping nil values.
    public static func object(_ pairs: KeyValuePairs<String, ReportValue?>) -> ReportValue {
        .object(pairs.compactMap { key, value in value.map { Field(key, $0) } })
    }

    public static func optional(_ value: Double?) -> ReportValue { value.map(ReportValue.number) ?? .null }
    public static func optional(_ value: Int?) -> ReportValue { value.map(ReportValue.integer) ?? .null }
    public static func optional(_ value: String?) -> ReportValue { value.map(ReportValue.string) ?? .null }

    /// JSON text. Keys keep their order; numbers that are whole print without a fraction.
    public func json(pretty: Bool = true, indent: String = "") -> String {
        let step = pretty ? "  " : ""
        let newline = pretty ? "\n" : ""
        let separator = pretty ? ": " : ":"
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .number(let d): return Self.jsonNumber(d)
        case .string(let s): return Self.quoted(s)
        case .array(let items):
            if items.isEmpty { return "[]" }
            let inner = indent + step
            return "[" + newline
                + items.map { inner + $0.json(pretty: pretty, indent: inner) }.joined(separator: "," + newline)
                + newline + indent + "]"
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            let inner = indent + step
            return "{" + newline
                + fields.map { inner + Self.quoted($0.key) + separator + $0.value.json(pretty: pretty, indent: inner) }
                .joined(separator: "," + newline) + newline + indent + "}"
        }
    }

    static func jsonNumber(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded() && abs(d) < 1e15 { return String(Int(d)) }
        return String(d)
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
