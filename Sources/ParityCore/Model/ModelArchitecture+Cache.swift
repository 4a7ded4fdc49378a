extension ModelArchitecture {
    /// KV-cache bytes per token of context over all layers, main model only, at
    /// `bytesPerElement` (2 for BF16).
    ///
    /// Sliding-window layers count as full layers here (their cache stops growing at the window;
    /// see `cacheBytes(atContext:bytesPerElement:)`); linear-attention layers cache nothing per
    /// token. MLA caches its latent and RoPE key; DeepSeek V4 caches its compressed entries (and,
    /// in indexed layers, indexer keys) at `bytesPerElement` per element.
    public func kvCacheBytesPerToken(bytesPerElement b: Double = 2) -> Bytes {
        var total = 0.0
        for layer in layers {
            switch layer.attention {
            case .standard(let a): total += Double(a.cacheElementsPerToken) * b
            case .latent(let a): total += Double(a.cacheElementsPerToken) * b
            case .gatedDeltaNet, .mamba2, .none: break
            case .compressed(let a):
                total += a.globalCacheBytesPerToken(
                    entryBytes: Double(a.headDimension) * b,
                    indexerEntryBytes: Double(a.indexerHeadDimension) * b
                )
            }
        }
        return Bytes(total)
    }

    /// Bytes of cache one sequence holds at a context of `context` tokens: per-token KV bounded by
    /// each layer's window, compressed entries, and the constant recurrent state of linear layers.
    public func cacheBytes(atContext t: Int, bytesPerElement b: Double = 2) -> Bytes {
        Bytes(layers.reduce(0) { $0 + $1.cacheBytes(atContext: t, bytesPerElement: b) })
    }

    /// KV-cache bytes per token over the layers whose cache grows with context: full-attention and
    /// MLA layers, and DeepSeek V4's compressed entries. Window, chunk and recurrent-state layers,
    /// whose cache is bounded, are left out (see `cacheBytes(atContext:bytesPerElement:)`).
    public func unboundedKVCacheBytesPerToken(bytesPerElement b: Double = 2) -> Bytes {
        var total = 0.0
        for layer in layers {
            switch layer.attention {
            case .standard(let a) where !a.isBounded: total += Double(a.cacheElementsPerToken) * b
            case .latent(let a): total += Double(a.cacheElementsPerToken) * b
            case .compressed(let a):
                total += a.globalCacheBytesPerToken(
                    entryBytes: Double(a.headDimension) * b,
                    indexerEntryBytes: Double(a.indexerHeadDimension) * b
                )
            default: break
            }
        }
        return Bytes(total)
    }

    /// Whether any layer's cache stops growing with context (windows, linear attention).
    public var hasBoundedCacheLayers: Bool {
        layers.contains { layer in
            switch layer.attention {
            case .standard(let a): a.isBounded
            case .gatedDeltaNet, .mamba2: true
            case .compressed: true
            case .latent, .none: false
            }
        }
    }

    /// Bytes per token of DeepSeek sparse attention's indexer keys over all layers, in the
    /// reference FP8 layout: `d_I` bytes plus one FP32 scale per 128 elements (formulas.md §4).
    public var indexerKeyBytesPerToken: Bytes {
        var total = 0
        for layer in layers {
            if case .latent(let a) = layer.attention, let idx = a.indexer, idx.owned {
                total += idx.headDimension + 4 * (idx.headDimension / 128)
            }
        }
        return Bytes(Double(total))
    }
}

extension ModelArchitecture.Layer {
    /// Bytes of cache this layer holds for one sequence at `context` tokens.
    public func cacheBytes(atContext t: Int, bytesPerElement b: Double) -> Double {
        switch attention {
        case .standard(let a):
            return Double(a.cacheElementsPerToken * a.keys(atContext: t)) * b
        case .latent(let a):
            return Double(a.cacheElementsPerToken * t) * b
        case .gatedDeltaNet(let a):
            return Double(a.stateElements) * b
        case .mamba2(let a):
            return Double(a.stateElements) * b
        case .none:
            return 0
        case .compressed(let a):
            var entries = min(t, a.window)
            if a.compressRatio > 0 { entries += t / a.compressRatio }
            var total = Double(entries * a.headDimension) * b
            if a.isIndexed { total += Double((t / a.compressRatio) * a.indexerHeadDimension) * b }
            return total
        }
    }
}
