/// A plain-text table: a header row, aligned columns, and an optional title and footnotes.
public struct Table: Hashable, Sendable {
    public enum Alignment: Hashable, Sendable { case left, right }

    public var title: String?
    public var columns: [String]
    public var alignments: [Alignment]
    public var rows: [[String]]
    public var footnotes: [String]

    /// The table with only the named columns, in their order here; unknown names are skipped.
    public func keeping(_ names: [String]) -> Table {
        let indices = columns.indices.filter { names.contains(columns[$0]) }
        return Table(
            title: title,
            columns: indices.map { columns[$0] },
            alignments: indices.map { alignments[$0] },
            rows: rows.map { row in indices.map { $0 < row.count ? row[$0] : "" } },
            footnotes: footnotes
        )
    }

    public init(
        title: String? = nil,
        columns: [String],
        alignments: [Alignment]? = nil,
        rows: [[String]] = [],
        footnotes: [String] = []
    ) {
        self.title = title
        self.columns = columns
        self.alignments = alignments ?? columns.map { _ in .left }
        self.rows = rows
        self.footnotes = footnotes
    }

    /// The table as aligned text, one row per line.
    public func render() -> String {
        var widths = columns.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, width) in widths.enumerated() {
                let cell = i < cells.count ? cells[i] : ""
                let pad = String(repeating: " ", count: width - cell.count)
                parts.append(alignments[i] == .right ? pad + cell : cell + pad)
            }
            var text = parts.joined(separator: "  ")
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        var out: [String] = []
        if let title { out.append(title) }
        out.append(line(columns))
        out.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        out.append(contentsOf: rows.map(line))
        out.append(contentsOf: footnotes)
        return out.joined(separator: "\n") + "\n"
    }

    /// The table as CSV (RFC 4180 quoting), header first.
    public func csv() -> String {
        func escape(_ cell: String) -> String {
            if cell.contains(",") || cell.contains("\"") || cell.contains("\n") {
                return "\"" + cell.replacingAll("\"", with: "\"\"") + "\""
            }
            return cell
        }
        return ([columns] + rows).map { $0.map(escape).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// The table as a GitHub-flavoured Markdown table.
    public func markdown() -> String {
        func row(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingAll("|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        var out: [String] = []
        if let title { out.append("**\(title)**\n") }
        out.append(row(columns))
        out.append("|" + alignments.map { $0 == .right ? "---:|" : "---|" }.joined())
        out.append(contentsOf: rows.map(row))
        if !footnotes.isEmpty {
            out.append("")
            out.append(contentsOf: footnotes)
        }
        return out.joined(separator: "\n") + "\n"
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

extension Substring {
    func range(of target: String) -> Range<Substring.Index>? {
        guard !target.isEmpty, count >= target.count else { return nil }
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(target) { return index..<self.index(index, offsetBy: target.count) }
            index = self.index(after: index)
        }
        return nil
    }
}
