import Foundation
import ParityCore

/// Efficiencies for a chip, or a parameter, that no stack has evidence for: taken from a stated
/// prior instead of refused, marked transferred and of low confidence, so that their spread widens
/// the answer's band (docs/defaults.md).
///
/// - A chip without a stack takes the stack of the same vendor's nearest chip (by memory bandwidth
///   and BF16 peak); a vendor without any stack takes, parameter by parameter, the median over every
///   stack in the catalog.
/// - A stack without a parameter every prediction needs (the GEMM, attention and memory
///   efficiencies, the link efficiencies and latency, the usable memory) takes that parameter's
///   median over the stacks that measured it.
extension Catalog {
    /// Parameters no prediction can do without; a stack that lacks one is completed from the others.
    /// GEMM efficiencies of other precisions are not among them: a stack without one tells kernels
    /// what its chip does not run (the indexer's 8-bit path), so only a transferred stack gets them.
    /// The expert-imbalance ratios belong to the model's routing and the balancer, not the chip, so a
    /// stack without them takes the measured ones too, and every chip's answer carries the same skew.
    static let requiredParameters: [SoftwareStack.Parameter] = [
        .gemmEfficiencyBF16, .attentionEfficiency, .memoryBandwidthEfficiency, .scaleUpEfficiency,
        .scaleOutEfficiency, .collectiveLatency, .usableMemoryFraction, .expertImbalanceBalanced,
        .expertImbalanceUnbalanced, .expertImbalanceReferenceEP,
    ]
    static let gemmParameters: [SoftwareStack.Parameter] = [
        .gemmEfficiencyFP8, .gemmEfficiencyINT8, .gemmEfficiencyFP4,
    ]

    /// A stack for `chip`, which no stack names: the same vendor's nearest stack, else the median
    /// over all stacks, every parameter transferred. Nil when the catalog has no stack at all.
    func transferredStack(for chip: Chip) -> (stack: SoftwareStack, note: String)? {
        let named = stacks.compactMap { stack in
            stack.chips.lazy.compactMap { try? self.chip(named: $0) }.first.map { (stack, $0) }
        }
        let sameVendor = named.filter { $0.1.vendor == chip.vendor }
        if let (source, sourceChip) = sameVendor.min(by: { distance(chip, $0.1) < distance(chip, $1.1) }) {
            var stack = source
            stack.name = "\(source.name) (transferred to \(chip.name))"
            stack.chips = [chip.name]
            stack.matches = []
            for (parameter, evidence) in source.parameters {
                stack.parameters[parameter] = Self.transferred(evidence, from: "\(source.name) on \(sourceChip.name)")
            }
            let note =
                "No stack has evidence for \(chip.name): the efficiencies of '\(source.name)' (\(sourceChip.name), the same vendor's nearest chip) are transferred, each marked low confidence, so they widen the bands."
            return (completed(stack, gemm: true), note)
        }
        guard !stacks.isEmpty else { return nil }
        var stack = SoftwareStack(
            name: "cross-vendor median (transferred to \(chip.name))",
            description: "The median of each parameter over every stack in the catalog.",
            chips: [chip.name],
            matches: [],
            parameters: [:]
        )
        for parameter in SoftwareStack.Parameter.allCases {
            if let evidence = median(of: parameter) { stack.parameters[parameter] = evidence }
        }
        let note =
            "No stack has evidence for \(chip.name) or its vendor: each efficiency is the median over the catalog's \(stacks.count) stacks, marked low confidence, so they widen the bands."
        return (stack, note)
    }

    /// The stack with each required parameter it lacks (and, with `gemm`, each GEMM precision) taken
    /// from the median of the stacks that have it.
    func completed(_ stack: SoftwareStack, gemm: Bool = false) -> SoftwareStack {
        var stack = stack
        for parameter in Self.requiredParameters + (gemm ? Self.gemmParameters : [])
        where stack.parameters[parameter] == nil {
            if let evidence = median(of: parameter) { stack.parameters[parameter] = evidence }
        }
        return stack
    }

    /// A parameter's median over the stacks that measured it, as transferred evidence.
    func median(of parameter: SoftwareStack.Parameter) -> SoftwareStack.Evidence? {
        var measured = stacks.compactMap { s in
            s.parameters[parameter].flatMap { $0.evidence.hasPrefix("Transferred") ? nil : ($0, s.name) }
        }
        // One measurement counts once: a stack that restates another's value from the same sources
        // (a framework stack, or two generations sharing a die) does not weigh twice.
        var seen: Set<String> = []
        measured = measured.filter { evidence, _ in
            seen.insert("\(evidence.value) \(evidence.provenance.sources.sorted())").inserted
        }
        guard !measured.isEmpty else { return nil }
        let sorted = measured.sorted { $0.0.value < $1.0.value }
        let middle = sorted[sorted.count / 2]
        var evidence = middle.0
        evidence.value =
            sorted.count % 2 == 1 ? middle.0.value : (sorted[sorted.count / 2 - 1].0.value + middle.0.value) / 2
        return Self.transferred(
            evidence,
            from: "the median of \(sorted.count) stacks (\(sorted.map(\.1).joined(separator: ", ")))"
        )
    }

    static func transferred(_ evidence: SoftwareStack.Evidence, from origin: String) -> SoftwareStack.Evidence {
        var moved = evidence
        moved.evidence = "Transferred from \(origin), without evidence for this chip: \(evidence.evidence)"
        moved.provenance.confidence = .low
        return moved
    }

    /// How far apart two chips are: the log-distance of their memory bandwidth and BF16 peak.
    func distance(_ a: Chip, _ b: Chip) -> Double {
        func gap(_ x: Double?, _ y: Double?) -> Double {
            guard let x, let y, x > 0, y > 0 else { return 1 }
            return abs(log(x / y))
        }
        return gap(a.memory.bandwidth?.value, b.memory.bandwidth?.value)
            + gap(a.peak(.bf16)?.value, b.peak(.bf16)?.value)
    }
}
