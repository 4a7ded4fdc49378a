/// A complete training plan: every parallel dimension and policy resolved, with the defaults that
/// were assumed stated in words.
public struct TrainingPlan: Hashable, Sendable {
    public var tp: Int
    public var pp: Int
    public var vpp: Int
    public var ep: Int
    public var dp: Int
    public var cp: Int
    public var sequenceParallel: Bool
    public var zero: Int
    public var schedule: Plan.Schedule
    public var microBatch: Int
    public var recompute: Plan.Recompute
    /// Defaults taken because the scenario did not say.
    public var assumptions: [String]

    public init(
        tp: Int,
        pp: Int,
        vpp: Int = 1,
        ep: Int = 1,
        dp: Int,
        cp: Int = 1,
        sequenceParallel: Bool? = nil,
        zero: Int = 1,
        schedule: Plan.Schedule = .oneFOneB,
        microBatch: Int = 1,
        recompute: Plan.Recompute = .none,
        assumptions: [String] = []
    ) {
        self.tp = tp
        self.pp = pp
        self.vpp = vpp
        self.ep = ep
        self.dp = dp
        self.cp = cp
        self.sequenceParallel = sequenceParallel ?? (tp > 1)
        self.zero = zero
        self.schedule = schedule
        self.microBatch = microBatch
        self.recompute = recompute
        self.assumptions = assumptions
    }

    /// Chips the plan occupies: `tp × cp × pp × dp` (expert parallelism folds into the data-parallel ranks).
    public var chips: Int { tp * cp * pp * dp }

    /// Resolves a scenario's stated plan against the chip count, assuming what it leaves out.
    /// - Throws: `EstimationError` when the stated dimensions cannot fill the chips.
    public static func resolve(_ stated: Plan.Training, chips: Int) throws(EstimationError) -> TrainingPlan {
        var assumed: [String] = []
        func value(_ v: Int?, _ name: String, default d: Int) -> Int {
            if let v { return v }
            assumed.append("\(name) not stated: \(d) assumed.")
            return d
        }
        let tp = value(stated.tp, "tp", default: 1)
        let pp = value(stated.pp, "pp", default: 1)
        let cp = value(stated.cp, "cp", default: 1)
        let dp: Int
        if let stated = stated.dp {
            dp = stated
        } else {
            guard chips % (tp * pp * cp) == 0 else {
                throw EstimationError(
                    "plan.training: tp x pp x cp = \(tp * pp * cp) does not divide \(chips) chips, so dp cannot be derived."
                )
            }
            dp = chips / (tp * pp * cp)
            assumed.append("dp not stated: \(dp) = chips / (tp x pp x cp).")
        }
        guard tp * pp * cp * dp == chips else {
            throw EstimationError(
                "plan.training: tp x pp x cp x dp = \(tp * pp * cp * dp), but the system has \(chips) chips."
            )
        }
        let vpp = stated.vpp ?? 1
        var schedule = stated.schedule
        if schedule == nil {
            schedule = vpp > 1 ? .interleaved : .oneFOneB
            if pp > 1 { assumed.append("schedule not stated: \(schedule?.rawValue ?? "1f1b") assumed.") }
        }
        let microBatch = value(stated.microBatch, "micro_batch", default: 1)
        let zero = value(stated.zero, "zero", default: 1)
        let recompute = stated.recompute ?? .none
        if stated.recompute == nil { assumed.append("recompute not stated: none assumed.") }
        return TrainingPlan(
            tp: tp,
            pp: pp,
            vpp: vpp,
            ep: stated.ep ?? 1,
            dp: dp,
            cp: cp,
            sequenceParallel: stated.sequenceParallel,
            zero: zero,
            schedule: schedule ?? .oneFOneB,
            microBatch: microBatch,
            recompute: recompute,
            assumptions: assumed
        )
    }
}

/// A prediction that cannot honestly be made, and why.
public struct EstimationError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// The one refusal for a group that must leave its scale-up domain on a chip or system whose
    /// catalog entry has no scale-out bandwidth: what crosses, and the fact to add.
    public static func noScaleOut(_ what: String, domain: Int, chip: String?) -> EstimationError {
        EstimationError(
            "\(what) leaves the \(domain)-rank scale-up domain, but the catalog has no scale-out bandwidth\(chip.map { " for \($0)" } ?? ""). Fix: add scale_out.bandwidth (the NIC rate per accelerator, from the server or rack datasheet or a reference architecture) to the chip's or system's catalog file, or keep it within one scale-up domain."
        )
    }
}
