/// The dispatch or combine of a mixture-of-experts layer: each token goes to its `topK` experts
/// spread over `ranks` expert-parallel ranks.
///
/// Inside the scale-up domain every copy travels over the scale-up link. Across domains, throughput
/// kernels (DeepEP's normal mode, used in training and prefill) send a token once per remote domain
/// its experts fall in and forward it inside the domain, and group-limited routing caps those
/// domains at `groupsPerToken` (node-limited routing, DeepSeek-V3 §2.1.2): remote domains reached
/// are `N (1 − (1 − 1/N)^k) × (N − 1)/N` for `N` domains. Latency kernels (DeepEP's low-latency
/// mode, used in decode) send every remote copy directly: `k (N − 1)/N` per token.
public enum ExpertAllToAll {
    /// Time to move `tokens` tokens of `hidden` elements at `bytesPerElement` to their experts.
    public static func time(
        tokens: Double,
        hidden: Int,
        bytesPerElement: Double,
        moe: MixtureOfExperts,
        ranks: Int,
        ranksPerDomain: Int,
        scaleUp: Link,
        scaleOut: Link?,
        forwardsInsideDomain: Bool = true
    ) throws(EstimationError) -> Seconds {
        guard ranks > 1 else { return .zero }
        let h = Double(hidden)
        let k = Double(moe.topK)
        let domains = Double(max(1, (ranks + ranksPerDomain - 1) / ranksPerDomain))
        // Copies to experts on the sending rank itself do not move.
        let inDomain = Double(min(ranks, ranksPerDomain))
        let intra = Bytes(tokens * k * h * bytesPerElement * (inDomain - 1) / inDomain)
        var time = intra / scaleUp.bandwidth
        if domains > 1 {
            guard let out = scaleOut else {
                throw EstimationError.noScaleOut(
                    "Expert parallelism over \(ranks) ranks",
                    domain: ranksPerDomain,
                    chip: nil
                )
            }
            var remote = k * (domains - 1) / domains
            if forwardsInsideDomain {
                var reached = domains * (1 - power(1 - 1 / domains, moe.topK))
                if let limit = moe.groupsPerToken, moe.routingGroups != nil { reached = min(reached, Double(limit)) }
                remote = reached * (domains - 1) / domains
            }
            time = max(time, Bytes(tokens * remote * h * bytesPerElement) / out.bandwidth) + out.latency
        } else {
            time = time + scaleUp.latency
        }
        return time
    }

    /// Dispatch at `dispatchBytes` per element and BF16 combine of one MoE layer for `tokens` tokens.
    public static func dispatchAndCombine(
        tokens: Double,
        hidden: Int,
        dispatchBytes: Double,
        moe: MixtureOfExperts,
        ranks: Int,
        ranksPerDomain: Int,
        scaleUp: Link,
        scaleOut: Link?,
        forwardsInsideDomain: Bool = true
    ) throws(EstimationError) -> Seconds {
        var total = Seconds.zero
        for bytes in [dispatchBytes, 2] {
            total =
                total
                + (try time(
                    tokens: tokens,
                    hidden: hidden,
                    bytesPerElement: bytes,
                    moe: moe,
                    ranks: ranks,
                    ranksPerDomain: ranksPerDomain,
                    scaleUp: scaleUp,
                    scaleOut: scaleOut,
                    forwardsInsideDomain: forwardsInsideDomain
                ))
        }
        return total
    }
}
