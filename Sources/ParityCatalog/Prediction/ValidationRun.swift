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
            let stack = (try? catalog.stack(for: file.chip, software: file.scenario.system.software))?.stack.name ?? "-"
            var prediction: ScenarioPrediction?
            var reason: String?
            do {
                prediction = try file.predict(catalog: catalog)
            } catch let error as EstimationError {
                reason = error.message
            } catch {
                reason = "\(error)"
            }
            for (metric, value) in expected.metrics.sorted(by: { $0.key < $1.key }) {
                var predicted = prediction?.metrics[metric]
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
            }
        }
        return ValidationReport(cases: cases)
    }
}
