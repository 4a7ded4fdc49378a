/// A chip's standing under the US export-control rules on advanced computing items, computed
/// from its catalog specs alone.
///
/// Total processing performance (TPP) is the maximum over precisions of dense TOPS (or TFLOPS)
/// times the operand bit length; performance density (PD) is TPP over the applicable die area in
/// mm². The thresholds are those of the rules as summarised in the shared hardware notes (§2–3):
/// ECCN 3A090 of October 2022 (87 FR 62186) and October 2023 (88 FR 73458), the April 2025
/// license requirement reported by Nvidia and Intel, and the January 2026 case-by-case review
/// policy (91 FR 1684). The rules' text governs; this is arithmetic on published specs.
public struct ExportControlStanding: Hashable, Sendable {
    /// Total processing performance, in "bit × TOPS".
    public var tpp: Double
    /// The precision that sets the TPP.
    public var tppPrecision: ComputePrecision
    /// TPP if TF32 is not counted at 32 bits, when that differs (chips whose TF32 runs at the
    /// BF16 rate): the rules' treatment of TF32 is ambiguous there.
    public var tppWithoutTF32: Double?
    /// TPP per mm² of applicable die area, nil when the die area is not published.
    public var performanceDensity: Double?
    /// One outcome per rule, oldest first.
    public var rules: [RuleOutcome]

    /// The outcome of one rule for one chip.
    public struct RuleOutcome: Hashable, Sendable {
        /// A stable id, such as `oct2023_3a090`.
        public var id: String
        /// When the rule took effect (ISO date).
        public var effective: String
        public var title: String
        /// The short verdict, such as `3A090.a.1` or `not controlled`.
        public var verdict: String
        /// Whether the chip meets the rule's test (controlled, license required, or eligible);
        /// nil when a spec the test needs is unknown.
        public var applies: Bool?
        /// How the verdict follows from the specs.
        public var reason: String
    }
}

extension Chip {
    /// The chip's export-control standing, computed from its dense peaks, die area, memory
    /// bandwidth and chip-to-chip bandwidth; nil when the chip quotes no dense peak.
    public var exportControl: ExportControlStanding? {
        var best: (tpp: Double, precision: ComputePrecision)?
        var bestWithoutTF32: Double = 0
        for (precision, rate) in compute.dense.sorted(by: { $0.key < $1.key }) {
            let tpp = rate.value / 1e12 * Double(precision.bitLength)
            if tpp > (best?.tpp ?? -1) + 1e-9 { best = (tpp, precision) }
            if precision != .tf32 { bestWithoutTF32 = max(bestWithoutTF32, tpp) }
        }
        guard let best else { return nil }
        let tpp = best.tpp
        let pd = dieArea.map { tpp / $0.value }
        var rules: [ExportControlStanding.RuleOutcome] = []
        rules.append(october2022(tpp: tpp))
        rules.append(october2023(tpp: tpp, pd: pd))
        rules.append(april2025())
        rules.append(january2026(tpp: tpp))
        let ambiguous = abs(bestWithoutTF32 - tpp) > 0.5 ? bestWithoutTF32 : nil
        return ExportControlStanding(
            tpp: tpp,
            tppPrecision: best.precision,
            tppWithoutTF32: ambiguous,
            performanceDensity: pd,
            rules: rules
        )
    }

    private func october2022(tpp: Double) -> ExportControlStanding.RuleOutcome {
        let threshold = 4_800.0
        let linkThreshold = 600e9
        let id = "oct2022_3a090"
        let title = "ECCN 3A090, October 2022 rule (87 FR 62186)"
        guard tpp >= threshold else {
            return .init(
                id: id,
                effective: "2022-10-07",
                title: title,
                verdict: "not 3A090",
                applies: false,
                reason: "TPP \(Self.format(tpp)) < 4,800"
            )
        }
        guard let link = scaleUp?.bidirectionalBandwidth else {
            return .init(
                id: id,
                effective: "2022-10-07",
                title: title,
                verdict: "undetermined",
                applies: nil,
                reason: "TPP \(Self.format(tpp)) >= 4,800 but the chip-to-chip bandwidth is not in the catalog"
            )
        }
        let gbps = link.value / 1e9
        if link.value >= linkThreshold {
            return .init(
                id: id,
                effective: "2022-10-07",
                title: title,
                verdict: "3A090",
                applies: true,
                reason: "TPP \(Self.format(tpp)) >= 4,800 and chip-to-chip \(Self.format(gbps)) GB/s >= 600"
            )
        }
        return .init(
            id: id,
            effective: "2022-10-07",
            title: title,
            verdict: "not 3A090",
            applies: false,
            reason: "TPP \(Self.format(tpp)) >= 4,800 but chip-to-chip \(Self.format(gbps)) GB/s < 600"
        )
    }

    private func october2023(tpp: Double, pd: Double?) -> ExportControlStanding.RuleOutcome {
        let id = "oct2023_3a090"
        let effective = "2023-11-17"
        let title = "ECCN 3A090, October 2023 rule (88 FR 73458)"
        if tpp >= 4_800 {
            return .init(
                id: id,
                effective: effective,
                title: title,
                verdict: "3A090.a.1",
                applies: true,
                reason: "TPP \(Self.format(tpp)) >= 4,800"
            )
        }
        guard let pd else {
            if tpp < 1_600 {
                return .init(
                    id: id,
                    effective: effective,
                    title: title,
                    verdict: "not 3A090",
                    applies: false,
                    reason: "TPP \(Self.format(tpp)) < 1,600"
                )
            }
            return .init(
                id: id,
                effective: effective,
                title: title,
                verdict: "undetermined",
                applies: nil,
                reason:
                    "TPP \(Self.format(tpp)) < 4,800 and the die area is unknown, so performance density cannot be tested"
            )
        }
        let pdText = "PD \(Self.format(pd, decimals: 2))"
        if tpp >= 1_600 && pd >= 5.92 {
            return .init(
                id: id,
                effective: effective,
                title: title,
                verdict: "3A090.a.2",
                applies: true,
                reason: "TPP \(Self.format(tpp)) >= 1,600 and \(pdText) >= 5.92"
            )
        }
        if tpp >= 2_400 && pd >= 1.6 {
            return .init(
                id: id,
                effective: effective,
                title: title,
                verdict: "3A090.b (if datacenter)",
                applies: true,
                reason: "2,400 <= TPP \(Self.format(tpp)) < 4,800 and 1.6 <= \(pdText) < 5.92"
            )
        }
        if tpp >= 1_600 && pd >= 3.2 {
            return .init(
                id: id,
                effective: effective,
                title: title,
                verdict: "3A090.b (if datacenter)",
                applies: true,
                reason: "TPP \(Self.format(tpp)) >= 1,600 and 3.2 <= \(pdText) < 5.92"
            )
        }
        return .init(
            id: id,
            effective: effective,
            title: title,
            verdict: "not 3A090",
            applies: false,
            reason: "TPP \(Self.format(tpp)) and \(pdText) below every 3A090 threshold"
        )
    }

    private func april2025() -> ExportControlStanding.RuleOutcome {
        let id = "apr2025_bandwidth"
        let effective = "2025-04-09"
        let title =
            "License requirement for China by memory and I/O bandwidth (April 2025, as reported by Nvidia and Intel)"
        let dram = memory.bandwidth.map { $0.value / 1e9 }
        let io = scaleUp?.bidirectionalBandwidth.map { $0.value / 1e9 }
        if let dram, dram >= 1_400 {
            return .init(
                id: id,
                effective: effective,
                title: title,
                verdict: "license required",
                applies: true,
                reason: "memory bandwidth \(Self.format(dram)) GB/s >= 1,400"
            )
        }
        if let io, io >= 1_100 {
            return .init(
                id: id,
                effective: effective,
                title: title,
                verdict: "license required",
                applies: true,
                reason: "I/O (chip-to-chip) bandwidth \(Self.format(io)) GB/s >= 1,100"
            )
        }
        if let dram, let io, dram + io >= 1_700 {
            return .init(
                id: id,
                effective: effective,
                title: title,
                verdict: "license required",
                applies: true,
                reason: "memory + I/O bandwidth \(Self.format(dram + io)) GB/s >= 1,700"
            )
        }
        if dram == nil || io == nil {
            return .init(
                id: id,
                effective: effective,
                title: title,
                verdict: "undetermined",
                applies: nil,
                reason: "memory or chip-to-chip bandwidth is not in the catalog"
            )
        }
        return .init(
            id: id,
            effective: effective,
            title: title,
            verdict: "below thresholds",
            applies: false,
            reason: "memory, I/O and combined bandwidth below 1,400 / 1,100 / 1,700 GB/s"
        )
    }

    private func january2026(tpp: Double) -> ExportControlStanding.RuleOutcome {
        let id = "jan2026_case_by_case"
        let effective = "2026-01-15"
        let title = "Case-by-case license review for China (91 FR 1684): TPP < 21,000 and DRAM bandwidth < 6,500 GB/s"
        guard let bandwidth = memory.bandwidth else {
            return .init(
                id: id,
                effective: effective,
                title: title,
                verdict: "undetermined",
                applies: nil,
                reason: "memory bandwidth is not in the catalog"
            )
        }
        let gbps = bandwidth.value / 1e9
        if tpp < 21_000 && gbps < 6_500 {
            return .init(
                id: id,
                effective: effective,
                title: title,
                verdict: "case-by-case eligible",
                applies: true,
                reason: "TPP \(Self.format(tpp)) < 21,000 and memory bandwidth \(Self.format(gbps)) GB/s < 6,500"
            )
        }
        return .init(
            id: id,
            effective: effective,
            title: title,
            verdict: "presumption of denial",
            applies: false,
            reason: "TPP \(Self.format(tpp)) or memory bandwidth \(Self.format(gbps)) GB/s at or above the line"
        )
    }

    static func format(_ value: Double, decimals: Int = 0) -> String {
        formatNumber(value, decimals: decimals)
    }
}

/// Formats a number with thousands separators and a fixed number of decimals, without
/// Foundation (the core has no dependencies).
public func formatNumber(_ value: Double, decimals: Int = 0) -> String {
    guard value.isFinite else { return String(value) }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (abs(value) * scale).rounded()
    let integerPart = Int(rounded / scale)
    var fraction = Int(rounded - Double(integerPart) * scale)
    var digits = String(integerPart)
    var grouped = ""
    while digits.count > 3 {
        grouped = "," + digits.suffix(3) + grouped
        digits = String(digits.dropLast(3))
    }
    grouped = digits + grouped
    var text = (value < 0 && rounded > 0 ? "-" : "") + grouped
    if decimals > 0 {
        var fractionDigits = ""
        for _ in 0..<decimals {
            fractionDigits = String(fraction % 10) + fractionDigits
            fraction /= 10
        }
        text += "." + fractionDigits
    }
    return text
}
