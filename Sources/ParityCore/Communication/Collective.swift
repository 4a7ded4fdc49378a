/// A link a collective crosses, as seen by one chip: achievable bandwidth per direction and the
/// latency of one step.
public struct Link: Hashable, Sendable {
    public var name: String
    public var bandwidth: BytesPerSecond
    public var latency: Seconds

    public init(name: String, bandwidth: BytesPerSecond, latency: Seconds) {
        self.name = name
        self.bandwidth = bandwidth
        self.latency = latency
    }
}

/// α–β time of the standard collectives over `n` ranks: the bandwidth term of ring algorithms
/// (Thakur et al. 2005) at the link's achieved bus bandwidth, plus one latency per collective, as
/// nccl-tests measures small messages (docs/calibration-evidence.md §4.3).
public enum Collective {
    /// All-reduce of `bytes` per rank: `2 (n−1)/n × bytes / β + α`.
    public static func allReduce(bytes: Bytes, ranks n: Int, link: Link) -> Seconds {
        guard n > 1 else { return .zero }
        let steps = Double(n - 1)
        return Seconds(2 * steps / Double(n) * bytes.value / link.bandwidth.value + link.latency.value)
    }

    /// All-gather or reduce-scatter of `bytes` (the full, gathered size) per rank: `(n−1)/n × bytes / β + α`.
    public static func allGather(bytes: Bytes, ranks n: Int, link: Link) -> Seconds {
        guard n > 1 else { return .zero }
        let steps = Double(n - 1)
        return Seconds(steps / Double(n) * bytes.value / link.bandwidth.value + link.latency.value)
    }

    /// All-to-all where each rank sends `bytes` in total, spread over the other ranks.
    public static func allToAll(bytes: Bytes, ranks n: Int, link: Link) -> Seconds {
        guard n > 1 else { return .zero }
        return Seconds(Double(n - 1) / Double(n) * bytes.value / link.bandwidth.value + link.latency.value)
    }

    /// A point-to-point send of `bytes`.
    public static func send(bytes: Bytes, link: Link) -> Seconds {
        Seconds(bytes.value / link.bandwidth.value + link.latency.value)
    }
}
