/// Parameter counts of a model, by block.
///
/// Counts are exact element counts of the tensors a checkpoint stores (formulas.md §2). Buffers
/// that are checkpoint tensors but not trainable weights, such as DeepSeek's router
/// score-correction bias, are counted under `router` as the checkpoint holds them. Lookup tables
/// that are not weights (DeepSeek V4's token-to-expert hash tables) and quantisation scales are
/// not parameters.
public struct ParameterBreakdown: Hashable, Sendable, Codable {
    /// The input embedding table, `V × h`.
    public var embedding: Int = 0
    /// Attention blocks: projections, their biases and internal norms, indexers, compressors,
    /// sinks; for linear-attention and state-space layers, their whole mixer.
    public var attention: Int = 0
    /// Dense (non-expert) feed-forward blocks.
    public var denseMLP: Int = 0
    /// All routed experts of all MoE layers.
    public var routedExperts: Int = 0
    /// Shared (always active) experts, with their gates.
    public var sharedExperts: Int = 0
    /// Routers: gate weights, router biases and score-correction biases.
    public var router: Int = 0
    /// Layer norms outside the attention block, and the final norm.
    public var norms: Int = 0
    /// The output head (LM head), `V × h`, zero when tied to the embedding.
    public var head: Int = 0
    /// Other per-layer and model-level tensors, such as DeepSeek V4's hyper-connection mixing.
    public var other: Int = 0

    public init() {}

    /// The sum over all blocks.
    public var total: Int {
        embedding + attention + denseMLP + routedExperts + sharedExperts + router + norms + head + other
    }

    public static func + (lhs: Self, rhs: Self) -> Self {
        var sum = lhs
        sum.embedding += rhs.embedding
        sum.attention += rhs.attention
        sum.denseMLP += rhs.denseMLP
        sum.routedExperts += rhs.routedExperts
        sum.sharedExperts += rhs.sharedExperts
        sum.router += rhs.router
        sum.norms += rhs.norms
        sum.head += rhs.head
        sum.other += rhs.other
        return sum
    }

    public static func += (lhs: inout Self, rhs: Self) { lhs = lhs + rhs }

    /// The blocks as (name, count) pairs in a stable order, for reports.
    public var namedBlocks: [(name: String, count: Int)] {
        [
            ("embedding", embedding), ("attention", attention), ("dense_mlp", denseMLP),
            ("routed_experts", routedExperts), ("shared_experts", sharedExperts), ("router", router),
            ("norms", norms), ("head", head), ("other", other),
        ]
    }
}
