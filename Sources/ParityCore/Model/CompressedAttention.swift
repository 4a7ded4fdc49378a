/// DeepSeek V4's attention: one shared key = value head (MQA) over a sliding window of recent
/// tokens plus, in compressed layers, entries that each pool `compressRatio` tokens.
///
/// Ratio 4 layers (CSA) select the top-k compressed entries with a lightning indexer; ratio 128
/// layers (HCA) attend to every compressed entry; ratio 0 layers use the window only. Tensor list
/// and formulas: `deepseek-v4/deepseek-v4.md` §3.1–3.3 and `v4_counts.py` in the shared models
/// data, which reproduce the released checkpoints tensor for tensor.
public struct CompressedAttention: Hashable, Sendable {
    public var heads: Int
    /// Width of a query head and of a cached entry (`head_dim`, 512).
    public var headDimension: Int
    public var queryRank: Int
    public var outputGroups: Int
    public var outputRank: Int
    public var window: Int
    /// Tokens pooled into one compressed entry; 0 for a window-only layer.
    public var compressRatio: Int
    public var indexerHeads: Int
    public var indexerHeadDimension: Int
    public var indexerTopK: Int

    public init(
        heads: Int,
        headDimension: Int,
        queryRank: Int,
        outputGroups: Int,
        outputRank: Int,
        window: Int,
        compressRatio: Int,
        indexerHeads: Int,
        indexerHeadDimension: Int,
        indexerTopK: Int
    ) {
        self.heads = heads
        self.headDimension = headDimension
        self.queryRank = queryRank
        self.outputGroups = outputGroups
        self.outputRank = outputRank
        self.window = window
        self.compressRatio = compressRatio
        self.indexerHeads = indexerHeads
        self.indexerHeadDimension = indexerHeadDimension
        self.indexerTopK = indexerTopK
    }

    /// The ratio of the layers with a lightning indexer (CSA).
    static let indexedRatio = 4

    var isIndexed: Bool { compressRatio == Self.indexedRatio }
    /// CSA layers compress overlapping windows, doubling the compressor width.
    var compressorOverlap: Int { isIndexed ? 2 : 1 }

    func parameters(hidden d: Int) -> Int {
        let c = headDimension
        var p =
            d * queryRank + queryRank * heads * c + d * c + heads * c * outputRank
            + outputGroups * outputRank * d
        p += queryRank + c + heads  // q_norm, kv_norm, attention sinks
        if compressRatio > 0 {
            let width = compressorOverlap * c
            p += 2 * width * d + compressRatio * width + c  // wkv, wgate, position bias, norm
        }
        if isIndexed {
            let ic = indexerHeadDimension
            p += queryRank * indexerHeads * ic + d * indexerHeads + 2 * (2 * ic) * d + 4 * 2 * ic + ic
        }
        return p
    }

    func projectionFLOPsPerToken(hidden d: Int) -> Double {
        let c = headDimension
        var f =
            2
            * (d * queryRank + queryRank * heads * c + d * c + heads * c * outputRank
                + outputGroups * outputRank * d)
        if compressRatio > 0 { f += 2 * 2 * compressorOverlap * c * d }
        if isIndexed {
            let ic = indexerHeadDimension
            f += 2 * (queryRank * indexerHeads * ic + d * indexerHeads) + 2 * 2 * (2 * ic * d)
        }
        return Double(f)
    }

    /// Score plus context FLOPs of one (query, entry) pair; keys equal values: `4 c n_h`.
    var pairFLOPs: Double { Double(4 * headDimension * heads) }
    var indexerScoreFLOPsPerKey: Double { Double(2 * indexerHeads * indexerHeadDimension + 2 * indexerHeads) }

    /// The indexer's scores for one query at context `t` (zero outside ratio-4 layers).
    func decodeIndexerFLOPs(context t: Int) -> Double {
        isIndexed ? Double(t / compressRatio) * indexerScoreFLOPsPerKey : 0
    }

    /// The indexer's scores over a causal prefill of `s` tokens.
    func prefillIndexerFLOPs(sequence s: Int) -> Double {
        isIndexed ? Double(KeyCounts.compressedPairs(s, ratio: compressRatio)) * indexerScoreFLOPsPerKey : 0
    }

    /// Core attention plus indexer scores for one query at context `t`.
    func decodeCoreFLOPs(context t: Int) -> Double {
        var keys = min(t, window)
        var indexer = 0.0
        if isIndexed {
            let entries = t / compressRatio
            indexer = Double(entries) * indexerScoreFLOPsPerKey
            keys += min(indexerTopK, entries)
        } else if compressRatio > 0 {
            keys += t / compressRatio
        }
        return pairFLOPs * Double(keys) + indexer
    }

    /// Core attention plus indexer scores over a causal prefill of `s` tokens.
    func prefillCoreFLOPs(sequence s: Int) -> Double {
        var keys = KeyCounts.windowedPairs(s, window: window)
        var indexer = 0.0
        if isIndexed {
            indexer = Double(KeyCounts.compressedPairs(s, ratio: compressRatio)) * indexerScoreFLOPsPerKey
            keys += KeyCounts.compressedSelectedPairs(s, ratio: compressRatio, topK: indexerTopK)
        } else if compressRatio > 0 {
            keys += KeyCounts.compressedPairs(s, ratio: compressRatio)
        }
        return pairFLOPs * Double(keys) + indexer
    }

    /// Global cache bytes per token of context with `entryBytes` per main entry and
    /// `indexerEntryBytes` per indexer key (window entries excluded).
    func globalCacheBytesPerToken(entryBytes: Double, indexerEntryBytes: Double) -> Double {
        guard compressRatio > 0 else { return 0 }
        return (entryBytes + (isIndexed ? indexerEntryBytes : 0)) / Double(compressRatio)
    }
}
