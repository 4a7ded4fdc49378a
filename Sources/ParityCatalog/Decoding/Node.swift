import Foundation
import Yams

/// A parsed YAML or JSON document: a tree of values with their line numbers, read strictly by
/// `ObjectReader`.
public indirect enum Node: Hashable, Sendable {
    case null(line: Int?)
    case bool(Bool, line: Int?)
    case integer(Int, line: Int?)
    case double(Double, line: Int?)
    case string(String, line: Int?)
    case array([Node], line: Int?)
    /// Keys in document order.
    case object([(key: String, value: Node)], line: Int?)

    public static func == (lhs: Node, rhs: Node) -> Bool { lhs.canonical == rhs.canonical }
    public func hash(into hasher: inout Hasher) { hasher.combine(canonical) }

    private var canonical: String {
        switch self {
        case .null: "null"
        case .bool(let b, _): "b:\(b)"
        case .integer(let i, _): "i:\(i)"
        case .double(let d, _): "d:\(d)"
        case .string(let s, _): "s:\(s)"
        case .array(let a, _): "[" + a.map(\.canonical).joined(separator: ",") + "]"
        case .object(let o, _): "{" + o.map { "\($0.key)=\($0.value.canonical)" }.joined(separator: ",") + "}"
        }
    }

    var line: Int? {
        switch self {
        case .null(let l), .bool(_, let l), .integer(_, let l), .double(_, let l), .string(_, let l),
            .array(_, let l), .object(_, let l):
            l
        }
    }

    /// A word for the kind of value, for error messages.
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "a mapping"
        }
    }

    var isNull: Bool { if case .null = self { true } else { false } }
}

extension Node {
    /// Parses a file as YAML or JSON by its extension (`.json` is JSON, anything else YAML).
    /// - Throws: `CatalogError` naming the file when it cannot be read or parsed.
    public static func load(path: String) throws(CatalogError) -> Node {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw CatalogError(
                file: path,
                keyPath: "",
                message: "This is a folder, not a file.",
                fix: "Name a YAML or JSON file in it."
            )
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw CatalogError(
                file: path,
                keyPath: "",
                message: exists ? "The file cannot be read." : "No such file.",
                fix: exists ? "Check its permissions." : "Check the path."
            )
        }
        guard data.count <= maximumFileBytes else {
            throw CatalogError(
                file: path,
                keyPath: "",
                message:
                    "The file is \(data.count) bytes, more than the \(maximumFileBytes) a scenario, catalog or config file may have.",
                fix: "Check that this is the file meant."
            )
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CatalogError(file: path, keyPath: "", message: "The file is not UTF-8 text.")
        }
        if path.lowercased().hasSuffix(".json") {
            return try parseJSON(text, file: path)
        }
        return try parseYAML(text, file: path)
    }

    /// Parses YAML text into a node tree.
    public static func parseYAML(_ text: String, file: String?) throws(CatalogError) -> Node {
        let composed: Yams.Node?
        do {
            composed = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw CatalogError(file: file, keyPath: "", message: "Malformed YAML: \(describe(error))")
        } catch {
            throw CatalogError(file: file, keyPath: "", message: "Malformed YAML: \(error)")
        }
        guard let composed else { return .null(line: nil) }
        var budget = Self.maximumValues
        return try convert(composed, file: file, path: "", depth: 0, budget: &budget)
    }

    /// The most values one YAML document may hold once its aliases are expanded, and the deepest
    /// nesting: a 350-byte alias bomb expands to a billion values, and is refused at the first bound.
    public static let maximumValues = 200_000
    public static let maximumDepth = 64
    /// The largest scenario, catalog or config file read.
    public static let maximumFileBytes = 8 << 20

    /// Parses JSON text into a node tree.
    public static func parseJSON(_ text: String, file: String?) throws(CatalogError) -> Node {
        do {
            // Hugging Face configs written by Python's json module may hold bare Infinity and NaN,
            // which JSON5 accepts.
            let decoder = JSONDecoder()
            decoder.allowsJSON5 = true
            let value = try decoder.decode(JSONValue.self, from: Data(text.utf8))
            return value.node
        } catch let error as DecodingError {
            var message = "Malformed JSON."
            if case .dataCorrupted(let context) = error {
                if let underlying = context.underlyingError as NSError?,
                    let detail = underlying.userInfo[NSDebugDescriptionErrorKey] as? String
                {
                    message = "Malformed JSON: \(detail)"
                } else if !context.debugDescription.isEmpty {
                    message = "Malformed JSON: \(context.debugDescription)"
                }
            }
            throw CatalogError(file: file, keyPath: "", message: message, fix: "Check the file is valid JSON.")
        } catch {
            throw CatalogError(file: file, keyPath: "", message: "Malformed JSON: \(error)")
        }
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _):
            "\(problem) at line \(mark.line), column \(mark.column)" + (context.map { " (\($0.text))" } ?? "")
        case .parser(let context, let problem, let mark, _):
            "\(problem) at line \(mark.line), column \(mark.column)" + (context.map { " (\($0.text))" } ?? "")
        case .composer(let context, let problem, let mark, _):
            "\(problem) at line \(mark.line), column \(mark.column)" + (context.map { " (\($0.text))" } ?? "")
        default:
            String(describing: error).replacingNewlines()
        }
    }

    private static func convert(_ node: Yams.Node, file: String?, path: String, depth: Int, budget: inout Int)
        throws(CatalogError) -> Node
    {
        let line = node.mark?.line
        budget -= 1
        guard budget >= 0, depth <= maximumDepth else {
            throw CatalogError(
                file: file,
                keyPath: path,
                line: line,
                message:
                    "The document holds more than \(maximumValues) values or nests deeper than \(maximumDepth) levels once its YAML aliases are expanded.",
                fix: "Write the values out without anchors and aliases."
            )
        }
        switch node {
        case .scalar(let scalar):
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return .null(line: line)
            case Tag.Name.bool.rawValue: return .bool(node.bool ?? false, line: line)
            case Tag.Name.int.rawValue:
                if let i = node.int { return .integer(i, line: line) }
                return .string(scalar.string, line: line)
            case Tag.Name.float.rawValue:
                if let d = node.float { return .double(d, line: line) }
                return .string(scalar.string, line: line)
            default:
                return .string(scalar.string, line: line)
            }
        case .sequence(let sequence):
            var items: [Node] = []
            for (index, item) in sequence.enumerated() {
                items.append(
                    try convert(item, file: file, path: "\(path)[\(index)]", depth: depth + 1, budget: &budget)
                )
            }
            return .array(items, line: line)
        case .mapping(let mapping):
            var entries: [(key: String, value: Node)] = []
            var seen = Set<String>()
            for (key, value) in mapping {
                let name = key.string ?? "\(key)"
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                if !seen.insert(name).inserted {
                    throw CatalogError(
                        file: file,
                        keyPath: childPath,
                        line: key.mark?.line,
                        message: "The key appears twice.",
                        fix: "Keep one of them."
                    )
                }
                entries.append(
                    (name, try convert(value, file: file, path: childPath, depth: depth + 1, budget: &budget))
                )
            }
            return .object(entries, line: line)
        case .alias:
            throw CatalogError(
                file: file,
                keyPath: path,
                line: line,
                message: "YAML aliases are not supported.",
                fix: "Write the value out."
            )
        }
    }
}

/// A JSON value decoded with `JSONDecoder`, which keeps booleans, integers and numbers apart.
private enum JSONValue: Decodable {
    case null
    case bool(Bool)
    case integer(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int.self) {
            self = .integer(i)
        } else if let d = try? container.decode(Double.self) {
            self = .double(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    var node: Node {
        switch self {
        case .null: .null(line: nil)
        case .bool(let b): .bool(b, line: nil)
        case .integer(let i): .integer(i, line: nil)
        case .double(let d): .double(d, line: nil)
        case .string(let s): .string(s, line: nil)
        case .array(let a): .array(a.map(\.node), line: nil)
        case .object(let o): .object(o.sorted { $0.key < $1.key }.map { ($0.key, $0.value.node) }, line: nil)
        }
    }
}

extension Node {
    /// The value under `key` of a mapping, or nil.
    public subscript(key: String) -> Node? {
        guard case .object(let entries, _) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// The keys of a mapping in document order (empty for other values).
    public var keys: [String] {
        guard case .object(let entries, _) = self else { return [] }
        return entries.map(\.key)
    }

    /// A whole number, if this is one.
    public var integerValue: Int? {
        switch self {
        case .integer(let i, _): i
        case .double(let d, _) where d == d.rounded() && abs(d) < 9e15: Int(d)
        default: nil
        }
    }

    /// A number, if this is one.
    public var numberValue: Double? {
        switch self {
        case .integer(let i, _): Double(i)
        case .double(let d, _): d
        default: nil
        }
    }

    /// A string, if this is one.
    public var stringValue: String? {
        if case .string(let s, _) = self { return s }
        return nil
    }
}
