import ParityCore

/// Predicted against published values for a set of scenarios, with the error summary by group.
public struct ValidationReport: Sendable {
    /// One published metric of one scenario.
    public struct Case: Sendable {
        public var id: String
        public var metric: String
        public var expected: Double
        /// Nil when the scenario could not be predicted.
        public var predicted: Double?
        /// Why there is no prediction.
        public var reason: String?
        /// The source states the value as a lower bound ("over 52%").
        public var lowerBound: Bool
        public var workload: String
        public var vendor: String
        public var chip: String
        public var model: String
        public var stack: String
        /// A catalog value this case's prediction uses was derived from the case's own source, so
        /// the case is not an independent check of it.
        public var inSample = false
        /// The prediction before rounding to the source's grid (capacity to its tried levels).
        public var unrounded: Double?

        public init(
            id: String,
            metric: String,
            expected: Double,
            predicted: Double?,
            reason: String?,
            lowerBound: Bool,
            workload: String,
            vendor: String,
            chip: String,
            model: String,
            stack: String
        ) {
            self.id = id
            self.metric = metric
            self.expected = expected
            self.predicted = predicted
            self.reason = reason
            self.lowerBound = lowerBound
            self.workload = workload
            self.vendor = vendor
            self.chip = chip
            self.model = model
            self.stack = stack
        }

        /// Signed relative error `(predicted − expected) / expected`; a prediction at or above a
        /// lower bound has no error.
        public var error: Double? {
            guard let predicted, expected != 0 else { return nil }
            if lowerBound && predicted >= expected { return 0 }
            return (predicted - expected) / expected
        }
    }

    public var cases: [Case]

    public init(cases: [Case]) { self.cases = cases }

    /// Summary statistics of |error| over a set of cases.
    public struct Summary: Sendable {
        public var predicted: Int
        public var unpredicted: Int
        public var median: Double?
        public var p90: Double?
        /// Scenarios with at least one metric predicted.
        public var scenarios: Int = 0
        /// The median over scenarios of each scenario's median |error|: a published configuration
        /// weighs once, however many metrics it states.
        public var caseMedian: Double?

        /// The share of published metrics predicted.
        public var coverage: Double? {
            predicted + unpredicted > 0 ? Double(predicted) / Double(predicted + unpredicted) : nil
        }
    }

    public static func summary(_ cases: [Case]) -> Summary {
        let errors = cases.compactMap(\.error).map(abs).sorted()
        let byScenario = Dictionary(grouping: cases.filter { $0.error != nil }, by: \.id)
        let perScenario = byScenario.values.compactMap { quantile($0.compactMap(\.error).map(abs).sorted(), 0.5) }
        return Summary(
            predicted: errors.count,
            unpredicted: cases.count - errors.count,
            median: quantile(errors, 0.5),
            p90: quantile(errors, 0.9),
            scenarios: perScenario.count,
            caseMedian: quantile(perScenario.sorted(), 0.5)
        )
    }

    /// Linear-interpolated quantile of sorted values.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position)
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }

    /// Summaries grouped by a key (vendor, chip, model, stack, workload).
    public func grouped(by key: (Case) -> String) -> [(group: String, summary: Summary)] {
        Dictionary(grouping: cases, by: key).map { ($0.key, Self.summary($0.value)) }.sorted { $0.group < $1.group }
    }

    static func percent(_ x: Double?) -> String { x.map { formatNumber($0 * 100, decimals: 1) + "%" } ?? "-" }

    static func number(_ x: Double) -> String {
        abs(x) >= 100
            ? formatNumber(x, decimals: 0) : abs(x) >= 1 ? formatNumber(x, decimals: 2) : formatNumber(x, decimals: 4)
    }

    public var table: Table {
        let rows = cases.map { c -> [String] in
            [
                c.id, c.metric, (c.lowerBound ? ">= " : "") + Self.number(c.expected),
                (c.predicted.map(Self.number) ?? "-") + (c.unrounded.map { " (unrounded \(Self.number($0)))" } ?? ""),
                c.error.map { (($0 >= 0) ? "+" : "") + formatNumber($0 * 100, decimals: 1) + "%" } ?? "-",
                c.reason ?? "",
            ]
        }
        var footnotes: [String] = []
        let all = Self.summary(cases)
        footnotes.append(
            "all: \(all.predicted) predicted, \(all.unpredicted) not predicted; median |error| \(Self.percent(all.median)), p90 \(Self.percent(all.p90))"
        )
        footnotes.append(
            "coverage \(Self.percent(all.coverage)) of published metrics; median over \(all.scenarios) scenarios (each weighing once) \(Self.percent(all.caseMedian))"
        )
        let inside = Self.summary(cases.filter(\.inSample))
        let outside = Self.summary(cases.filter { !$0.inSample })
        footnotes.append(
            "in-sample (a catalog value derived from the case's own source): \(inside.predicted) metrics, median \(Self.percent(inside.median)); out-of-sample: \(outside.predicted), median \(Self.percent(outside.median))"
        )
        for (name, key) in [
            ("workload", { (c: Case) in c.workload }), ("metric", { $0.metric }), ("vendor", { $0.vendor }),
            ("chip", { $0.chip }), ("model", { $0.model }), ("stack", { $0.stack }),
        ] as [(String, (Case) -> String)] {
            let parts = grouped(by: key).filter { $0.summary.predicted > 0 }.map {
                "\($0.group) \(Self.percent($0.summary.median))/\(Self.percent($0.summary.p90)) (\($0.summary.predicted))"
            }
            if !parts.isEmpty { footnotes.append("by \(name) (median/p90): " + parts.joined(separator: "; ")) }
        }
        return Table(
            columns: ["case", "metric", "published", "predicted", "error", "note"],
            alignments: [.left, .left, .right, .right, .right, .left],
            rows: rows,
            footnotes: footnotes
        )
    }

    public var value: ReportValue {
        func summaryValue(_ s: Summary) -> ReportValue {
            .object([
                .init("predicted", .integer(s.predicted)), .init("not_predicted", .integer(s.unpredicted)),
                .init("median_abs_error", .optional(s.median)), .init("p90_abs_error", .optional(s.p90)),
                .init("coverage", .optional(s.coverage)), .init("scenarios", .integer(s.scenarios)),
                .init("case_median_abs_error", .optional(s.caseMedian)),
            ])
        }
        var groups: [ReportValue.Field] = []
        for (name, key) in [
            ("workload", { (c: Case) in c.workload }), ("metric", { $0.metric }), ("vendor", { $0.vendor }),
            ("chip", { $0.chip }), ("model", { $0.model }), ("stack", { $0.stack }),
        ] as [(String, (Case) -> String)] {
            groups.append(.init(name, .object(grouped(by: key).map { .init($0.group, summaryValue($0.summary)) })))
        }
        groups.append(
            .init(
                "sample",
                .object(
                    grouped(by: { $0.inSample ? "in-sample" : "out-of-sample" }).map {
                        .init($0.group, summaryValue($0.summary))
                    }
                )
            )
        )
        return .object([
            .init(
                "cases",
                .array(
                    cases.map { c in
                        .object([
                            .init("id", .string(c.id)), .init("metric", .string(c.metric)),
                            .init("expected", .number(c.expected)), .init("predicted", .optional(c.predicted)),
                            .init("error", .optional(c.error)), .init("lower_bound", .bool(c.lowerBound)),
                            .init("reason", .optional(c.reason)), .init("workload", .string(c.workload)),
                            .init("vendor", .string(c.vendor)), .init("chip", .string(c.chip)),
                            .init("model", .string(c.model)), .init("stack", .string(c.stack)),
                            .init("in_sample", .bool(c.inSample)), .init("unrounded", .optional(c.unrounded)),
                        ])
                    }
                )
            ),
            .init(
                "summary",
                .object([.init("all", summaryValue(Self.summary(cases))), .init("by", .object(groups))])
            ),
        ])
    }
}
