import Foundation
import ParityCore
import ParityReport
import Synchronization
import Testing

@testable import ParityCatalog

/// Validation is the product's own test: predicted against published values for every case in the
/// repository's validation sets, held to the bounds in `validation/bounds.yaml`, which only tighten.
struct AccuracyRatchetTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static let bounds: Node = {
        do { return try Node.load(path: root + "/validation/bounds.yaml") } catch { fatalError("\(error)") }
    }()

    static var sets: [String] { bounds.keys }

    static func available(_ set: String) -> Bool {
        guard case .array(let items, _)? = bounds[set]?["paths"] else { return false }
        return items.compactMap(\.stringValue).allSatisfy { FileManager.default.fileExists(atPath: root + "/" + $0) }
    }

    static func paths(of set: String) -> [String] {
        guard case .array(let items, _)? = bounds[set]?["paths"] else { return [] }
        return items.compactMap(\.stringValue)
    }

    /// Sets that read the same files (the sweep's TPOT and TTFT) share one validation run.
    static let shared = Mutex<[[String]: ValidationReport]>([:])

    static func report(_ paths: [String]) throws -> ValidationReport {
        if let done = shared.withLock({ $0[paths] }) { return done }
        let report = try ValidationRun.run(paths: paths, catalog: Fixtures.catalog)
        shared.withLock { $0[paths] = report }
        return report
    }

    /// Every set's files are in the repository (the measured sweep under validation/serving-sweeps),
    /// so every bound is checked on a clone that stands alone.
    @Test(arguments: sets)
    func accuracyStaysWithinItsBound(set: String) throws {
        try check(set)
    }

    func check(_ set: String) throws {
        let bound = try #require(Self.bounds[set])
        let paths = Self.paths(of: set).map { Self.root + "/" + $0 }
        #expect(!paths.isEmpty, "\(set) lists no paths")
        #expect(Self.available(set), "\(set): \(paths.joined(separator: ", ")) not present")
        let report = try Self.report(paths)
        // A set may hold one metric of its files to its bounds (the sweep's TPOT apart from its TTFT).
        let metric = bound["metric"]?.stringValue
        let summary = ValidationReport.summary(report.cases.filter { metric == nil || $0.metric == metric })
        let median = try #require(summary.median)
        let p90 = try #require(summary.p90)
        #expect(median <= (bound["median_abs_error"]?.numberValue ?? 0), "\(set) median |error| \(median)")
        #expect(p90 <= (bound["p90_abs_error"]?.numberValue ?? 0), "\(set) p90 |error| \(p90)")
        #expect(
            summary.predicted >= (bound["min_predicted"]?.integerValue ?? 0),
            "\(set) predicted \(summary.predicted)"
        )
        // Coverage and the median over scenarios (each published configuration once) are held too.
        if let floor = bound["min_coverage"]?.numberValue {
            #expect((summary.coverage ?? 0) >= floor, "\(set) coverage \(summary.coverage ?? 0)")
        }
        if let caseBound = bound["case_median_abs_error"]?.numberValue {
            let caseMedian = try #require(summary.caseMedian)
            #expect(caseMedian <= caseBound, "\(set) median over scenarios \(caseMedian)")
        }
    }

    /// A case whose source a catalog value was derived from is marked, so accuracy can be read on
    /// the independent cases apart.
    @Test func casesFromACalibrationSourceAreMarkedInSample() throws {
        let report = try ValidationRun.run(paths: [Self.root + "/validation/training"], catalog: Fixtures.catalog)
        // The A100 Megatron-LM GEMM efficiency comes from Korthikanti et al. 2022 (arXiv 2205.05198).
        let selective = report.cases.filter { $0.id.hasPrefix("megatron-selective-recompute-530b") }
        #expect(!selective.isEmpty && selective.allSatisfy(\.inSample))
        // MLPerf's GB300 DeepSeek-V3 run is not a source of any Blackwell efficiency.
        let mlperf = report.cases.filter { $0.id.hasPrefix("mlperf-tr60-deepseekv3") }
        #expect(!mlperf.isEmpty && mlperf.allSatisfy { !$0.inSample })
        #expect(report.table.footnotes.contains { $0.hasPrefix("in-sample") && $0.contains("out-of-sample") })
    }
}

extension AccuracyRatchetTests {
    @Test func aReadmeAloneDoesNotMakeACaseInSample() {
        // Every repository has a README.md; a citation of another repository's README is not the
        // stack's source.
        let prints = ValidationRun.fingerprints(of: "https://github.com/a/b/blob/main/microbenchmarks/README.md")
        #expect(!prints.contains("readme.md"))
        #expect(prints.contains("a/b/microbenchmarks/readme.md"))
        #expect(
            ValidationRun.fingerprints(of: "https://github.com/a/b/blob/main/x/bench_flops.py").contains(
                "bench_flops.py"
            )
        )
    }
}
