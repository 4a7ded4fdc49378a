public import ParityCore

/// The same scenario on several systems, each at its own plan: what each predicts, and how they
/// compare per chip, per dollar and per watt.
public struct Comparison: Sendable {
    /// One system's result.
    public struct Entry: Sendable {
        public var system: System
        public var chip: Chip
        public var chips: Int
        public var prediction: ScenarioPrediction?
        /// Why there is no prediction.
        public var reason: String?
        /// The stack whose efficiencies were used.
        public var stack: SoftwareStack?
        /// Catalog inputs of low or medium confidence the result rests on.
        public var weakInputs: [String]
        /// Relative change of the headline rate when one spec improves by 10%, largest first.
        public var sensitivity: [(spec: String, change: Double)] = []

        /// The headline rate: training tokens/s per chip, or output tokens/s per chip for serving.
        public var ratePerChip: Double? {
            guard let m = prediction?.metrics else { return nil }
            return m[.tokensPerSecondPerChip] ?? m[.outputTokensPerSecondPerChip] ?? m[.decodeTokensPerSecondPerChip]
                ?? m[.prefillTokensPerSecondPerChip]
        }

        /// The headline rate's band over what the prediction assumed; nil without a prediction.
        public var rateBand: (low: Double, high: Double)? {
            guard let p = prediction else { return nil }
            let metrics: [Metric] = [
                .tokensPerSecondPerChip, .outputTokensPerSecondPerChip, .decodeTokensPerSecondPerChip,
                .prefillTokensPerSecondPerChip,
            ]
            return metrics.first { p.metrics[$0] != nil }.flatMap { p.bands[$0] }
        }

        /// Mid-point of the chip's hourly price range, in dollars per chip-hour.
        public var hourlyPrice: Double? { chip.hourlyPriceMidpoint }
    }

    public var scenario: String
    public var workload: String
    public var entries: [Entry]

    /// Runs `file`'s workload on each named system with the scenario's chip count, dropping the
    /// scenario's own plan so that each system gets its own (a plan search for training; the
    /// default layout and the largest batch that meets the objectives for serving).
    public static func run(
        file: ScenarioFile,
        systems: [String],
        catalog: Catalog,
        sensitivity: Bool = false
    ) throws(CatalogError) -> Comparison {
        var entries: [Entry] = []
        for name in systems {
            let (system, systemNote) = try catalog.system(orChip: name)
            let chip = try catalog.chip(named: system.chip)
            var variant = file
            variant.chip = chip
            variant.system = system
            variant.scenario.system.chip = chip.name
            variant.scenario.system.node = system.name
            // Without a stated count each system is sized on its own, from its own domain.
            if !file.scenario.system.chipsStated { variant.scenario.system.chips = system.chips }
            // Each system gets its own layout: the scenario's pools keep only their sizes.
            func sized(_ pool: Plan.Pool?) -> Plan.Pool? {
                guard let pool else { return nil }
                var p = Plan.Pool()
                p.chips = pool.chips
                p.instances = pool.instances
                // The load balancer is the software's, not the layout's: it carries over.
                p.expertBalancing = pool.expertBalancing
                return p
            }
            let original = file.scenario.plan
            variant.scenario.plan = Plan(
                training: nil,
                serving: sized(original.serving),
                prefill: sized(original.prefill),
                decode: sized(original.decode)
            )
            var adapted: String?
            (variant.scenario.workload, adapted) = Self.adapt(file.scenario.workload, to: chip)
            var entry = Entry(
                system: system,
                chip: chip,
                chips: file.scenario.system.chips,
                prediction: nil,
                reason: nil,
                stack: nil,
                weakInputs: weakInputs(chip: chip, system: system)
            )
            entry.stack = try? catalog.stack(for: chip, software: file.scenario.system.software).stack
            if let stack = entry.stack {
                // Only the parameters this workload uses: imbalance only where a pool states its balancer.
                let training: Bool
                if case .training = file.scenario.workload { training = true } else { training = false }
                let pools = [original.serving, original.prefill, original.decode].compactMap { $0 }
                let statesBalancer = pools.contains {
                    $0.expertBalancing == .enabled || $0.expertBalancing == .disabled
                }
                var transferred = 0
                for (parameter, evidence) in stack.parameters.sorted(by: { $0.key < $1.key })
                where evidence.provenance.confidence == .low
                    && (training ? parameter.usedInTraining : parameter.usedInServing)
                    && (statesBalancer || !parameter.describesExpertImbalance || !training)
                {
                    // Measured but weak parameters are named; transferred ones are counted, since
                    // `catalog stacks` and the notes say where each comes from.
                    if evidence.evidence.hasPrefix("Transferred") {
                        transferred += 1
                    } else {
                        entry.weakInputs.append("\(stack.name).\(parameter.rawValue) (low)")
                    }
                }
                if transferred > 0 {
                    entry.weakInputs.append("\(stack.name): \(transferred) transferred parameters (low)")
                }
            }
            do {
                entry.prediction = try variant.predict(catalog: catalog)
                if let chosen = entry.prediction?.chips { entry.chips = chosen }
                if let adapted { entry.prediction?.notes.insert(adapted, at: 0) }
                if let systemNote { entry.prediction?.notes.insert(systemNote, at: 0) }
                if sensitivity, let base = entry.ratePerChip, base > 0 {
                    entry.sensitivity = Self.sensitivity(of: variant, base: base, catalog: catalog)
                }
            } catch let error as EstimationError {
                entry.reason = error.message
            } catch let error as CatalogError {
                entry.reason = error.message
            } catch {
                entry.reason = "\(error)"
            }
            entries.append(entry)
        }
        return Comparison(scenario: file.scenario.id, workload: file.scenario.workload.kind, entries: entries)
    }

    /// The workload with its precisions moved to ones the chip computes in: a format the chip has no
    /// tensor peak for becomes the nearest it has (FP8 → INT8 → BF16; FP4 → FP8 → INT8 → BF16).
    /// Training never moves to an integer format (no training stack computes in INT8): FP8 or FP4
    /// training without such a peak runs in BF16.
    static func adapt(_ workload: Workload, to chip: Chip) -> (Workload, String?) {
        func supported(_ p: Precision?, training: Bool = false) -> Precision? {
            p.map { nearestComputed($0, on: chip, training: training) }
        }
        var changed: [String] = []
        switch workload {
        case .training(var t):
            if let p = t.precision, let s = supported(p, training: true), s != p {
                t.precision = s
                return (
                    .training(t),
                    "\(chip.name) has no \(p.rawValue) tensor peak: trained in \(s.rawValue) instead (precision \(p.rawValue) -> \(s.rawValue))."
                )
            }
            return (.training(t), nil)
        case .serving(var s):
            for (name, keyPath) in [
                ("weights_precision", \Workload.Serving.weightsPrecision),
                ("attention_precision", \Workload.Serving.attentionPrecision),
            ] {
                if let p = s[keyPath: keyPath], let adapted = supported(p), adapted != p {
                    changed.append("\(name) \(p.rawValue) -> \(adapted.rawValue)")
                    s[keyPath: keyPath] = adapted
                }
            }
            return (
                .serving(s),
                changed.isEmpty
                    ? nil
                    : "\(chip.name) computes no \(changed.map { $0.split(separator: " ")[1] }.joined(separator: "/")): \(changed.joined(separator: ", "))."
            )
        }
    }

    /// `p` when the chip has a tensor peak for it; else the nearest format it has one for (FP8 →
    /// INT8 → BF16; FP4 → FP8 → INT8 → BF16; INT8 → FP8 → BF16), never an integer one in training.
    static func nearestComputed(_ p: Precision, on chip: Chip, training: Bool = false) -> Precision {
        if chip.peak(p.computePrecision) != nil { return p }
        var ladder: [Precision] =
            switch p.computePrecision {
            case .fp4, .int4: [.fp8, .int8, .bf16]
            case .fp8, .fp6: [.int8, .bf16]
            case .int8: [.fp8, .bf16]
            default: [.fp16]
            }
        if training { ladder.removeAll { $0 == .int8 || $0 == .int4 } }
        return ladder.first { chip.peak($0.computePrecision) != nil } ?? p
    }

    /// The specs a +10% change is tried on, each as a change to the chip and its system.
    static let perturbations: [(name: String, apply: @Sendable (inout Chip, inout System?) -> Void)] = [
        (
            "+10% compute (dense peaks)",
            { chip, _ in
                var compute = chip.compute
                compute.dense = compute.dense.mapValues { $0 * 1.1 }
                chip.compute = compute
            }
        ),
        (
            "+10% HBM bandwidth",
            { chip, _ in
                var memory = chip.memory
                memory.bandwidth = memory.bandwidth.map { $0 * 1.1 }
                chip.memory = memory
            }
        ),
        (
            "+10% memory capacity",
            { chip, _ in
                var memory = chip.memory
                memory.capacity = memory.capacity.map { $0 * 1.1 }
                chip.memory = memory
            }
        ),
        (
            "+10% scale-up link bandwidth",
            { chip, system in
                if var link = chip.scaleUp {
                    link.bidirectionalBandwidth = link.bidirectionalBandwidth.map { $0 * 1.1 }
                    chip.scaleUp = link
                }
                if var s = system {
                    s.scaleUp.bidirectionalBandwidth = s.scaleUp.bidirectionalBandwidth.map { $0 * 1.1 }
                    s.scaleUp.achievableBandwidthPerDirection = s.scaleUp.achievableBandwidthPerDirection.map {
                        $0 * 1.1
                    }
                    system = s
                }
            }
        ),
        (
            "+10% scale-out bandwidth",
            { chip, system in
                if var out = chip.scaleOut {
                    out.bandwidth = out.bandwidth.map { $0 * 1.1 }
                    chip.scaleOut = out
                }
                if var s = system, var out = s.scaleOut {
                    out.bandwidth = out.bandwidth.map { $0 * 1.1 }
                    out.achievableBandwidth = out.achievableBandwidth.map { $0 * 1.1 }
                    s.scaleOut = out
                    system = s
                }
            }
        ),
    ]

    static func sensitivity(of file: ScenarioFile, base: Double, catalog: Catalog) -> [(spec: String, change: Double)] {
        var result: [(spec: String, change: Double)] = []
        for (name, apply) in perturbations {
            var variant = file
            apply(&variant.chip, &variant.system)
            guard let prediction = try? variant.predict(catalog: catalog, bands: false) else { continue }
            let m = prediction.metrics
            guard
                let rate = m[.tokensPerSecondPerChip] ?? m[.outputTokensPerSecondPerChip]
                    ?? m[.decodeTokensPerSecondPerChip] ?? m[.prefillTokensPerSecondPerChip]
            else { continue }
            result.append((name, rate / base - 1))
        }
        return result.sorted { abs($0.change) > abs($1.change) }
    }

    static func weakInputs(chip: Chip, system: System) -> [String] {
        var weak: [String] = []
        let groups: [(String, Provenance?)] = [
            ("\(chip.name) compute", chip.compute.provenance), ("\(chip.name) memory", chip.memory.provenance),
            ("\(chip.name) scale-up", chip.scaleUp?.provenance), ("\(chip.name) power", chip.power?.provenance),
            ("\(system.name) scale-up", system.scaleUp.provenance),
            ("\(system.name) scale-out", system.scaleOut?.provenance),
        ]
        for (name, provenance) in groups {
            if let p = provenance, p.confidence != .high { weak.append("\(name) (\(p.confidence.rawValue))") }
        }
        for (word, label) in [(" peak ", "peaks"), (" price,", "price"), (" TDP ", "TDP")]
        where chip.transferredSpecs.contains(where: { $0.contains(word) }) {
            weak.append("\(chip.name) \(label) (transferred)")
        }
        return weak
    }

    /// Chips of `entry`'s kind that deliver what the first system's chips deliver.
    public func chipsToMatchFirst(_ entry: Entry) -> Double? {
        guard let first = entries.first, let base = first.ratePerChip, let rate = entry.ratePerChip, rate > 0 else {
            return nil
        }
        return base * Double(first.chips) / rate
    }
}
