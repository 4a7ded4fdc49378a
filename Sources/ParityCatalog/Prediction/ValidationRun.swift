import ParityCore
public import ParityReport

/// Runs every scenario under the given paths and compares predictions with published metrics.
public enum ValidationRun {
    /// - Parameter shard: when given, only this shard's share of the work items: CSV rows in file order,
    ///   then scenario files in sorted order, dealt round-robin, so that `n` shards together cover
    ///   every item exactly once.
    public static func run(paths: [String], catalog: Catalog, shard: Shard? = nil) throws(CatalogError)
        -> ValidationReport
    {
        var cases: [ValidationReport.Case] = []
        var item = 0
        for path in paths where path.lowercased().hasSuffix(".csv") {
            let offset = item
            let report = try ServingSweep.validate(path: path, catalog: catalog) { shard?.owns(offset + $0) ?? true }
            cases += report.cases
            item += try ServingSweep.rowCount(path: path)
        }
        for path in try ScenarioPaths.expand(paths.filter { !$0.lowercased().hasSuffix(".csv") }) {
            defer { item += 1 }
            guard shard?.owns(item) ?? true else { continue }
            let file = try ScenarioFile.load(path: path, catalog: catalog)
            guard let expected = file.scenario.expected, !expected.metrics.isEmpty else { continue }
            let found = try? catalog.stack(for: file.chip, software: file.scenario.system.software).stack
            let stack = found?.name ?? "-"
            let inSample = found.map { derivedFromSource(expected.source, stack: $0, catalog: catalog) } ?? false
            var prediction: ScenarioPrediction?
            var reason: String?
            do {
                prediction = try file.predict(catalog: catalog, bands: false)
            } catch let error as EstimationError {
                reason = error.message
            } catch {
                reason = "\(error)"
            }
            for (metric, value) in expected.metrics.sorted(by: { $0.key < $1.key }) {
                var predicted = prediction?.metrics[metric]
                // A simulated load gives the statistic the source reports, not only the mean.
                if metric == .ttft, let load = prediction?.load, load.drivesTTFT {
                    predicted = load.ttft.value(expected.latencyStatistic)
                }
                var why = reason
                if prediction != nil && predicted == nil { why = "metric not predicted for this workload" }
                if let p = predicted, !p.isFinite {
                    predicted = nil
                    why = "prediction not finite"
                }
                cases.append(
                    .init(
                        id: file.scenario.id,
                        metric: metric.rawValue,
                        expected: value,
                        predicted: predicted,
                        reason: why,
                        lowerBound: expected.lowerBounds.contains(metric),
                        workload: file.scenario.workload.kind,
                        vendor: file.chip.vendor,
                        chip: file.chip.name,
                        model: file.architecture.name,
                        stack: stack
                    )
                )
                cases[cases.count - 1].inSample = inSample
                cases[cases.count - 1].unrounded = prediction?.unrounded[metric]
            }
        }
        return ValidationReport(cases: cases)
    }

    /// Whether a parameter of `stack` was derived from the document a case cites: one of the
    /// parameter's sources is named in `source` by its arXiv id, its repository path or file, or its
    /// page address.
    static func derivedFromSource(_ source: String?, stack: SoftwareStack, catalog: Catalog) -> Bool {
        guard let cited = source?.lowercased(), !cited.isEmpty else { return false }
        let ids = Set(stack.parameters.values.flatMap(\.provenance.sources))
        return ids.contains { id in
            guard let url = catalog.sources.entries[id]?.url else { return false }
            return fingerprints(of: url).contains { cited.contains($0) }
        }
    }

    /// The parts of an address a citation names it by: an arXiv id; a GitHub repository with the
    /// path below it (branch or commit dropped) and the file's name; otherwise host and path.
    static let genericFileNames: Set<String> = ["readme.md", "readme.rst", "readme.txt", "index.md", "index.html"]

    static func fingerprints(of url: String) -> [String] {
        var rest = url.lowercased()
        for prefix in ["https://", "http://", "www."] where rest.hasPrefix(prefix) { rest.removeFirst(prefix.count) }
        while rest.hasSuffix("/") { rest.removeLast() }
        let parts = rest.split(separator: "/").map(String.init)
        guard let host = parts.first else { return [] }
        if host == "arxiv.org", let id = parts.last { return [id.hasSuffix(".pdf") ? String(id.dropLast(4)) : id] }
        if host == "github.com", parts.count >= 3 {
            var path = Array(parts.dropFirst())
            // owner/repo/(tree|blob)/<ref>/path... -> owner/repo/path...
            if path.count >= 4, ["tree", "blob"].contains(path[2]) { path.removeSubrange(2...3) }
            var prints = [path.joined(separator: "/")]
            // A file's name alone identifies it, unless every repository has one (README.md).
            if path.count > 2, let file = path.last, file.contains("."), !Self.genericFileNames.contains(file) {
                prints.append(file)
            }
            return prints
        }
        return parts.count > 1 ? [rest] : []
    }
}
