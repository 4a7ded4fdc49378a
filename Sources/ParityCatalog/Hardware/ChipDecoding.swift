import ParityCore

/// Decodes chip and system files (docs/catalog-format.md) strictly: unknown keys, untyped
/// numbers and unknown sources are errors naming the file and key path.
enum HardwareDecoding {
    static func provenance(_ r: inout ObjectReader, sources: SourceRegistry, fallback: Confidence) throws(CatalogError)
        -> Provenance
    {
        let ids = try r.stringList("source")
        for (i, id) in ids.enumerated() where sources.entries[id] == nil {
            throw CatalogError(
                file: r.file,
                keyPath: "\(r.path).source[\(i)]",
                message: "Unknown source id '\(id)'.",
                fix: "Add it to sources.yaml or use a known id."
            )
        }
        let confidence = try r.optionalEnum("confidence", Confidence.self) ?? fallback
        return Provenance(sources: ids, confidence: confidence)
    }

    static func chip(_ node: Node, file: String, sources: SourceRegistry) throws(CatalogError) -> Chip {
        var r = try ObjectReader(node, file: file)
        let name = try r.string("name")
        let confidence = try r.optionalEnum("confidence", Confidence.self) ?? .low
        var compute = try r.object("compute")
        var denseReader = try compute.object("dense")
        var dense: [ComputePrecision: FLOPsPerSecond] = [:]
        for key in denseReader.keys {
            guard let precision = ComputePrecision(rawValue: key) else {
                throw denseReader.error(
                    key,
                    "Unknown precision.",
                    fix: "Use one of: \(ComputePrecision.allCases.map(\.rawValue).joined(separator: ", "))."
                )
            }
            if let rate = try denseReader.optionalComputeRate(key) { dense[precision] = rate }
        }
        try denseReader.finish()
        let computeProvenance = try provenance(&compute, sources: sources, fallback: confidence)
        try compute.finish()

        var memoryReader = try r.object("memory")
        let memory = Chip.Memory(
            type: try memoryReader.optionalString("type"),
            capacity: try memoryReader.optionalBytes("capacity"),
            bandwidth: try memoryReader.optionalBandwidth("bandwidth"),
            provenance: try provenance(&memoryReader, sources: sources, fallback: confidence)
        )
        try memoryReader.finish()

        var scaleUp: Chip.ScaleUp?
        if var s = try r.optionalObject("scale_up") {
            scaleUp = Chip.ScaleUp(
                name: try s.optionalString("name"),
                bidirectionalBandwidth: try s.optionalBandwidth("bidirectional_bandwidth"),
                maxDomain: try s.optionalInteger("max_domain", minimum: 1),
                provenance: try provenance(&s, sources: sources, fallback: confidence)
            )
            try s.finish()
        }
        var scaleOut: Chip.ScaleOut?
        if var s = try r.optionalObject("scale_out") {
            scaleOut = Chip.ScaleOut(
                bandwidth: try s.optionalBandwidth("bandwidth"),
                technology: try s.optionalString("technology"),
                provenance: try provenance(&s, sources: sources, fallback: confidence)
            )
            try s.finish()
        }
        var power: Chip.Power?
        if var s = try r.optionalObject("power") {
            power = Chip.Power(
                tdp: try s.optionalPower("tdp"),
                provenance: try provenance(&s, sources: sources, fallback: confidence)
            )
            try s.finish()
        }
        var prices: [Chip.Price] = []
        for var p in try r.objectList("prices") {
            guard let kind = try p.optionalEnum("kind", Chip.Price.Kind.self) else {
                throw p.error("kind", "Missing required key.", fix: "Use hourly or purchase.")
            }
            let hourly = kind == .hourly
            let low = try p.optionalDollars("low", hourly: hourly)
            let high = try p.optionalDollars("high", hourly: hourly)
            guard let value = low ?? high else {
                throw p.error("low", "A price needs `low` or `high`.")
            }
            prices.append(
                Chip.Price(
                    kind: kind,
                    low: low ?? value,
                    high: high ?? value,
                    date: try p.optionalString("date"),
                    what: try p.optionalString("what"),
                    provenance: try provenance(&p, sources: sources, fallback: .low)
                )
            )
            try p.finish()
        }
        let dieArea = try r.optionalArea("die_area")
        let dieAreaSources = try r.stringList("die_area_source")
        for (i, id) in dieAreaSources.enumerated() where sources.entries[id] == nil {
            throw CatalogError(
                file: file,
                keyPath: "die_area_source[\(i)]",
                message: "Unknown source id '\(id)'.",
                fix: "Add it to sources.yaml or use a known id."
            )
        }
        let chip = Chip(
            name: name,
            aliases: try r.stringList("aliases"),
            vendor: try r.string("vendor"),
            fullName: try r.optionalString("full_name") ?? name,
            architecture: try r.optionalString("architecture"),
            year: try r.optionalInteger("year", minimum: 1_990, maximum: 2_100),
            process: try r.optionalString("process"),
            confidence: confidence,
            dies: try r.optionalInteger("dies", minimum: 1) ?? 1,
            dieArea: dieArea,
            dieAreaProvenance: dieAreaSources.isEmpty
                ? nil : Provenance(sources: dieAreaSources, confidence: confidence),
            compute: Chip.Compute(dense: dense, provenance: computeProvenance),
            memory: memory,
            scaleUp: scaleUp,
            scaleOut: scaleOut,
            power: power,
            prices: prices,
            notes: try r.optionalString("notes")
        )
        var result = chip
        result.ranksPerChip = try r.optionalInteger("ranks_per_chip", minimum: 1) ?? 1
        try r.finish()
        return result
    }

    static func system(_ node: Node, file: String, sources: SourceRegistry) throws(CatalogError) -> System {
        var r = try ObjectReader(node, file: file)
        let name = try r.string("name")
        let confidence = try r.optionalEnum("confidence", Confidence.self) ?? .low
        var up = try r.object("scale_up")
        let scaleUp = System.ScaleUp(
            fabric: try up.optionalString("fabric"),
            topology: try up.optionalEnum("topology", System.Topology.self),
            bidirectionalBandwidth: try up.optionalBandwidth("bidirectional_bandwidth"),
            achievableBandwidthPerDirection: try up.optionalBandwidth("achievable_bandwidth_per_direction"),
            latency: try up.optionalDuration("latency"),
            provenance: try provenance(&up, sources: sources, fallback: confidence)
        )
        try up.finish()
        var scaleOut: System.ScaleOut?
        if var s = try r.optionalObject("scale_out") {
            scaleOut = System.ScaleOut(
                bandwidth: try s.optionalBandwidth("bandwidth"),
                achievableBandwidth: try s.optionalBandwidth("achievable_bandwidth"),
                fabric: try s.optionalString("fabric"),
                provenance: try provenance(&s, sources: sources, fallback: confidence)
            )
            try s.finish()
        }
        let system = System(
            name: name,
            aliases: try r.stringList("aliases"),
            fullName: try r.optionalString("full_name") ?? name,
            vendor: try r.optionalString("vendor"),
            chip: try r.string("chip"),
            chips: try r.integer("chips", minimum: 1),
            confidence: confidence,
            scaleUp: scaleUp,
            scaleOut: scaleOut,
            notes: try r.optionalString("notes")
        )
        try r.finish()
        return system
    }
}

/// The catalog's registry of sources (`sources.yaml`).
public struct SourceRegistry: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var id: String
        public var title: String
        public var url: String?
        public var date: String?
        public var type: String?
    }
    public var entries: [String: Entry]
    public var confidenceLevels: [String: String]

    static func decode(_ node: Node, file: String) throws(CatalogError) -> SourceRegistry {
        var r = try ObjectReader(node, file: file)
        var levels: [String: String] = [:]
        if var c = try r.optionalObject("confidence") {
            for key in c.keys { levels[key] = try c.optionalString(key) }
            try c.finish()
        }
        var entries: [String: Entry] = [:]
        var s = try r.object("sources")
        for id in s.keys {
            var e = try ObjectReader(try s.requiredNode(id), file: file, path: "sources.\(id)")
            entries[id] = Entry(
                id: id,
                title: try e.string("title"),
                url: try e.optionalString("url"),
                date: try e.optionalString("date"),
                type: try e.optionalString("type")
            )
            e.ignore("citation", "repo", "commit", "note", "notes")
            try e.finish()
        }
        try s.finish()
        try r.finish()
        return SourceRegistry(entries: entries, confidenceLevels: levels)
    }
}
