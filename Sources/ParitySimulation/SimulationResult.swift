/// One served request's times, seconds from the start of the simulation.
public struct RequestRecord: Hashable, Sendable {
    public var arrival: Double
    public var firstToken: Double
    public var finish: Double
    public var inputTokens: Int
    public var outputTokens: Int

    public var ttft: Double { firstToken - arrival }
    /// Time per output token after the first; nil for one-token answers.
    public var tpot: Double? { outputTokens > 1 ? (finish - firstToken) / Double(outputTokens - 1) : nil }
    public var endToEnd: Double { finish - arrival }
}

/// Mean and percentiles of one latency, in seconds.
public struct LatencySummary: Hashable, Sendable {
    public var mean: Double
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var count: Int

    public init(mean: Double, p50: Double, p90: Double, p99: Double, count: Int) {
        self.mean = mean
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.count = count
    }

    /// The summary of `values`; percentiles interpolate linearly between order statistics.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        mean = sorted.reduce(0, +) / Double(sorted.count)
        p50 = Self.percentile(sorted, 50)
        p90 = Self.percentile(sorted, 90)
        p99 = Self.percentile(sorted, 99)
        count = sorted.count
    }

    /// The `p`-th percentile of sorted values (linear between the closest ranks).
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard sorted.count > 1 else { return sorted.first ?? 0 }
        let rank = min(max(p, 0), 100) / 100 * Double(sorted.count - 1)
        let low = Int(rank)
        let high = min(low + 1, sorted.count - 1)
        let w = rank - Double(low)
        return sorted[low] * (1 - w) + sorted[high] * w
    }

    /// The percentile `p` of this summary where it holds one (50, 90, 99), else nil.
    public func value(atPercentile p: Double) -> Double? {
        switch p {
        case 50: p50
        case 90: p90
        case 99: p99
        default: nil
        }
    }
}

/// The engine over time, one entry per step, or per run of identical decode steps.
public struct Timeline: Hashable, Sendable {
    /// When the entry's last step ended.
    public var stepEnds: [Double]
    /// The length of each of the entry's steps, and how many there were.
    public var stepSeconds: [Double]
    public var repeats: [Int]
    public var decoders: [Int]
    public var prefillTokens: [Int]
    public var waiting: [Int]

    /// At most `points` samples, each the last step of an equal slice of time: for charts.
    public func sampled(points: Int) -> [(time: Double, decoding: Int, waiting: Int)] {
        guard let end = stepEnds.last, end > 0, points > 0 else { return [] }
        var out: [(Double, Int, Int)] = []
        var nextTime = 0.0
        let step = end / Double(points)
        for i in stepEnds.indices where stepEnds[i] >= nextTime {
            out.append((stepEnds[i], decoders[i], waiting[i]))
            nextTime = stepEnds[i] + step
        }
        return out
    }
}

/// What a simulation measured: the benchmark's view of every request.
public struct SimulationResult: Hashable, Sendable {
    public var records: [RequestRecord]
    /// Requests that could never be admitted (a prompt larger than the cache).
    public var rejected: Int
    public var preemptions: Int
    /// Whether the step budget ran out before every request finished.
    public var truncated: Bool
    public var steps: Int
    public var timeline: Timeline

    public var ttft: LatencySummary? { LatencySummary(records.map(\.ttft)) }
    public var tpot: LatencySummary? { LatencySummary(records.compactMap(\.tpot)) }
    public var endToEnd: LatencySummary? { LatencySummary(records.map(\.endToEnd)) }

    /// Inter-token latency: the gap between consecutive tokens of one sequence, i.e. the length of
    /// each decode step, once per sequence decoding in it.
    public var interTokenLatency: LatencySummary? {
        var order = timeline.stepSeconds.indices.filter { timeline.decoders[$0] > 0 }
        guard !order.isEmpty else { return nil }
        order.sort { timeline.stepSeconds[$0] < timeline.stepSeconds[$1] }
        func weight(_ i: Int) -> Int { timeline.decoders[i] * timeline.repeats[i] }
        let total = order.reduce(0) { $0 + weight($1) }
        var sum = 0.0
        for i in order { sum += timeline.stepSeconds[i] * Double(weight(i)) }
        func at(_ p: Double) -> Double {
            let target = p / 100 * Double(total)
            var seen = 0
            for i in order {
                seen += weight(i)
                if Double(seen) >= target { return timeline.stepSeconds[i] }
            }
            return timeline.stepSeconds[order[order.count - 1]]
        }
        return LatencySummary(mean: sum / Double(total), p50: at(50), p90: at(90), p99: at(99), count: total)
    }

    /// Seconds from the first arrival to the last finish.
    public var duration: Double {
        let start = records.map(\.arrival).min() ?? 0
        return max(0, (records.map(\.finish).max() ?? 0) - start)
    }

    /// Output tokens per second over the run.
    public var outputTokensPerSecond: Double {
        duration > 0 ? Double(records.reduce(0) { $0 + $1.outputTokens }) / duration : 0
    }

    /// Requests per second that met both objectives (seconds; nil means no objective).
    public func goodput(ttft: Double?, tpot: Double?) -> Double {
        guard duration > 0 else { return 0 }
        let good = records.filter { r in
            (ttft.map { r.ttft <= $0 } ?? true) && (tpot.map { o in r.tpot.map { $0 <= o } ?? true } ?? true)
        }
        return Double(good.count) / duration
    }
}
