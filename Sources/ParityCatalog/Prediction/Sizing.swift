import ParityCore

extension ScenarioFile {
    /// The chip counts weighed for a scenario that does not state one: whole scale-up domains
    /// (1 to 16 of them) for small domains; for a large one (a rack of 72, a supernode), powers of
    /// two from 8 up to the domain, and the whole domain while it is 512 chips or fewer.
    public var sizingCandidates: [Int] {
        let domain = max(1, system?.chips ?? chip.scaleUp?.maxDomain ?? 1)
        if domain <= 16 { return [1, 2, 4, 8, 16].map { $0 * domain } }
        let powers = [8, 16, 32, 64, 128, 256, 512].filter { $0 < domain }
        return powers + (domain <= 512 ? [domain] : [])
    }

    /// The scenario at `chips` chips, the count stated.
    public func sized(_ chips: Int) -> ScenarioFile {
        var variant = self
        variant.scenario.system.chips = chips
        variant.scenario.system.chipsStated = true
        return variant
    }

    /// A scenario without `system.chips`, predicted at the count Parity chooses.
    /// - Serving: the smallest candidate count whose rate per chip (meeting the objectives) is within
    ///   2% of the best candidate's.
    /// - Training: the system's scale-up domain, doubled until a plan fits.
    func predictSized(catalog: Catalog, bands withBands: Bool) throws -> ScenarioPrediction {
        var chosen: (chips: Int, prediction: ScenarioPrediction)?
        var weighed: [(chips: Int, rate: Double, meets: Bool, prediction: ScenarioPrediction)] = []
        var firstError: (any Error)?
        switch scenario.workload {
        case .training:
            var chips = max(1, system?.chips ?? chip.scaleUp?.maxDomain ?? 1)
            while chips <= 65_536 && chosen == nil {
                do {
                    let p = try sized(chips).predict(catalog: catalog, bands: false)
                    if p.training?.fits ?? true { chosen = (chips, p) }
                } catch {
                    if firstError == nil { firstError = error }
                }
                chips *= 2
            }
        case .serving(let serving):
            for chips in sizingCandidates {
                do {
                    let p = try sized(chips).predict(catalog: catalog, bands: false)
                    let rate = p.metrics[.outputTokensPerSecondPerChip] ?? p.metrics[.decodeTokensPerSecondPerChip] ?? 0
                    let meets = serving.tpotSLOMilliseconds.map { (p.metrics[.tpot] ?? .infinity) <= $0 + 1e-9 } ?? true
                    weighed.append((chips, rate, meets, p))
                } catch {
                    if firstError == nil { firstError = error }
                }
            }
            let pool = weighed.contains { $0.meets } ? weighed.filter(\.meets) : weighed
            if let best = pool.map(\.rate).max() {
                chosen = pool.first { $0.rate >= best * 0.98 }.map { ($0.chips, $0.prediction) }
            }
        }
        guard let (chips, found) = chosen else {
            throw firstError
                ?? EstimationError(
                    "\(scenario.id): system.chips not stated, and no count of \(chip.name) up to the sizes weighed holds the model."
                )
        }
        var prediction = found
        prediction.chips = chips
        if withBands { prediction.bands = sized(chips).bands(around: found, catalog: catalog) }
        let counts = weighed.map { String($0.chips) }.joined(separator: ", ")
        let why =
            weighed.isEmpty
            ? "the \(system?.name ?? chip.name) domain, doubled until a plan fits"
            : "the smallest of \(counts) within 2% of the best rate per chip\(weighed.contains { !$0.meets } ? " that meets the objectives" : "")"
        prediction.notes.insert("system.chips not stated: \(chips) x \(chip.name), \(why).", at: 0)
        return prediction
    }
}
