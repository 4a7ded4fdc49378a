/// Reads a mapping strictly: every key must be consumed, every value must have the right type,
/// and every error names the file and key path.
///
/// ```swift
/// var reader = try ObjectReader(node, file: path)
/// let name = try reader.string("name")
/// let chips = try reader.optionalInteger("chips", minimum: 1)
/// try reader.finish()          // unknown keys are errors
/// ```
public struct ObjectReader {
    public let file: String?
    public let path: String
    let entries: [(key: String, value: Node)]
    let line: Int?
    private var consumed = Set<String>()

    public init(_ node: Node, file: String?, path: String = "") throws(CatalogError) {
        guard case .object(let entries, let line) = node else {
            throw CatalogError(
                file: file,
                keyPath: path,
                line: node.line,
                message: "Expected a mapping of keys to values, found \(node.kindName)."
            )
        }
        self.file = file
        self.path = path
        self.entries = entries
        self.line = line
    }

    /// The keys present, in document order.
    public var keys: [String] { entries.map(\.key) }

    public func contains(_ key: String) -> Bool { entries.contains { $0.key == key } }

    func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String, _ message: String, fix: String? = nil, line: Int? = nil) -> CatalogError {
        CatalogError(file: file, keyPath: childPath(key), line: line ?? self.line, message: message, fix: fix)
    }

    /// The raw value of `key`, or nil when absent or null. Marks the key as consumed.
    public mutating func node(_ key: String) -> Node? {
        consumed.insert(key)
        guard let value = entries.first(where: { $0.key == key })?.value, !value.isNull else { return nil }
        return value
    }

    /// The raw value of a required key.
    public mutating func requiredNode(_ key: String) throws(CatalogError) -> Node {
        guard let value = node(key) else {
            throw error(key, "Missing required key.", fix: "Add `\(key):` to \(path.isEmpty ? "the file" : path).")
        }
        return value
    }

    // MARK: Strings

    public mutating func optionalString(_ key: String) throws(CatalogError) -> String? {
        guard let value = node(key) else { return nil }
        switch value {
        case .string(let s, _): return s
        case .integer(let i, _): return String(i)
        case .double(let d, _): return String(d)
        default:
            throw error(key, "Expected a string, found \(value.kindName).", line: value.line)
        }
    }

    public mutating func string(_ key: String) throws(CatalogError) -> String {
        guard let s = try optionalString(key) else {
            throw error(key, "Missing required key.", fix: "Add `\(key):` to \(path.isEmpty ? "the file" : path).")
        }
        return s
    }

    public mutating func stringList(_ key: String) throws(CatalogError) -> [String] {
        guard let value = node(key) else { return [] }
        if case .string(let s, _) = value { return [s] }
        guard case .array(let items, _) = value else {
            throw error(key, "Expected a list of strings, found \(value.kindName).", line: value.line)
        }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            switch item {
            case .string(let s, _): result.append(s)
            case .integer(let i, _): result.append(String(i))
            case .double(let d, _): result.append(String(d))
            default:
                throw CatalogError(
                    file: file,
                    keyPath: "\(childPath(key))[\(index)]",
                    line: item.line,
                    message: "Expected a string, found \(item.kindName)."
                )
            }
        }
        return result
    }

    /// A string that must be one of an enumeration's raw values.
    public mutating func optionalEnum<E: RawRepresentable & CaseIterable>(
        _ key: String,
        _ type: E.Type
    ) throws(CatalogError) -> E? where E.RawValue == String {
        guard let raw = try optionalString(key) else { return nil }
        guard let value = E(rawValue: raw.lowercased()) ?? E(rawValue: raw) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw error(key, "Unknown value '\(raw)'.", fix: "Use one of: \(allowed).")
        }
        return value
    }

    // MARK: Numbers

    public mutating func optionalBool(_ key: String) throws(CatalogError) -> Bool? {
        guard let value = node(key) else { return nil }
        guard case .bool(let b, _) = value else {
            throw error(key, "Expected true or false, found \(value.kindName).", line: value.line)
        }
        return b
    }

    /// A finite number, optionally bounded below.
    public mutating func optionalNumber(
        _ key: String,
        minimum: Double? = nil,
        exclusiveMinimum: Bool = false,
        maximum: Double? = nil
    ) throws(CatalogError) -> Double? {
        guard let value = node(key) else { return nil }
        let number: Double
        switch value {
        case .integer(let i, _): number = Double(i)
        case .double(let d, _): number = d
        case .string(let s, _):
            throw error(
                key,
                "Expected a number, found the string '\(s)'.",
                fix: "Write a plain number (exponents as 1.0e+12).",
                line: value.line
            )
        default:
            throw error(key, "Expected a number, found \(value.kindName).", line: value.line)
        }
        try check(
            number,
            key: key,
            minimum: minimum,
            exclusiveMinimum: exclusiveMinimum,
            maximum: maximum ?? InputLimits.anyNumber,
            line: value.line
        )
        return number
    }

    public mutating func number(_ key: String, minimum: Double? = nil, exclusiveMinimum: Bool = false)
        throws(CatalogError) -> Double
    {
        guard let n = try optionalNumber(key, minimum: minimum, exclusiveMinimum: exclusiveMinimum) else {
            throw error(key, "Missing required key.", fix: "Add `\(key):` to \(path.isEmpty ? "the file" : path).")
        }
        return n
    }

    /// A whole number, optionally bounded. Accepts `1.0e+3`-style numbers that are whole.
    public mutating func optionalInteger(_ key: String, minimum: Int? = nil, maximum: Int? = nil) throws(CatalogError)
        -> Int?
    {
        guard let value = node(key) else { return nil }
        // Without a stated bound, the key's documented limit (InputLimits) keeps arithmetic in range.
        let maximum = maximum ?? InputLimits.maximum(for: key)
        let integer: Int
        switch value {
        case .integer(let i, _): integer = i
        case .double(let d, _) where d.isFinite && d == d.rounded() && abs(d) < 9e15: integer = Int(d)
        case .double(let d, _):
            throw error(key, "Expected a whole number, found \(d).", line: value.line)
        case .string(let s, _):
            throw error(key, "Expected a whole number, found the string '\(s)'.", line: value.line)
        default:
            throw error(key, "Expected a whole number, found \(value.kindName).", line: value.line)
        }
        if let minimum, integer < minimum {
            throw error(key, "Must be at least \(minimum), found \(integer).", line: value.line)
        }
        if integer > maximum {
            throw error(
                key,
                "Must be at most \(maximum), found \(integer).",
                fix: "Give a value a real model, system or workload could have (docs/input-limits.md).",
                line: value.line
            )
        }
        return integer
    }

    public mutating func integer(_ key: String, minimum: Int? = nil, maximum: Int? = nil) throws(CatalogError) -> Int {
        guard let n = try optionalInteger(key, minimum: minimum, maximum: maximum) else {
            throw error(key, "Missing required key.", fix: "Add `\(key):` to \(path.isEmpty ? "the file" : path).")
        }
        return n
    }

    private func check(
        _ number: Double,
        key: String,
        minimum: Double?,
        exclusiveMinimum: Bool,
        maximum: Double?,
        line: Int?
    ) throws(CatalogError) {
        guard number.isFinite else {
            throw error(key, "Must be a finite number, found \(number).", line: line)
        }
        if let minimum {
            if exclusiveMinimum ? number <= minimum : number < minimum {
                let bound = exclusiveMinimum ? "greater than" : "at least"
                throw error(key, "Must be \(bound) \(formatPlain(minimum)), found \(formatPlain(number)).", line: line)
            }
        }
        if let maximum, number > maximum {
            throw error(key, "Must be at most \(formatPlain(maximum)), found \(formatPlain(number)).", line: line)
        }
    }

    // MARK: Nesting

    /// A nested mapping, read by its own reader.
    public mutating func optionalObject(_ key: String) throws(CatalogError) -> ObjectReader? {
        guard let value = node(key) else { return nil }
        return try ObjectReader(value, file: file, path: childPath(key))
    }

    public mutating func object(_ key: String) throws(CatalogError) -> ObjectReader {
        try ObjectReader(requiredNode(key), file: file, path: childPath(key))
    }

    /// A list of mappings.
    public mutating func objectList(_ key: String) throws(CatalogError) -> [ObjectReader] {
        guard let value = node(key) else { return [] }
        guard case .array(let items, _) = value else {
            throw error(key, "Expected a list, found \(value.kindName).", line: value.line)
        }
        var readers: [ObjectReader] = []
        for (index, item) in items.enumerated() {
            readers.append(try ObjectReader(item, file: file, path: "\(childPath(key))[\(index)]"))
        }
        return readers
    }

    /// Marks keys as read without using them (documentation-only keys).
    public mutating func ignore(_ keys: String...) { for key in keys { consumed.insert(key) } }

    /// Throws if any key was not read: unknown keys are errors, so a typo cannot silently change
    /// an answer.
    public func finish(known: [String] = []) throws(CatalogError) {
        for (key, value) in entries where !consumed.contains(key) {
            let accepted = (Array(consumed) + known).sorted()
            let suggestion = closest(to: key, in: accepted)
            var fix = "Remove it"
            if let suggestion { fix += ", or did you mean '\(suggestion)'?" } else { fix += "." }
            throw CatalogError(
                file: file,
                keyPath: childPath(key),
                line: value.line ?? line,
                message: "Unknown key.",
                fix: fix
            )
        }
    }
}

/// The candidate with the smallest edit distance to `word`, if it is close enough to be a typo.
func closest(to word: String, in candidates: [String]) -> String? {
    var best: (String, Int)?
    for candidate in candidates {
        let d = editDistance(word.lowercased(), candidate.lowercased())
        if d <= max(2, word.count / 3), best == nil || d < best?.1 ?? Int.max { best = (candidate, d) }
    }
    return best?.0
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}

/// A number as a person would write it: whole numbers without a decimal point.
func formatPlain(_ x: Double) -> String {
    if x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) }
    return String(x)
}
