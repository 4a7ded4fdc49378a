/// An error in user input: a catalog file, a model config or a scenario.
///
/// It says where (the file and the dotted key path, with a line where known), what is wrong, and
/// how to fix it, on one line, so the command-line tool can print it and exit with status 2.
public struct CatalogError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file the problem is in, as the user named it; nil for input that is not a file.
    public var file: String?
    /// The key path inside the file, such as `workload.tpot_slo_ms` or `plan.decode.ep`.
    public var keyPath: String
    /// The line in the file, when known.
    public var line: Int?
    /// What is wrong.
    public var message: String
    /// How to fix it.
    public var fix: String?

    public init(file: String?, keyPath: String, line: Int? = nil, message: String, fix: String? = nil) {
        self.file = file
        self.keyPath = keyPath
        self.line = line
        self.message = message
        self.fix = fix
    }

    public var description: String {
        var location = file ?? "<input>"
        if let line { location += ":\(line)" }
        var text = location
        if !keyPath.isEmpty { text += ": \(keyPath)" }
        text += ": \(message)"
        if let fix { text += " Fix: \(fix)" }
        return text.replacingNewlines()
    }
}

extension String {
    func replacingNewlines() -> String {
        String(map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
