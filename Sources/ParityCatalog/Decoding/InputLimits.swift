/// The largest value each number in a scenario, model config or command-line option may take: a
/// few times what any real model or system has, so that a typo or a hostile file is a located
/// error and not an arithmetic trap, an allocation of a trillion layers or an hour of search.
/// docs/input-limits.md lists them.
public enum InputLimits {
    /// Tokens in one request or one sequence: 16M, over the longest context a released model
    /// supports (10M).
    public static let tokens = 1 << 24
    /// Accelerators in one system or pool: 1M, several times the largest cluster built.
    public static let chips = 1 << 20
    /// Requests in flight or in a benchmark, sequences in a batch.
    public static let requests = 1 << 30
    /// Layers: 10,000, over fifty times the deepest released model.
    public static let layers = 10_000
    /// Widths (hidden, MLP, expert): 1M.
    public static let width = 1 << 20
    /// Heads, experts, vocabulary entries and other per-model counts: 16M.
    public static let modelCount = 1 << 24
    /// Any other whole number.
    public static let anyCount = 1 << 32
    /// Any other number.
    public static let anyNumber = 1.0e18

    /// The largest value a key may take, by its name in scenarios and Hugging Face configs.
    public static func maximum(for key: String) -> Int {
        switch key {
        case "input_tokens", "output_tokens", "decode_context_tokens", "sequence_length", "max_num_tokens",
            "batch_tokens", "max_position_embeddings", "sliding_window", "context", "sequence-length":
            tokens
        case "chips", "tp", "pp", "vpp", "cp", "ep", "dp", "attention_dp", "instances", "slices",
            "redundant_experts", "shared_expert_replicas":
            chips
        case "concurrency", "num_requests", "global_batch", "batch_per_chip", "batch_per_group", "micro_batch":
            requests
        case "layers", "num_hidden_layers", "n_layer", "num_layers", "dense_layers", "first_k_dense_replace",
            "num_nextn_predict_layers", "num_hash_layers":
            layers
        case "hidden_size", "ffn_hidden_size", "intermediate_size", "moe_intermediate_size",
            "expert_ffn_hidden_size", "shared_expert_intermediate_size", "head_dim", "q_lora_rank",
            "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim", "o_lora_rank":
            width
        case "ranks_per_chip": 64
        case "tokens": 1 << 16  // speculative draft tokens
        default: anyCount
        }
    }
}
