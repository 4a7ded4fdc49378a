/// How far a catalog value can be trusted (definitions in the catalog's `sources.yaml`).
public enum Confidence: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    case low, medium, high

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}

/// Where a group of catalog values comes from.
public struct Provenance: Hashable, Sendable, Codable {
    /// Source ids, resolved in the catalog's source registry.
    public var sources: [String]
    public var confidence: Confidence

    public init(sources: [String], confidence: Confidence) {
        self.sources = sources
        self.confidence = confidence
    }
}
