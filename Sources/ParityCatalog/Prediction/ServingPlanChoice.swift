import ParityCore

/// The plan a serving prediction runs on: the scenario's own where it states one, searched where
/// it leaves the layout open. A stated field is a constraint on the search, never replaced.
struct ServingPlanChoice {
    /// The plan, every pool with its layout.
    var plan: Plan
    /// The workload as the plan runs it (a searched split into prefill and decode pools sets
    /// `disaggregated`).
    var serving: Workload.Serving
    /// How many plans were weighed; nil when the scenario stated the whole layout.
    var weighed: Int?
    /// What was searched and what was chosen, in words.
    var notes: [String] = []
}

extension ScenarioFile {
    /// Serving metrics on the scenario's plan, or on the best plan the scenario allows.
    func predictServing(_ stated: Workload.Serving, catalog: Catalog) throws -> ScenarioPrediction {
        let (sized, lengthAssumptions, lengthNotes) = completedLengths(stated)
        let (serving, draftAssumptions, draftNotes) = completedSpeculation(sized)
        let assumptions = lengthAssumptions + draftAssumptions
        let assumed = lengthNotes + draftNotes
        let choice = try chooseServingPlan(serving, catalog: catalog)
        var prediction = try predictServing(choice.serving, plan: choice.plan, catalog: catalog)
        prediction.assumptions = assumptions + balancerAssumption(choice.plan, catalog: catalog)
        // What was assumed and searched first, each said once.
        var seen = Set<String>()
        let notes =
            modelAssumptions + assumed + choice.notes + prediction.notes.dropFirst(modelAssumptions.count)
        prediction.notes = notes.filter { seen.insert($0).inserted }
        prediction.servingPlan = choice.plan
        prediction.plansWeighed = choice.weighed
        return prediction
    }

    /// The expert balancer, when a pool with expert parallelism leaves `eplb` out and the stack
    /// measured the imbalance: on by default, ranging from perfect balance (1) to none.
    func balancerAssumption(_ plan: Plan, catalog: Catalog) -> [Assumption] {
        guard architecture.mixtureOfExpertsLayerCount > 0,
            let stack = try? catalog.stack(for: chip, software: scenario.system.software).stack,
            let balanced = stack.value(.expertImbalanceBalanced),
            let unbalanced = stack.value(.expertImbalanceUnbalanced),
            [plan.serving, plan.prefill, plan.decode].contains(where: { pool in
                pool.map { ($0.ep ?? 1) > 1 && $0.expertBalancing == nil } ?? false
            })
        else { return [] }
        return [
            Assumption(
                key: "plan.eplb",
                value: balanced,
                low: 1,
                high: unbalanced,
                source:
                    "the stack's measured busiest-rank ratio with its balancer (\(formatNumber(balanced, decimals: 2))x) and without (\(formatNumber(unbalanced, decimals: 2))x) at EP\(Int(stack.value(.expertImbalanceReferenceEP) ?? 32)), scaled by log2(EP)"
            )
        ]
    }

    /// Fills in what the scenario's plan leaves open.
    /// - No pool stated, prompt and output lengths known: the plan search's best under the
    ///   objectives (aggregated, or split into prefill and decode pools, as the workload allows).
    /// - A pool without `tp` or `attention_dp`: its layouts, each predicted in full, the best kept.
    func chooseServingPlan(_ serving: Workload.Serving, catalog: Catalog) throws -> ServingPlanChoice {
        var plan = scenario.plan
        if plan.serving == nil && plan.prefill == nil && plan.decode == nil {
            if serving.inputTokens != nil && serving.outputTokens != nil {
                return try searchedPlan(serving, catalog: catalog)
            }
            var pool = Plan.Pool()
            pool.chips = scenario.system.chips
            if serving.disaggregated == true { plan.decode = pool } else { plan.serving = pool }
        }
        var choice = ServingPlanChoice(plan: plan, serving: serving)
        // Each open pool in turn, decode first: the pools' rates are independent, so the best of
        // each is the best of both.
        for role in [PoolRole.serving, .decode, .prefill] {
            guard let pool = choice.plan[role], pool.tp == nil, pool.attentionDP == nil,
                role != .prefill || ((pool.pp ?? 1) == 1 && (pool.cp ?? 1) == 1)
            else { continue }
            let options = layoutOptions(pool, role: role)
            guard !options.isEmpty else { continue }
            var best: (pool: Plan.Pool, score: PlanScore)?
            var firstError: (any Error)?
            for option in options {
                var candidate = choice.plan
                candidate[role] = option
                do {
                    let p = try predictServing(choice.serving, plan: candidate, catalog: catalog)
                    let score = PlanScore(p.metrics, role: role, serving: serving)
                    if best.map({ score.beats($0.score) }) ?? true { best = (option, score) }
                } catch {
                    if firstError == nil { firstError = error }
                }
            }
            guard let best else { throw firstError ?? EstimationError("plan.\(role.rawValue): no layout fits.") }
            choice.plan[role] = best.pool
            choice.weighed = (choice.weighed ?? 0) + options.count
            choice.notes.append(
                "plan.\(role.rawValue) states no attention layout: \(options.count) layouts weighed, \(describe(best.pool)) chosen\(best.score.meets ? "" : ", the closest to the objectives (none meets them)")."
            )
        }
        return choice
    }

    /// The whole plan from the plan search: its best point, turned into pools the predictor runs.
    func searchedPlan(_ serving: Workload.Serving, catalog: Catalog) throws -> ServingPlanChoice {
        let search = try servingSearch(catalog: catalog)
        let tpot = serving.tpotSLOMilliseconds.map { Seconds.milli($0) }
        let ttft = serving.ttftSLOMilliseconds.map { Seconds.milli($0) }
        let met = search.best
        guard let point = met ?? ServingPlanSearch.closest(search.points, tpot: tpot, ttft: ttft),
            let input = serving.inputTokens
        else {
            throw EstimationError("No plan fits \(architecture.name) on \(scenario.system.chips) x \(chip.name).")
        }
        var plan = Plan()
        var workload = serving
        // With a stated load the benchmark's requests set the batch; otherwise the search's batch.
        let batch = serving.concurrency == nil ? point.batch : nil
        let perChip = chip.ranksPerChip
        func pool(chips: Int, tp: Int, dp: Int, ep: Int) -> Plan.Pool {
            var p = Plan.Pool()
            (p.chips, p.tp, p.attentionDP, p.ep) = (chips, tp, dp, ep)
            return p
        }
        let decoding = { (chips: Int) in
            var d = pool(chips: chips, tp: point.attentionTP, dp: point.attentionDP, ep: point.expertParallel)
            d.batchPerGroup = batch
            return d
        }
        if let prefill = point.prefill, let decodeChips = point.decodeChips {
            var p = pool(
                chips: prefill.chips,
                tp: prefill.attentionTP,
                dp: prefill.attentionDP,
                ep: prefill.expertParallel
            )
            // Tokens per chip per pass such that each attention-DP group holds its prompts.
            p.batchTokens = max(1, prefill.promptsPerGroup * input * perChip / prefill.attentionTP)
            plan.prefill = p
            plan.decode = decoding(decodeChips)
            workload.disaggregated = true
        } else {
            plan.serving = decoding(scenario.system.chips)
            workload.disaggregated = false
        }
        let objectives = [
            serving.tpotSLOMilliseconds.map { "TPOT \(formatNumber($0, decimals: 0)) ms" },
            serving.ttftSLOMilliseconds.map { "TTFT \(formatNumber($0, decimals: 0)) ms" },
        ].compactMap { $0 }
        let under = objectives.isEmpty ? "" : " under \(objectives.joined(separator: " and "))"
        var notes = search.notes
        notes.append(
            "No plan stated: \(search.points.count) plans weighed; the best\(under)\(met == nil ? " (none meets the objectives: the closest)" : "") is \(describe(plan))."
        )
        return ServingPlanChoice(plan: plan, serving: workload, weighed: search.points.count, notes: notes)
    }

    /// The attention layouts a pool allows: attention TP in powers of two within the scale-up
    /// domain (dividing the heads and the ranks), the rest data-parallel; experts over all ranks or
    /// tensor-parallel, unless the pool states `ep`.
    func layoutOptions(_ pool: Plan.Pool, role: PoolRole) -> [Plan.Pool] {
        let chips = pool.chips ?? scenario.system.chips
        let perChip = pool.ranksPerChip ?? chip.ranksPerChip
        let stages = role == .decode ? max(1, pool.pp ?? 1) : 1
        guard chips % stages == 0 else { return [] }
        let ranks = chips / stages * perChip
        let domainRanks = (system?.chips ?? chip.scaleUp?.maxDomain ?? 1) * perChip
        let heads = architecture.tensorParallelHeads
        let isMoE = architecture.mixtureOfExpertsLayerCount > 0
        let experts: [Int?] = pool.ep.map { [$0] } ?? (isMoE ? (ranks > 1 ? [ranks, 1] : [1]) : [nil])
        var options: [Plan.Pool] = []
        for tp in [1, 2, 4, 8, 16, 32, 64] where tp <= min(ranks, domainRanks) && ranks % tp == 0 && heads % tp == 0 {
            for ep in experts {
                var option = pool
                option.tp = tp
                option.attentionDP = ranks / tp
                option.ep = ep ?? 1
                options.append(option)
            }
        }
        return options
    }

    /// A plan in a line: each pool's chips, layout and batch.
    func describe(_ plan: Plan) -> String {
        if let s = plan.serving { return "aggregated, " + describe(s) }
        let parts = [plan.prefill.map { "prefill " + describe($0) }, plan.decode.map { "decode " + describe($0) }]
        return "disaggregated, " + parts.compactMap { $0 }.joined(separator: "; ")
    }

    func describe(_ pool: Plan.Pool) -> String {
        var words = ["\(pool.chips ?? scenario.system.chips) chips"]
        if let pp = pool.pp, pp > 1 { words.append("PP \(pp)") }
        words.append("attention TP \(pool.tp ?? 1) x DP \(pool.attentionDP ?? 1)")
        if architecture.mixtureOfExpertsLayerCount > 0 { words.append("EP \(pool.ep ?? 1)") }
        if let b = pool.batchPerGroup { words.append("\(b) sequences per group") }
        if let t = pool.batchTokens { words.append("\(t) prompt tokens per chip per pass") }
        return words.joined(separator: ", ")
    }
}

/// A serving pool's place in a plan.
enum PoolRole: String, CaseIterable {
    case serving, prefill, decode
}

extension Plan {
    subscript(role: PoolRole) -> Pool? {
        get {
            switch role {
            case .serving: serving
            case .prefill: prefill
            case .decode: decode
            }
        }
        set {
            switch role {
            case .serving: serving = newValue
            case .prefill: prefill = newValue
            case .decode: decode = newValue
            }
        }
    }
}

/// How well a candidate plan answers: whether it meets the objectives, then its rate.
struct PlanScore {
    var meets: Bool
    /// The pool's rate: output per chip (aggregated), decode or prefill tokens per chip.
    var rate: Double
    /// By how much the worse objective is missed (1 or less: met).
    var miss: Double

    init(_ metrics: [Metric: Double], role: PoolRole, serving: Workload.Serving) {
        let rateMetric: Metric =
            switch role {
            case .serving: .outputTokensPerSecondPerChip
            case .decode: .decodeTokensPerSecondPerChip
            case .prefill: .prefillTokensPerSecondPerChip
            }
        rate = metrics[rateMetric] ?? 0
        var ratios: [Double] = []
        if role != .prefill, let slo = serving.tpotSLOMilliseconds, let tpot = metrics[.tpot] {
            ratios.append(tpot / slo)
        }
        if role != .decode, let slo = serving.ttftSLOMilliseconds, let ttft = metrics[.ttft] {
            ratios.append(ttft / slo)
        }
        miss = ratios.max() ?? 0
        meets = miss <= 1 + 1e-9
    }

    /// Meeting the objectives first; among those the higher rate, among the rest the smaller miss.
    func beats(_ other: PlanScore) -> Bool {
        if meets != other.meets { return meets }
        return meets ? rate > other.rate : (miss, -rate) < (other.miss, -other.rate)
    }
}
