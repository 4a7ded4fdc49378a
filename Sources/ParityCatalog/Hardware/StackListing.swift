internal import ParityCore

/// One row of `parity catalog stacks`: a software stack, the chips it names, the chips that take
/// it by transfer, how many of its parameters rest on evidence and which it takes from the others.
public struct StackListing: Sendable {
    public var name: String
    public var description: String?
    /// Chips the stack's file names.
    public var chips: [String]
    /// Chips without a stack of their own whose default is this stack, transferred.
    public var transferredTo: [String]
    /// Parameters with evidence of their own (not transferred), and those of low confidence.
    public var evidenceCount: Int
    public var lowConfidence: Int
    /// Parameters taken from elsewhere: those its earlier generation gives (`transfers_from`) and
    /// the required ones it lacks, which it takes from the median of the stacks that measured them.
    public var transferredParameters: [String]
    /// Words of `system.software` that select it; empty for a chip's default stack.
    public var matches: [String]
}

extension Catalog {
    /// Every stack, then one row for the cross-vendor median that chips of a vendor without any
    /// stack take (when such chips exist).
    public func stackListings() -> [StackListing] {
        var transfers: [String: [String]] = [:]
        for chip in chips where !stacks.contains(where: { $0.chips.contains(chip.name) }) {
            guard let (stack, _) = transferredStack(for: chip) else { continue }
            let origin =
                stack.name.hasPrefix("cross-vendor median")
                ? "cross-vendor median" : String(stack.name.prefix { $0 != " " })
            transfers[origin, default: []].append(chip.name)
        }
        var rows = stacks.map { stack in
            let own = stack.parameters.values.filter { !$0.evidence.hasPrefix("Transferred") }
            let missing = Self.requiredParameters.filter { stack.parameters[$0] == nil && median(of: $0) != nil }
            let moved = stack.parameters.filter { $0.value.evidence.hasPrefix("Transferred") }.keys.sorted()
            return StackListing(
                name: stack.name,
                description: stack.description,
                chips: stack.chips,
                transferredTo: transfers[stack.name] ?? [],
                evidenceCount: own.count,
                lowConfidence: own.filter { $0.provenance.confidence == .low }.count,
                transferredParameters: (moved + missing).map(\.rawValue),
                matches: stack.matches
            )
        }
        if let median = transfers["cross-vendor median"] {
            rows.append(
                StackListing(
                    name: "cross-vendor median",
                    description:
                        "For a chip whose vendor has no stack: each parameter is the median over the stacks that measured it, transferred and of low confidence.",
                    chips: [],
                    transferredTo: median,
                    evidenceCount: 0,
                    lowConfidence: 0,
                    transferredParameters: SoftwareStack.Parameter.allCases.filter { self.median(of: $0) != nil }
                        .map(\.rawValue),
                    matches: []
                )
            )
        }
        return rows
    }
}
