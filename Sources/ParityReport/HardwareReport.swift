public import ParityCore

/// Tables and values describing chips and systems, with their export-control standing.
public enum HardwareReport {
    static func tera(_ rate: FLOPsPerSecond?) -> String {
        rate.map { formatNumber($0.value / 1e12, decimals: 1) } ?? "-"
    }

    /// One row per chip: peaks, memory, links, power, export-control standing and confidence.
    public static func chipTable(_ chips: [Chip]) -> Table {
        let columns = [
            "chip", "vendor", "bf16 TFLOP/s", "fp8 TFLOP/s", "int8 TOP/s", "fp4 TFLOP/s", "memory GB", "HBM TB/s",
            "scale-up GB/s", "TDP W", "TPP", "PD", "3A090 (2023)", "Jan 2026", "confidence",
        ]
        let rows = chips.map { chip -> [String] in
            let ec = chip.exportControl
            return [
                chip.name, chip.vendor, tera(chip.peak(.bf16)), tera(chip.peak(.fp8)), tera(chip.peak(.int8)),
                tera(chip.peak(.fp4)),
                chip.memory.capacity.map { formatNumber($0.value / 1e9) } ?? "-",
                chip.memory.bandwidth.map { formatNumber($0.value / 1e12, decimals: 2) } ?? "-",
                chip.scaleUp?.bidirectionalBandwidth.map { formatNumber($0.value / 1e9) } ?? "-",
                chip.power?.tdp.map { formatNumber($0.value) } ?? "-",
                ec.map { formatNumber($0.tpp) } ?? "-",
                ec?.performanceDensity.map { formatNumber($0, decimals: 2) } ?? "-",
                ec?.rules.first { $0.id == "oct2023_3a090" }?.verdict ?? "-",
                ec?.rules.first { $0.id == "jan2026_case_by_case" }?.verdict ?? "-",
                chip.confidence.rawValue,
            ]
        }
        return Table(
            columns: columns,
            alignments: [.left, .left] + Array(repeating: .right, count: 10) + [.left, .left, .left],
            rows: rows,
            footnotes: [
                "Dense peaks (no sparsity). TPP = max over precisions of dense TOPS x bit length; PD = TPP / die area (mm2).",
                "Export-control verdicts are arithmetic on published specs, not legal advice; `parity catalog chips --format json` gives every rule with its reason.",
            ]
        )
    }

    public static func chipValue(_ chip: Chip) -> ReportValue {
        var dense: [ReportValue.Field] = []
        for (precision, rate) in chip.compute.dense.sorted(by: { $0.key < $1.key }) {
            dense.append(.init(precision.rawValue, .number(rate.value / 1e12)))
        }
        var fields: [ReportValue.Field] = [
            .init("name", .string(chip.name)),
            .init("aliases", .array(chip.aliases.map(ReportValue.string))),
            .init("vendor", .string(chip.vendor)),
            .init("full_name", .string(chip.fullName)),
            .init("confidence", .string(chip.confidence.rawValue)),
            .init("dies", .integer(chip.dies)),
            .init("die_area_mm2", .optional(chip.dieArea?.value)),
            .init("dense_tflops", .object(dense)),
            .init("compute_provenance", provenance(chip.compute.provenance)),
            .init(
                "memory",
                .object([
                    .init("type", .optional(chip.memory.type)),
                    .init("capacity_bytes", .optional(chip.memory.capacity?.value)),
                    .init("bandwidth_bytes_per_s", .optional(chip.memory.bandwidth?.value)),
                    .init("provenance", provenance(chip.memory.provenance)),
                ])
            ),
            .init(
                "scale_up_bidirectional_bytes_per_s",
                .optional(chip.scaleUp?.bidirectionalBandwidth?.value)
            ),
            .init("scale_out_bytes_per_s", .optional(chip.scaleOut?.bandwidth?.value)),
            .init("tdp_w", .optional(chip.power?.tdp?.value)),
            .init("transferred", .array(chip.transferredSpecs.map(ReportValue.string))),
        ]
        fields.append(
            .init(
                "prices",
                .array(
                    chip.prices.map { price in
                        .object([
                            .init("kind", .string(price.kind.rawValue)), .init("low_usd", .number(price.low)),
                            .init("high_usd", .number(price.high)), .init("date", .optional(price.date)),
                            .init("what", .optional(price.what)), .init("provenance", provenance(price.provenance)),
                        ])
                    }
                )
            )
        )
        if let ec = chip.exportControl {
            fields.append(
                .init(
                    "export_control",
                    .object([
                        .init("tpp", .number(ec.tpp)),
                        .init("tpp_precision", .string(ec.tppPrecision.rawValue)),
                        .init("tpp_without_tf32", .optional(ec.tppWithoutTF32)),
                        .init("performance_density", .optional(ec.performanceDensity)),
                        .init(
                            "rules",
                            .array(
                                ec.rules.map { rule in
                                    .object([
                                        .init("id", .string(rule.id)), .init("effective", .string(rule.effective)),
                                        .init("title", .string(rule.title)), .init("verdict", .string(rule.verdict)),
                                        .init("applies", rule.applies.map(ReportValue.bool) ?? .null),
                                        .init("reason", .string(rule.reason)),
                                    ])
                                }
                            )
                        ),
                    ])
                )
            )
        }
        fields.append(.init("notes", .optional(chip.notes)))
        return .object(fields)
    }

    static func provenance(_ p: Provenance) -> ReportValue {
        .object([
            .init("sources", .array(p.sources.map(ReportValue.string))),
            .init("confidence", .string(p.confidence.rawValue)),
        ])
    }

    public static func systemTable(_ systems: [System]) -> Table {
        let rows = systems.map { s -> [String] in
            [
                s.name, s.chip, String(s.chips), s.scaleUp.topology?.rawValue ?? "-",
                s.scaleUp.bidirectionalBandwidth.map { formatNumber($0.value / 1e9) } ?? "-",
                s.scaleUp.achievableBandwidthPerDirection.map { formatNumber($0.value / 1e9) } ?? "-",
                s.scaleOut?.bandwidth.map { formatNumber($0.value * 8 / 1e9) } ?? "-",
                s.confidence.rawValue,
            ]
        }
        return Table(
            columns: [
                "system", "chip", "chips", "topology", "scale-up GB/s (bidir)", "measured GB/s (per dir)",
                "scale-out Gb/s", "confidence",
            ],
            alignments: [.left, .left, .right, .left, .right, .right, .right, .left],
            rows: rows
        )
    }

    public static func systemValue(_ s: System) -> ReportValue {
        .object([
            .init("name", .string(s.name)), .init("aliases", .array(s.aliases.map(ReportValue.string))),
            .init("full_name", .string(s.fullName)), .init("chip", .string(s.chip)), .init("chips", .integer(s.chips)),
            .init("confidence", .string(s.confidence.rawValue)),
            .init(
                "scale_up",
                .object([
                    .init("fabric", .optional(s.scaleUp.fabric)),
                    .init("topology", .optional(s.scaleUp.topology?.rawValue)),
                    .init("bidirectional_bytes_per_s", .optional(s.scaleUp.bidirectionalBandwidth?.value)),
                    .init(
                        "achievable_bytes_per_s_per_direction",
                        .optional(s.scaleUp.achievableBandwidthPerDirection?.value)
                    ),
                    .init("latency_s", .optional(s.scaleUp.latency?.value)),
                    .init("provenance", provenance(s.scaleUp.provenance)),
                ])
            ),
            .init(
                "scale_out",
                s.scaleOut.map { o in
                    .object([
                        .init("bytes_per_s", .optional(o.bandwidth?.value)),
                        .init("achievable_bytes_per_s", .optional(o.achievableBandwidth?.value)),
                        .init("fabric", .optional(o.fabric)), .init("provenance", provenance(o.provenance)),
                    ])
                } ?? .null
            ),
            .init("notes", .optional(s.notes)),
        ])
    }
}
