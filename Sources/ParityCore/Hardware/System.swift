/// A scale-up domain of chips (an 8-GPU server, an NVL72 rack, a CloudMatrix 384 supernode) and
/// how it reaches the rest of a cluster.
public struct System: Hashable, Sendable {
    public var name: String
    public var aliases: [String]
    public var fullName: String
    public var vendor: String?
    /// The catalog name of the chip it holds.
    public var chip: String
    /// Chips in one scale-up domain.
    public var chips: Int
    public var confidence: Confidence
    public var scaleUp: ScaleUp
    public var scaleOut: ScaleOut?
    public var notes: String?

    public init(
        name: String,
        aliases: [String] = [],
        fullName: String,
        vendor: String? = nil,
        chip: String,
        chips: Int,
        confidence: Confidence,
        scaleUp: ScaleUp,
        scaleOut: ScaleOut? = nil,
        notes: String? = nil
    ) {
        self.name = name
        self.aliases = aliases
        self.fullName = fullName
        self.vendor = vendor
        self.chip = chip
        self.chips = chips
        self.confidence = confidence
        self.scaleUp = scaleUp
        self.scaleOut = scaleOut
        self.notes = notes
    }
}

extension System {
    /// How chips inside a scale-up domain are wired.
    public enum Topology: String, Hashable, Sendable, Codable, CaseIterable {
        case switched
        case fullMesh = "full-mesh"
        case torus2D = "torus-2d"
        case torus3D = "torus-3d"
        case twoTierSwitched = "two-tier-switched"
    }

    public struct ScaleUp: Hashable, Sendable {
        public var fabric: String?
        public var topology: Topology?
        /// Per chip, both directions, as vendors quote it.
        public var bidirectionalBandwidth: BytesPerSecond?
        /// Measured per-direction bandwidth, where a benchmark gives one.
        public var achievableBandwidthPerDirection: BytesPerSecond?
        public var latency: Seconds?
        public var provenance: Provenance
        public init(
            fabric: String?,
            topology: Topology?,
            bidirectionalBandwidth: BytesPerSecond?,
            achievableBandwidthPerDirection: BytesPerSecond?,
            latency: Seconds?,
            provenance: Provenance
        ) {
            self.fabric = fabric
            self.topology = topology
            self.bidirectionalBandwidth = bidirectionalBandwidth
            self.achievableBandwidthPerDirection = achievableBandwidthPerDirection
            self.latency = latency
            self.provenance = provenance
        }
    }

    public struct ScaleOut: Hashable, Sendable {
        /// NIC line rate per chip.
        public var bandwidth: BytesPerSecond?
        /// Measured bandwidth per NIC, where a benchmark gives one.
        public var achievableBandwidth: BytesPerSecond?
        public var fabric: String?
        public var provenance: Provenance
        public init(
            bandwidth: BytesPerSecond?,
            achievableBandwidth: BytesPerSecond?,
            fabric: String?,
            provenance: Provenance
        ) {
            self.bandwidth = bandwidth
            self.achievableBandwidth = achievableBandwidth
            self.fabric = fabric
            self.provenance = provenance
        }
    }
}
