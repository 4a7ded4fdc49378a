/// What arrives at a serving deployment: when requests come and how long their prompts and
/// answers are.
public struct RequestSpec: Hashable, Sendable {
    /// Arrival time, seconds from the start. Closed-loop requests after the first wave arrive when
    /// an earlier one finishes; their stated arrival is ignored.
    public var arrival: Double
    public var inputTokens: Int
    public var outputTokens: Int

    public init(arrival: Double, inputTokens: Int, outputTokens: Int) {
        self.arrival = arrival
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}

/// How requests arrive.
public enum Arrivals: Hashable, Sendable {
    /// A closed loop: `concurrency` requests in flight; each one that finishes is replaced at once,
    /// until `requests` have been sent (the way `vllm bench serve --max-concurrency` and aiperf run).
    case closedLoop(concurrency: Int, requests: Int)
    /// Every request at time zero, as a benchmark script that starts them together.
    case burst(requests: Int)
    /// Open-loop Poisson arrivals at `ratePerSecond`.
    case poisson(ratePerSecond: Double, requests: Int)
    /// Arrival times, input and output lengths as a trace records them.
    case trace([RequestSpec])

    /// How many requests the workload sends.
    public var requestCount: Int {
        switch self {
        case .closedLoop(_, let n), .burst(let n), .poisson(_, let n): n
        case .trace(let specs): specs.count
        }
    }
}

/// How prompt or answer lengths spread around their mean.
public enum LengthDistribution: Hashable, Sendable {
    /// Every request has the mean length (benchmarks with fixed lengths and `ignore_eos`).
    case fixed
    /// Uniform between `mean × (1 − ratio)` and `mean × (1 + ratio)`, as the random datasets of
    /// `vllm bench serve` (`--random-range-ratio`) draw them.
    case uniform(ratio: Double)
    /// Uniform between `mean × low` and `mean × high`: the older `benchmark_serving.py` random
    /// dataset (kept by InferenceX) draws in `[0.8 L, L]` for `--random-range-ratio 0.8`.
    case between(low: Double, high: Double)

    func draw(mean: Int, random: inout SplitMix64) -> Int {
        switch self {
        case .fixed:
            return max(1, mean)
        case .uniform(let ratio):
            let r = min(max(ratio, 0), 1)
            return LengthDistribution.between(low: 1 - r, high: 1 + r).draw(mean: mean, random: &random)
        case .between(let low, let high):
            let a = Double(mean) * max(0, min(low, high))
            let b = Double(mean) * max(0, max(low, high))
            return max(1, Int((a + (b - a) * random.nextUnit()).rounded()))
        }
    }
}

/// The requests a simulation serves: arrivals plus length distributions, drawn reproducibly.
public struct LoadSpec: Hashable, Sendable {
    public var arrivals: Arrivals
    public var inputTokens: Int
    public var outputTokens: Int
    public var inputLengths: LengthDistribution
    public var outputLengths: LengthDistribution
    /// The seed of every random draw, so that a simulation repeats exactly.
    public var seed: UInt64

    public init(
        arrivals: Arrivals,
        inputTokens: Int,
        outputTokens: Int,
        inputLengths: LengthDistribution = .fixed,
        outputLengths: LengthDistribution = .fixed,
        seed: UInt64 = 2_026
    ) {
        self.arrivals = arrivals
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.inputLengths = inputLengths
        self.outputLengths = outputLengths
        self.seed = seed
    }

    /// Every request, in the order it is sent. Closed-loop requests carry arrival 0; the
    /// simulator sets the real time when a slot frees.
    public func requests() -> [RequestSpec] {
        var random = SplitMix64(seed: seed)
        func lengths() -> (Int, Int) {
            (
                inputLengths.draw(mean: inputTokens, random: &random),
                outputLengths.draw(mean: outputTokens, random: &random)
            )
        }
        switch arrivals {
        case .trace(let specs):
            return specs.sorted { $0.arrival < $1.arrival }
        case .closedLoop(_, let n), .burst(let n):
            return (0..<max(0, n)).map { _ in
                let (i, o) = lengths()
                return RequestSpec(arrival: 0, inputTokens: i, outputTokens: o)
            }
        case .poisson(let rate, let n):
            var t = 0.0
            return (0..<max(0, n)).map { _ in
                // Exponential gaps with mean 1 / rate.
                t += -Foundationless.log(1 - random.nextUnit()) / max(rate, 1e-12)
                let (i, o) = lengths()
                return RequestSpec(arrival: t, inputTokens: i, outputTokens: o)
            }
        }
    }
}

/// A small, fast, seeded generator (Steele, Lea and Flood's SplitMix64), so simulations are
/// reproducible on every platform.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1).
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}

/// The natural logarithm without Foundation (ParityCore and this module stay Foundation-free).
enum Foundationless {
    static func log(_ x: Double) -> Double {
        guard x > 0 else { return -.infinity }
        // Reduce to m × 2^e with m in [1, 2), then log(m) by the series of atanh.
        var e = 0
        var m = x
        while m >= 2 {
            m /= 2
            e += 1
        }
        while m < 1 {
            m *= 2
            e -= 1
        }
        let y = (m - 1) / (m + 1)
        let y2 = y * y
        var term = y
        var sum = 0.0
        var k = 1.0
        for _ in 0..<40 {
            sum += term / k
            term *= y2
            k += 2
        }
        return 2 * sum + Double(e) * 0.693_147_180_559_945_3
    }
}
