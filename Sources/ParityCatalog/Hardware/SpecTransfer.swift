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
