public import ParityCore

/// What `parity inspect` reports about a model: exact parameter counts by block, cache bytes
/// per token, and FLOPs per token for prefill, decode and training.
public struct ModelInspection: Sendable {
    public var architecture: ModelArchitecture
    /// Context length for the prefill and decode FLOPs and the cache at context.
    public var context: Int
    /// Sequence length for the training FLOPs.
    public var sequenceLength: Int

    public init(architecture: ModelArchitecture, context: Int, sequenceLength: Int) {
        self.architecture = architecture
        self.context = context
        self.sequenceLength = sequenceLength
    }

    /// The report as a value (rendered as JSON by `--format json`).
    public var value: ReportValue {
        let a = architecture
        let p = a.parameters
        let mtp = a.multiTokenPredictionParameters
        var breakdown = p.namedBlocks.map { ReportValue.Field($0.name, .integer($0.count)) }
        breakdown.append(.init("mtp", .integer(mtp)))
        let prefill = a.prefillFLOPs(sequenceLength: context, counting: .causal, logits: .last).value / Double(context)
        let layerKinds = Dictionary(grouping: a.layers, by: { Self.kind(of: $0.attention) }).mapValues(\.count)
        var cache: [ReportValue.Field] = [
            .init("kv_cache_bytes_per_token", .number(a.kvCacheBytesPerToken().value)),
            .init(
                "kv_cache_bytes_at_context",
                .object(["context": .integer(context), "bytes": .number(a.cacheBytes(atContext: context).value)])
            ),
        ]
        if a.indexerKeyBytesPerToken.value > 0 {
            cache.append(.init("indexer_key_bytes_per_token_fp8", .number(a.indexerKeyBytesPerToken.value)))
        }
        return .object(
            [
                .init("model", .string(a.name)),
                .init("family", .string(a.family)),
                .init(
                    "layers",
                    .object(
                        [
                            .init("count", .integer(a.layers.count)),
                            .init("moe", .integer(a.mixtureOfExpertsLayerCount)),
                        ] + layerKinds.sorted { $0.key < $1.key }.map { .init($0.key, .integer($0.value)) }
                    )
                ),
                .init(
                    "parameters",
                    .object([
                        .init("total", .integer(p.total)),
                        .init("active", .integer(a.activeParameters)),
                        .init("active_excluding_embedding", .integer(a.activeParameters - p.embedding)),
                        .init("mtp", .integer(mtp)),
                        .init("total_including_mtp", .integer(p.total + mtp)),
                        .init("breakdown", .object(breakdown)),
                    ])
                ),
            ] + cache + [
                .init(
                    "forward_flops_per_token",
                    .object([
                        .init("context", .integer(context)),
                        .init("prefill", .number(prefill)),
                        .init("decode", .number(a.decodeFLOPs(context: context).value)),
                        .init("decode_attention", .number(a.decodeAttentionFLOPs(context: context).value)),
                        .init("weights", .number(a.weightFLOPsPerToken.value)),
                        .init("lm_head", .number(a.headFLOPsPerToken.value)),
                    ])
                ),
                .init(
                    "training_flops_per_token",
                    .object([
                        .init("sequence_length", .integer(sequenceLength)),
                        .init(
                            "causal",
                            .number(a.trainingFLOPsPerToken(sequenceLength: sequenceLength, counting: .causal).value)
                        ),
                        .init(
                            "full",
                            .number(a.trainingFLOPsPerToken(sequenceLength: sequenceLength, counting: .full).value)
                        ),
                    ])
                ),
                .init("notes", .array(a.notes.map(ReportValue.string))),
            ]
        )
    }

    static func kind(of attention: Attention) -> String {
        switch attention {
        case .standard(let a):
            a.window != nil ? "sliding_attention" : a.chunk != nil ? "chunked_attention" : "full_attention"
        case .latent(let a): a.indexer == nil ? "mla" : "mla_sparse"
        case .gatedDeltaNet: "linear_attention"
        case .compressed(let a): a.compressRatio == 0 ? "window_only" : "compressed_ratio_\(a.compressRatio)"
        case .mamba2: "mamba2"
        case .none: "mlp_only"
        }
    }

    /// The report as a two-column table.
    public var table: Table {
        let a = architecture
        let p = a.parameters
        let mtp = a.multiTokenPredictionParameters
        var rows: [[String]] = [
            ["model", a.name], ["family", a.family],
            ["layers", "\(a.layers.count) (\(a.mixtureOfExpertsLayerCount) MoE)"],
            ["parameters.total", formatNumber(Double(p.total))],
            ["parameters.active", formatNumber(Double(a.activeParameters))],
            ["parameters.active (excl. embedding)", formatNumber(Double(a.activeParameters - p.embedding))],
        ]
        for block in p.namedBlocks where block.count > 0 {
            rows.append(["  \(block.name)", formatNumber(Double(block.count))])
        }
        if mtp > 0 { rows.append(["  mtp (not in total)", formatNumber(Double(mtp))]) }
        rows.append(["kv_cache_bytes_per_token (BF16)", formatNumber(a.kvCacheBytesPerToken().value)])
        rows.append([
            "cache bytes at context \(formatNumber(Double(context)))",
            formatNumber(a.cacheBytes(atContext: context).value),
        ])
        let prefill = a.prefillFLOPs(sequenceLength: context, counting: .causal, logits: .last).value / Double(context)
        rows.append(["forward FLOPs/token, prefill @\(context)", Self.giga(prefill)])
        rows.append(["forward FLOPs/token, decode @\(context)", Self.giga(a.decodeFLOPs(context: context).value)])
        rows.append([
            "training FLOPs/token @\(sequenceLength) (causal)",
            Self.giga(a.trainingFLOPsPerToken(sequenceLength: sequenceLength, counting: .causal).value),
        ])
        rows.append([
            "training FLOPs/token @\(sequenceLength) (full)",
            Self.giga(a.trainingFLOPsPerToken(sequenceLength: sequenceLength, counting: .full).value),
        ])
        return Table(
            title: nil,
            columns: ["quantity", "value"],
            alignments: [.left, .right],
            rows: rows,
            footnotes: a.notes.map { "note: \($0)" }
        )
    }

    static func giga(_ flops: Double) -> String { formatNumber(flops / 1e9, decimals: 2) + " GFLOP" }
}
