import ParityCore

extension HardwareDecoding {
    /// Decodes a software-stack file (`stacks/NAME.yaml`, docs/catalog-format.md).
    /// A stack as written: its own parameters and, optionally, the stack it extends (a framework on
    /// the same chips, whose evidence holds as is) or the stack it transfers from (an earlier
    /// generation, whose evidence is moved to these chips and marked low).
    static func stack(_ node: Node, file: String, sources: SourceRegistry) throws(CatalogError) -> StackFile {
        var r = try ObjectReader(node, file: file)
        let name = try r.string("name")
        let description = try r.optionalString("description")
        let extends = try r.optionalString("extends")
        let transfersFrom = try r.optionalString("transfers_from")
        if extends != nil && transfersFrom != nil {
            throw r.error(
                "transfers_from",
                "A stack either extends another on the same chips or transfers from an earlier generation, not both.",
                fix: "Keep `extends` for a framework stack, `transfers_from` for a new chip generation."
            )
        }
        let chips = try r.stringList("chips")
        if chips.isEmpty && extends == nil {
            throw r.error("chips", "A stack names the chips it runs on, or the stack it extends.")
        }
        let matches = try r.stringList("software").map { $0.lowercased() }
        var parameters: [SoftwareStack.Parameter: SoftwareStack.Evidence] = [:]
        var p =
            try r.optionalObject("parameters") ?? ObjectReader(.object([], line: nil), file: file, path: "parameters")
        for key in p.keys {
            guard let parameter = SoftwareStack.Parameter(rawValue: key) else {
                throw p.error(
                    key,
                    "Unknown efficiency parameter.",
                    fix: "Use one of: \(SoftwareStack.Parameter.allCases.map(\.rawValue).joined(separator: ", "))."
                )
            }
            var e = try p.object(key)
            let value: Double
            if parameter.isFraction {
                value = try e.number("value", minimum: 0, exclusiveMinimum: true)
                if value > 1 { throw e.error("value", "An efficiency is a fraction in (0, 1], found \(value).") }
            } else if parameter.isRatio {
                value = try e.number("value", minimum: 1, exclusiveMinimum: false)
            } else if parameter.isCount {
                value = try e.number("value", minimum: 0, exclusiveMinimum: false)
                let maximum: Double = parameter == .gradientOverlap ? 2 : 1_000_000
                if value > maximum { throw e.error("value", "A count above \(Int(maximum)) here, found \(value).") }
                guard value == value.rounded() else {
                    throw e.error("value", "A count is a whole number, found \(value).", fix: "Round it.")
                }
                if parameter == .expertImbalanceReferenceEP && value < 2 {
                    throw e.error(
                        "value",
                        "An expert-parallel degree of at least 2 is needed to scale imbalance by, found \(Int(value)).",
                        fix: "Give the EP degree the imbalance ratios were measured at."
                    )
                }
            } else {
                guard let seconds = try e.optionalDuration("value") else {
                    throw e.error("value", "Missing required key.", fix: "Give a duration such as \"10 us\".")
                }
                value = seconds.value
            }
            let evidence = try e.string("evidence")
            let provenance = try provenance(&e, sources: sources, fallback: .low)
            guard !provenance.sources.isEmpty else {
                throw e.error(
                    "source",
                    "Every efficiency names the evidence it comes from.",
                    fix: "Add `source: [id]`."
                )
            }
            try e.finish()
            parameters[parameter] = .init(value: value, evidence: evidence, provenance: provenance)
        }
        try p.finish()
        try r.finish()
        let stack = SoftwareStack(
            name: name,
            description: description,
            chips: chips,
            matches: matches,
            parameters: parameters
        )
        return StackFile(stack: stack, extends: extends, transfersFrom: transfersFrom)
    }
}

/// A stack file as written, before its `extends` or `transfers_from` is resolved.
struct StackFile {
    var stack: SoftwareStack
    /// A framework stack on the same chips: the base's parameters hold as they are.
    var extends: String?
    /// An earlier generation: its parameters fill what this stack does not state, transferred.
    var transfersFrom: String?
}
