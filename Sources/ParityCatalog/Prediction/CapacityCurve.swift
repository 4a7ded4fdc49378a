import ParityCore
import ParitySimulation

/// Latency percentiles against offered load: the same scenario simulated at a series of Poisson
/// request rates, and the first rate at which its objectives break.
public struct CapacityCurve: Sendable {
    public struct Point: Sendable {
        public var ratePerSecond: Double
        public var load: LoadSimulation
        /// Whether the objectives hold at the scenario's percentile (p99 when it states none).
        public var meetsObjectives: Bool
    }

    public var points: [Point]
    /// The percentile the objectives are checked at.
    public var percentile: Double
    /// The lowest simulated rate at which an objective breaks; nil when none does.
    public var knee: Double? { points.first { !$0.meetsObjectives }?.ratePerSecond }
}

extension ScenarioFile {
    /// Simulates the scenario at each of `rates` (requests per second, Poisson arrivals).
    /// - Throws: `EstimationError` when the scenario has no aggregated pool to simulate.
    public func capacityCurve(rates: [Double], catalog: Catalog) throws -> CapacityCurve {
        guard case .serving(var serving) = scenario.workload else {
            throw EstimationError("\(scenario.id): a capacity curve needs a serving workload.")
        }
        let percentile = serving.sloPercentile ?? 99
        var points: [CapacityCurve.Point] = []
        for rate in rates {
            var file = self
            serving.requestRatePerSecond = rate
            serving.arrival = .poisson
            serving.concurrency = nil
            file.scenario.workload = .serving(serving)
            file.trace = nil
            let prediction = try file.predict(catalog: catalog, bands: false)
            guard let load = prediction.load else {
                throw EstimationError(
                    "\(scenario.id): the load cannot be simulated (it needs an aggregated pool and, when no trace is given, input and output lengths)."
                )
            }
            func holds(_ summary: LatencySummary?, _ objective: Double?) -> Bool {
                guard let objective, let summary else { return true }
                return (summary.value(atPercentile: percentile) ?? summary.p99) <= objective
            }
            let meets =
                holds(load.ttft, serving.ttftSLOMilliseconds) && holds(load.tpot, serving.tpotSLOMilliseconds)
                && load.rejected == 0
            points.append(.init(ratePerSecond: rate, load: load, meetsObjectives: meets))
        }
        return CapacityCurve(points: points, percentile: percentile)
    }
}
