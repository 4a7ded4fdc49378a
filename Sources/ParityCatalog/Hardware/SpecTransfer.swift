import Foundation
import ParityCore

/// Peaks a vendor has not announced, taken from the same vendor's nearest chip instead of refused:
/// a roadmap part that gives only FP8 and FP4 (Ascend 960 and 970) gets the BF16 peak its FP8 peak
/// implies at the BF16/FP8 ratio of the vendor's chip with both whose FP8 peak is nearest. Each
/// such value is described in `Chip.transferredSpecs`, the chip's compute confidence drops to low,
/// and predictions say so (docs/defaults.md).
extension Catalog {
    mutating func transferMissingPeaks() {
        let measured = chips.filter { $0.transferredSpecs.isEmpty }
        for i in chips.indices where chips[i].peak(.bf16) == nil && chips[i].peak(.fp16) == nil {
            guard let fp8 = chips[i].peak(.fp8), fp8.value > 0 else { continue }
            let chip = chips[i]
            let peers = measured.filter { peer in
                peer.name != chip.name && peer.vendor == chip.vendor && (peer.peak(.fp8)?.value ?? 0) > 0
                    && (peer.peak(.bf16) ?? peer.peak(.fp16)) != nil
            }
            func gap(_ peer: Chip) -> Double { abs(log((peer.peak(.fp8)?.value ?? 1) / fp8.value)) }
            guard let peer = peers.min(by: { (gap($0), $0.name) < (gap($1), $1.name) }),
                let peerFP8 = peer.peak(.fp8), let peerBF16 = peer.peak(.bf16) ?? peer.peak(.fp16)
            else { continue }
            let ratio = peerBF16.value / peerFP8.value
            chips[i].compute.dense[.bf16] = fp8 * ratio
            chips[i].compute.provenance.confidence = .low
            let tera = { (rate: FLOPsPerSecond) in formatNumber(rate.value / 1e12, decimals: 0) }
            chips[i].transferredSpecs.append(
                "\(chip.name) dense BF16 peak \(tera(fp8 * ratio)) TFLOP/s, transferred: not announced, so its FP8 peak (\(tera(fp8))) times the BF16/FP8 ratio of \(peer.name) (\(tera(peerBF16))/\(tera(peerFP8)) = \(formatNumber(ratio, decimals: 3))), the same vendor's chip with both whose FP8 peak is nearest"
            )
        }
    }
}

/// Prices nobody has published (an export part sold in one market, a rack-scale part sold only by
/// quotation, a roadmap chip): the same vendor's nearest priced chip's prices, widened by a stated
/// factor either way and marked low, so that tokens per dollar is given with its doubt instead of
/// left out (docs/defaults.md).
public enum PriceTransfer {
    /// How far a transferred price range is widened: its low times 0.75, its high times 1.25.
    public static let widening = 0.25
    /// The farthest a chip may be from the one whose TDP it takes (sum of the absolute log ratios
    /// of memory bandwidth and BF16 peak; 1.5 allows about 4.5 times in one of them, or twice in both).
    static let nearTDP = 1.5

    /// `x / y`, or 1 where either is unknown or not positive.
    static func ratio(_ x: Double?, _ y: Double?) -> Double {
        guard let x, let y, x > 0, y > 0 else { return 1 }
        return x / y
    }

    /// The chip's BF16 peak over the peer's (1 where either is unknown).
    static func computeRatio(_ chip: Chip, _ peer: Chip) -> Double {
        ratio(chip.peak(.bf16)?.value, peer.peak(.bf16)?.value)
    }

    /// How much more a chip offers than its priced peer, and so costs: the geometric mean of their
    /// BF16-peak and memory-bandwidth ratios (1 where either is unknown).
    static func capabilityRatio(_ chip: Chip, _ peer: Chip) -> Double {
        let memory = ratio(chip.memory.bandwidth?.value, peer.memory.bandwidth?.value)
        return (computeRatio(chip, peer) * memory).squareRoot()
    }
}

extension Catalog {
    /// A TDP nobody has published, from the same vendor's nearest chip that has one, scaled by their
    /// BF16 peaks, when that chip is near (log-distance of memory bandwidth and BF16 peak at most
    /// `PriceTransfer.nearTDP`): a chip several generations apart draws too differently to stand in.
    mutating func transferMissingTDPs() {
        let known = chips.filter { $0.power?.tdp != nil }
        for i in chips.indices where chips[i].power?.tdp == nil {
            let chip = chips[i]
            guard let peer = nearestSibling(of: chip, among: known), distance(chip, peer) <= PriceTransfer.nearTDP,
                let tdp = peer.power?.tdp
            else { continue }
            let compute = PriceTransfer.computeRatio(chip, peer)
            let watts = tdp * compute
            chips[i].power = Chip.Power(tdp: watts, provenance: Provenance(sources: [], confidence: .low))
            chips[i].transferredSpecs.append(
                "\(chip.name) TDP \(formatNumber(watts.value, decimals: 0)) W, transferred: none published, so the \(formatNumber(tdp.value, decimals: 0)) W of \(peer.name), the same vendor's nearest chip by memory bandwidth and BF16 peak, times their BF16-peak ratio \(formatNumber(compute, decimals: 2)) (power taken to follow compute)"
            )
        }
    }

    /// The same vendor's chip among `candidates` nearest to `chip` (by `distance`, ties by name).
    func nearestSibling(of chip: Chip, among candidates: [Chip]) -> Chip? {
        candidates.filter { $0.vendor == chip.vendor && $0.name != chip.name }
            .min { (distance(chip, $0), $0.name) < (distance(chip, $1), $1.name) }
    }

    mutating func transferMissingPrices() {
        let priced = chips.filter { !$0.prices.isEmpty }
        for i in chips.indices where chips[i].prices.isEmpty {
            let chip = chips[i]
            guard let peer = nearestSibling(of: chip, among: priced) else { continue }
            let w = PriceTransfer.widening
            let scale = PriceTransfer.capabilityRatio(chip, peer)
            chips[i].prices = peer.prices.map { price in
                var moved = price
                moved.low = price.low * scale * (1 - w)
                moved.high = price.high * scale * (1 + w)
                moved.what = "transferred from \(peer.name): \(price.what ?? price.kind.rawValue)"
                moved.provenance.confidence = .low
                return moved
            }
            chips[i].transferredSpecs.append(
                "\(chip.name) price, transferred: none published, so the prices of \(peer.name) (the same vendor's nearest priced chip by memory bandwidth and BF16 peak) times \(formatNumber(scale, decimals: 2)) (the geometric mean of their BF16-peak and memory-bandwidth ratios), widened by \(Int(w * 100))% either way"
            )
        }
    }
}
