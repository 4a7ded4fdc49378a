/// A simple search over training plans: tensor, pipeline and expert parallelism, micro-batch and
/// recomputation, keeping plans that divide the model and the chips and fit in memory, and
/// returning the fastest.
public struct TrainingPlanSearch: Sendable {
    public var estimator: TrainingEstimator

    public init(estimator: TrainingEstimator) { self.estimator = estimator }

    /// Every legal plan, fitting or not.
    public func candidates() -> [TrainingPlan] {
        let a = estimator.architecture
        let chips = estimator.chips
        let domain = estimator.system?.chips ?? estimator.chip.scaleUp?.maxDomain ?? 1
        let heads: Int =
            a.layers.compactMap { layer -> Int? in
                switch layer.attention {
                case .standard(let s): s.queryHeads
                case .latent(let l): l.heads
                case .compressed(let c): c.heads
                default: nil
                }
            }.first ?? 1
        let experts: Int? = a.layers.compactMap { layer -> Int? in
            if case .mixtureOfExperts(let moe) = layer.feedForward { return moe.experts }
            return nil
        }.first
        var plans: [TrainingPlan] = []
        for tp in [1, 2, 4, 8, 16] where tp <= domain && heads % tp == 0 && chips % tp == 0 {
            for pp in [1, 2, 4, 8, 16, 32, 64] where chips % (tp * pp) == 0 && a.layers.count >= pp {
                let dp = chips / (tp * pp)
                guard estimator.globalBatch % dp == 0 else { continue }
                let expertOptions: [Int] =
                    experts.map { e in [1, 8, 16, 32, 64, 128, 256].filter { e % $0 == 0 && $0 <= dp * tp } } ?? [1]
                for ep in expertOptions {
                    for recompute in [Plan.Recompute.none, .selective, .full] {
                        plans.append(
                            TrainingPlan(
                                tp: tp,
                                pp: pp,
                                ep: ep,
                                dp: dp,
                                zero: 1,
                                schedule: .oneFOneB,
                                microBatch: 1,
                                recompute: recompute
                            )
                        )
                    }
                }
            }
        }
        return plans
    }

    /// The fastest plan that fits.
    /// - Throws: `EstimationError` when no legal plan fits.
    public func best() throws(EstimationError) -> TrainingEstimate {
        var best: TrainingEstimate?
        var considered = 0
        for plan in candidates() {
            guard let estimate = try? estimator.estimate(plan: plan) else { continue }
            considered += 1
            guard estimate.fits else { continue }
            if best == nil || estimate.stepTime < best?.stepTime ?? Seconds(.infinity) { best = estimate }
        }
        guard let best else {
            throw EstimationError(
                "No legal plan fits \(estimator.architecture.name) on \(estimator.chips) x \(estimator.chip.name) (\(considered) plans evaluated)."
            )
        }
        return best
    }
}
