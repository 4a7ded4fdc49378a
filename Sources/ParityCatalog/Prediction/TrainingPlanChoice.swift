import ParityCore

extension ScenarioFile {
    /// The policies a stated training plan leaves open, each with the values weighed: micro-batch,
    /// ZeRO stage, recomputation, expert parallelism (MoE) and, with pipeline stages, the schedule.
    /// The parallel layout (tp, pp, cp, dp) keeps what the plan states and its defaults.
    func openTrainingChoices(_ stated: Plan.Training, _ plan: TrainingPlan, globalBatch: Int) -> [String:
        [TrainingPlan]]
    {
        var open: [String: [TrainingPlan]] = [:]
        let perRank = globalBatch / max(1, plan.dp)
        if stated.microBatch == nil {
            open["micro_batch"] = [1, 2, 4].filter { perRank % $0 == 0 }.map { mb in
                var p = plan
                p.microBatch = mb
                return p
            }
        }
        if stated.zero == nil && plan.dp > 1 {
            // ZeRO-3 re-gathers parameters every micro-batch, which pipeline schedules do not run.
            open["zero"] = (plan.pp == 1 ? [1, 2, 3] : [1, 2]).map { z in
                var p = plan
                p.zero = z
                return p
            }
        }
        if stated.recompute == nil {
            open["recompute"] = Plan.Recompute.allCases.map { r in
                var p = plan
                p.recompute = r
                return p
            }
        }
        let experts = architecture.layers.compactMap { layer -> Int? in
            if case .mixtureOfExperts(let moe) = layer.feedForward { return moe.experts }
            return nil
        }.first
        if stated.ep == nil, let experts {
            let ranks = plan.dp * plan.tp * plan.cp
            open["ep"] = [1, 8, 16, 32, 64, 128, 256].filter { experts % $0 == 0 && ranks % $0 == 0 }.map { ep in
                var p = plan
                p.ep = ep
                return p
            }
        }
        if stated.schedule == nil && plan.pp > 1 {
            var schedules: [(Plan.Schedule, Int)] = [(.oneFOneB, 1)]
            if architecture.layers.count % (plan.pp * 2) == 0 { schedules.append((.interleaved, stated.vpp ?? 2)) }
            if experts != nil && plan.pp % 2 == 0 { schedules.append((.dualpipe, 1)) }
            open["schedule"] = schedules.map { schedule, vpp in
                var p = plan
                p.schedule = schedule
                p.vpp = vpp
                return p
            }
        }
        return open
    }

    /// The fastest plan that fits (the fastest, when none does) among those the stated plan allows,
    /// over every combination of the open policies; nil when the plan leaves none open.
    func bestOpenTrainingPlan(
        _ stated: Plan.Training,
        _ plan: TrainingPlan,
        estimator: TrainingEstimator
    ) throws -> (estimate: TrainingEstimate, note: String)? {
        let open = openTrainingChoices(stated, plan, globalBatch: estimator.globalBatch)
        guard !open.isEmpty else { return nil }
        var combinations = [plan]
        // The defaults the open keys would have taken are not assumed any more: they are weighed.
        combinations[0].assumptions.removeAll { a in open.keys.contains { a.hasPrefix("\($0) not stated") } }
        for key in open.keys.sorted() {
            let options = open[key] ?? []
            combinations = combinations.flatMap { base in
                options.map { option in
                    var p = base
                    switch key {
                    case "micro_batch": p.microBatch = option.microBatch
                    case "zero": p.zero = option.zero
                    case "recompute": p.recompute = option.recompute
                    case "ep": p.ep = option.ep
                    default:
                        p.schedule = option.schedule
                        p.vpp = option.vpp
                    }
                    return p
                }
            }
        }
        let estimates = combinations.compactMap { try? estimator.estimate(plan: $0) }
        // Fitting first, then the shorter step (as for the virtual stages of an interleaved schedule).
        let ranked = estimates.sorted {
            ($0.fits ? 0 : 1, $0.stepTime.value, $0.plan.zero, $0.memoryPerChip.value)
                < ($1.fits ? 0 : 1, $1.stepTime.value, $1.plan.zero, $1.memoryPerChip.value)
        }
        guard let best = ranked.first else { return nil }
        let p = best.plan
        let chosen = open.keys.sorted().map { key -> String in
            switch key {
            case "micro_batch": "micro_batch \(p.microBatch)"
            case "zero": "zero \(p.zero)"
            case "recompute": "recompute \(p.recompute.rawValue)"
            case "ep": "ep \(p.ep)"
            default: "schedule \(p.schedule.rawValue)\(p.schedule == .interleaved ? " (vpp \(p.vpp))" : "")"
            }
        }
        let note =
            "plan.training leaves \(open.keys.sorted().joined(separator: ", ")) open: \(combinations.count) plans weighed; \(chosen.joined(separator: ", ")) chosen, \(best.fits ? "the fastest that fits" : "the fastest (none fits)")."
        return (best, note)
    }
}
