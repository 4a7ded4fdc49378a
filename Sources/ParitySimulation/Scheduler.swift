/// The batching rules of a serving engine's scheduler, as each engine family documents them.
public struct SchedulerPolicy: Hashable, Sendable {
    /// How an engine fills a step.
    public enum Family: String, Hashable, Sendable, CaseIterable {
        /// vLLM V1: every running sequence decodes each step; the rest of the step's token budget
        /// goes to prompts, oldest first, in chunks (several prompts may share a step).
        case vllm
        /// SGLang: waiting prompts run first, as a prefill-only batch of up to the chunk size, while
        /// decoding waits; decode steps run when no prompt waits (mixed chunks off by default).
        case sglang
        /// TensorRT-LLM in-flight batching: decode and whole prompts share a step under
        /// `max_num_tokens`; a prompt longer than the budget is chunked.
        case trtllm

        /// The family of a software stack's name or backend (`vllm`, `sglang`, `trtllm`, ...).
        public static func of(_ name: String) -> Family {
            let n = name.lowercased()
            if n.contains("sglang") { return .sglang }
            if n.contains("trt") || n.contains("tensorrt") { return .trtllm }
            return .vllm
        }
    }

    /// How the engine reserves KV cache for a request it admits.
    public enum Admission: String, Hashable, Sendable {
        /// Blocks as the sequence grows; when the cache fills, the newest request is preempted and
        /// later recomputed (vLLM, SGLang's retraction).
        case incremental
        /// The whole prompt and answer up front, so nothing is ever evicted (TensorRT-LLM's
        /// `GUARANTEED_NO_EVICT`).
        case reserveFull
        /// Room for the prompt and an estimated share of every running answer still to come
        /// (SGLang's `new_token_ratio`, 0.7 at start), growing as `incremental` and retracting the
        /// newest request when decoding runs out of room.
        case estimated
    }

    public var family: Family
    /// The share of each running request's remaining answer `estimated` admission keeps room for
    /// (SGLang's initial `new_token_ratio`, `init_new_token_ratio` 0.7 in `global_config`).
    public static let estimatedAnswerShare = 0.7
    /// Sequences running at once (`max_num_seqs`, `max_running_requests`, `max_batch_size`).
    public var maxRunning: Int
    /// Tokens per step (`max_num_batched_tokens`, `chunked_prefill_size`, `max_num_tokens`).
    public var tokenBudget: Int
    /// KV-cache capacity in tokens per engine; nil when memory is not a limit.
    public var kvCapacityTokens: Int?
    public var admission: Admission
    /// Tokens each decoding sequence verifies per step (1 + draft tokens) and emits on average.
    public var tokensPerDecodeStep: Int
    public var emittedPerDecodeStep: Double
    /// Latency a client sees beyond the engine's steps on each request (API server, tokenization,
    /// streaming), seconds: added to its first token and its end.
    public var requestOverhead: Double

    public init(
        family: Family,
        maxRunning: Int,
        tokenBudget: Int,
        kvCapacityTokens: Int? = nil,
        admission: Admission? = nil,
        tokensPerDecodeStep: Int = 1,
        emittedPerDecodeStep: Double = 1,
        requestOverhead: Double = 0
    ) {
        self.family = family
        self.maxRunning = max(1, maxRunning)
        self.tokenBudget = max(1, tokenBudget)
        self.kvCapacityTokens = kvCapacityTokens
        self.admission =
            admission ?? (family == .trtllm ? .reserveFull : family == .sglang ? .estimated : .incremental)
        self.tokensPerDecodeStep = max(1, tokensPerDecodeStep)
        self.emittedPerDecodeStep = max(1, emittedPerDecodeStep)
        self.requestOverhead = max(0, requestOverhead)
    }
}

/// The work of one engine step, as the cost model prices it.
public struct StepShape: Hashable, Sendable {
    /// Sequences decoding this step, and the mean KV length they attend to.
    public var decodeSequences: Int
    public var decodeContext: Int
    /// Prompt tokens processed this step, and the (token-weighted) length of the prompts they
    /// belong to.
    public var prefillTokens: Int
    public var promptLength: Int

    public init(decodeSequences: Int, decodeContext: Int, prefillTokens: Int, promptLength: Int) {
        self.decodeSequences = decodeSequences
        self.decodeContext = decodeContext
        self.prefillTokens = prefillTokens
        self.promptLength = promptLength
    }
}

/// Seconds for one engine step of a given shape.
public protocol StepCostModel {
    mutating func seconds(for shape: StepShape) -> Double
}

/// A cost model that prices a grid of shapes once each and interpolates between them. Every size
/// (decoding sequences, their context, prompt tokens, prompt length) is placed between grid points
/// that keep four leading bits (at most 6% apart; values up to 16 are exact), and the step time is
/// interpolated linearly in each. A step's time is smooth and close to affine in each of them (the
/// cache streamed grows with context, the work with tokens), so a long run asks the underlying
/// model for a few dozen shapes, not one per step.
public struct CachedStepCost: StepCostModel {
    let price: (StepShape) -> Double
    var memo: [StepShape: Double] = [:]
    public private(set) var misses = 0

    public init(_ price: @escaping (StepShape) -> Double) { self.price = price }

    public mutating func seconds(for shape: StepShape) -> Double {
        // Sizes that do not matter to the step are pinned, so they do not multiply the grid.
        let pinned = Axis(low: 1, high: 1, w: 0)
        let a = Self.bracket(shape.decodeSequences)
        let b = shape.decodeSequences > 0 ? Self.bracket(max(1, shape.decodeContext)) : pinned
        let c = Self.bracket(shape.prefillTokens)
        let d = shape.prefillTokens > 0 ? Self.bracket(max(1, shape.promptLength)) : pinned
        var total = 0.0
        for corner in 0..<16 {
            let (ha, hb, hc, hd) = (corner & 1 != 0, corner & 2 != 0, corner & 4 != 0, corner & 8 != 0)
            let weight = a.weight(ha) * b.weight(hb) * c.weight(hc) * d.weight(hd)
            guard weight > 0 else { continue }
            let key = StepShape(
                decodeSequences: a.point(ha),
                decodeContext: b.point(hb),
                prefillTokens: c.point(hc),
                promptLength: d.point(hd)
            )
            total += weight * priced(key)
        }
        return total
    }

    /// Two neighbouring grid points and the weight of the upper one.
    struct Axis {
        var low: Int
        var high: Int
        var w: Double
        func weight(_ upper: Bool) -> Double { upper ? w : 1 - w }
        func point(_ upper: Bool) -> Int { upper ? high : low }
    }

    mutating func priced(_ key: StepShape) -> Double {
        if let t = memo[key] { return t }
        misses += 1
        let t = price(key)
        memo[key] = t
        return t
    }

    /// The grid points around `n` and `n`'s weight toward the upper one.
    static func bracket(_ n: Int) -> Axis {
        let low = gridFloor(n)
        guard low != n else { return Axis(low: n, high: n, w: 0) }
        let high = gridFloor(low + step(low))
        return Axis(low: low, high: high, w: Double(n - low) / Double(high - low))
    }

    /// The largest grid point at or below `n`: `n` with all but its four leading bits cleared.
    static func gridFloor(_ n: Int) -> Int {
        guard n > 16 else { return n }
        return n & ~(step(n) - 1)
    }

    /// The grid's spacing at `n`: 1 up to 16, then 1/8 to 1/16 of `n`'s power of two.
    static func step(_ n: Int) -> Int {
        guard n >= 16 else { return 1 }
        var bits = 0
        var m = n
        while m > 1 {
            m >>= 1
            bits += 1
        }
        return 1 << (bits - 3)
    }
}
