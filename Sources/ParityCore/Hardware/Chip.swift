/// One accelerator package: its peaks, memory, links, power and price, each group with its
/// provenance. Chips are data: the catalog loads them from YAML files, one per chip.
public struct Chip: Hashable, Sendable {
    public var name: String
    public var aliases: [String]
    public var vendor: String
    public var fullName: String
    public var architecture: String?
    public var year: Int?
    public var process: String?
    public var confidence: Confidence
    /// Compute dies in the package.
    public var dies: Int
    /// Devices the software sees per package (Ascend 910C: 2, one per die; B200: 1).
    public var ranksPerChip: Int = 1
    /// Applicable die area for performance density, nil when not published.
    public var dieArea: SquareMillimetres?
    public var dieAreaProvenance: Provenance?
    public var compute: Compute
    public var memory: Memory
    public var scaleUp: ScaleUp?
    public var scaleOut: ScaleOut?
    public var power: Power?
    public var prices: [Price]
    public var notes: String?
    /// Specs the catalog did not state and took from a stated prior (a peer chip's ratio), each
    /// described with where it came from; empty when every spec used is the catalog's own.
    public var transferredSpecs: [String] = []

    public init(
        name: String,
        aliases: [String] = [],
        vendor: String,
        fullName: String,
        architecture: String? = nil,
        year: Int? = nil,
        process: String? = nil,
        confidence: Confidence,
        dies: Int = 1,
        dieArea: SquareMillimetres? = nil,
        dieAreaProvenance: Provenance? = nil,
        compute: Compute,
        memory: Memory,
        scaleUp: ScaleUp? = nil,
        scaleOut: ScaleOut? = nil,
        power: Power? = nil,
        prices: [Price] = [],
        notes: String? = nil
    ) {
        self.name = name
        self.aliases = aliases
        self.vendor = vendor
        self.fullName = fullName
        self.architecture = architecture
        self.year = year
        self.process = process
        self.confidence = confidence
        self.dies = dies
        self.dieArea = dieArea
        self.dieAreaProvenance = dieAreaProvenance
        self.compute = compute
        self.memory = memory
        self.scaleUp = scaleUp
        self.scaleOut = scaleOut
        self.power = power
        self.prices = prices
        self.notes = notes
    }
}

extension Chip {
    /// Dense peak rates by precision.
    public struct Compute: Hashable, Sendable {
        public var dense: [ComputePrecision: FLOPsPerSecond]
        public var provenance: Provenance
        public init(dense: [ComputePrecision: FLOPsPerSecond], provenance: Provenance) {
            self.dense = dense
            self.provenance = provenance
        }
    }

    public struct Memory: Hashable, Sendable {
        public var type: String?
        public var capacity: Bytes?
        public var bandwidth: BytesPerSecond?
        public var provenance: Provenance
        public init(type: String?, capacity: Bytes?, bandwidth: BytesPerSecond?, provenance: Provenance) {
            self.type = type
            self.capacity = capacity
            self.bandwidth = bandwidth
            self.provenance = provenance
        }
    }

    /// The chip's own chip-to-chip links.
    public struct ScaleUp: Hashable, Sendable {
        public var name: String?
        /// Aggregate bidirectional bandwidth, as vendors quote it.
        public var bidirectionalBandwidth: BytesPerSecond?
        public var maxDomain: Int?
        public var provenance: Provenance
        public init(name: String?, bidirectionalBandwidth: BytesPerSecond?, maxDomain: Int?, provenance: Provenance) {
            self.name = name
            self.bidirectionalBandwidth = bidirectionalBandwidth
            self.maxDomain = maxDomain
            self.provenance = provenance
        }
    }

    public struct ScaleOut: Hashable, Sendable {
        /// NIC line rate per chip.
        public var bandwidth: BytesPerSecond?
        public var technology: String?
        public var provenance: Provenance
        public init(bandwidth: BytesPerSecond?, technology: String?, provenance: Provenance) {
            self.bandwidth = bandwidth
            self.technology = technology
            self.provenance = provenance
        }
    }

    public struct Power: Hashable, Sendable {
        public var tdp: Watts?
        public var provenance: Provenance
        public init(tdp: Watts?, provenance: Provenance) {
            self.tdp = tdp
            self.provenance = provenance
        }
    }

    /// A price observation: a purchase price or an hourly rental, as a range.
    public struct Price: Hashable, Sendable {
        public enum Kind: String, Hashable, Sendable, Codable, CaseIterable { case hourly, purchase }
        public var kind: Kind
        /// Dollars (purchase) or dollars per chip-hour (hourly).
        public var low: Double
        public var high: Double
        public var date: String?
        public var what: String?
        public var provenance: Provenance
        public init(kind: Kind, low: Double, high: Double, date: String?, what: String?, provenance: Provenance) {
            self.kind = kind
            self.low = low
            self.high = high
            self.date = date
            self.what = what
            self.provenance = provenance
        }
    }

    /// The dense peak at `precision`, or nil when the chip does not quote one.
    public func peak(_ precision: ComputePrecision) -> FLOPsPerSecond? { compute.dense[precision] }
}
