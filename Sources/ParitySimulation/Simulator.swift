/// A discrete-event simulation of one serving engine: requests arrive, wait, are admitted under
/// the engine's batch, token and KV-cache limits, prefill (in chunks) and decode, one priced step
/// at a time. Time advances by each step's cost from a ``StepCostModel``.
///
/// One engine here is one scheduler: an attention-DP rank of an instance, or a whole instance
/// without attention DP. A deployment of several such ranks is simulated as one of them under its
/// share of the load, assuming the ranks stay balanced.
public struct ServingSimulator<Cost: StepCostModel> {
    public var policy: SchedulerPolicy
    public var cost: Cost
    /// Steps after which a simulation stops and reports itself truncated (a bound on work).
    public var maxSteps: Int

    public init(policy: SchedulerPolicy, cost: Cost, maxSteps: Int = 2_000_000) {
        self.policy = policy
        self.cost = cost
        self.maxSteps = maxSteps
    }

}

/// A request in the engine. While it decodes, its progress is `generatedBase` tokens at decode step
/// `decodeBase`, plus `emitted` per shared decode step since.
struct LiveRequest {
    var arrival: Double
    var prompt: Int
    var output: Int
    /// Tokens to prefill: the prompt, or after preemption the prompt and what was generated.
    var toPrefill: Int
    var prefilled = 0
    var generatedBase = 0.0
    var decodeBase = 0
    var firstToken: Double?
    var running = false
    /// Bumped at preemption, so the request's earlier finish entry is ignored.
    var epoch = 0
    /// KV entries promised to it when admitted, released when it leaves.
    var reserved = 0

    init(arrival: Double, prompt: Int, output: Int, toPrefill: Int) {
        self.arrival = arrival
        self.prompt = prompt
        self.output = output
        self.toPrefill = toPrefill
    }

    var decoding: Bool { running && prefilled >= toPrefill }
    /// KV entries a full reservation promises for the request.
    var promise: Int { toPrefill + output - Int(generatedBase) }

    /// KV entries the request holds while decoding with `generated` tokens: what it prefilled and
    /// the tokens generated since (after preemption the earlier ones were prefilled again).
    func cachedWhenDecoding(generated: Double) -> Double {
        Double(prefilled) + Swift.max(0, generated - Double(toPrefill - prompt))
    }
}

extension ServingSimulator {

    /// Runs the load to the end and returns every request's times and the engine's timeline.
    public mutating func run(_ load: LoadSpec) -> SimulationResult {
        run(requests: load.requests(), closedLoop: load.closedLoopConcurrency)
    }

    /// Runs `requests` (sorted by arrival); with `closedLoop`, only that many are in flight and each
    /// finished request releases the next at once.
    public mutating func run(requests: [RequestSpec], closedLoop: Int?) -> SimulationResult {
        var state = SimulationState(
            requests: requests,
            closedLoop: closedLoop,
            emitted: policy.emittedPerDecodeStep,
            overhead: policy.requestOverhead
        )
        var steps = 0
        while !state.done {
            state.admitArrivals()
            if state.runningCount == 0 && state.waiting.isEmpty {
                guard state.jumpToNextArrival() else { break }
                continue
            }
            let plan = policy.schedule(&state)
            guard !plan.isEmpty else {
                // Nothing can run: the oldest waiting request can never fit the cache.
                state.reject()
                continue
            }
            var shape = plan.shape(state)
            var seconds = cost.seconds(for: shape)
            let repeats =
                plan.chunks.isEmpty
                ? policy.quietSteps(state, plan: plan, step: seconds, done: steps, maxSteps: maxSteps) : 1
            if repeats > 1 {
                // Identical decode steps until something changes, priced at their middle context.
                shape.decodeContext += Int(policy.emittedPerDecodeStep * Double(repeats - 1) / 2)
                seconds = cost.seconds(for: shape)
            }
            state.advance(by: seconds, repeats: repeats, plan: plan)
            steps += repeats
            if steps >= maxSteps {
                state.truncated = true
                break
            }
        }
        return state.result(steps: steps)
    }

}

extension LoadSpec {
    /// The closed loop's in-flight limit, when the arrivals are a closed loop.
    var closedLoopConcurrency: Int? {
        if case .closedLoop(let c, _) = arrivals { return max(1, c) }
        return nil
    }
}

/// What one step runs: every decoding request (or none, when a prefill-first engine runs prompts
/// alone), and prompt chunks by request id.
struct StepPlan {
    var decoders = 0
    var chunks: [(id: Int, tokens: Int)] = []
    var isEmpty: Bool { decoders == 0 && chunks.isEmpty }
    var prefillTokens: Int { chunks.reduce(0) { $0 + $1.tokens } }

    func shape(_ state: SimulationState) -> StepShape {
        var tokens = 0
        var weighted = 0
        for c in chunks {
            tokens += c.tokens
            weighted += c.tokens * state.live[c.id].toPrefill
        }
        return StepShape(
            decodeSequences: decoders,
            decodeContext: decoders == 0 ? 1 : max(1, Int(state.decodeContext / Double(decoders))),
            prefillTokens: tokens,
            promptLength: tokens > 0 ? max(1, weighted / tokens) : 1
        )
    }
}

extension SchedulerPolicy {
    /// How many decode-only steps run unchanged from now: until the first running request finishes,
    /// the next arrival, or the cache fills. Between those events the scheduler has nothing new to
    /// decide, so the steps are taken at once.
    func quietSteps(_ state: SimulationState, plan: StepPlan, step: Double, done: Int, maxSteps: Int) -> Int {
        var n = min(maxSteps - done, state.stepsToFinish)
        if let arrival = state.nextArrival, step > 0, step.isFinite {
            n = min(n, max(1, Int(((arrival - state.now) / step).rounded(.up))))
        }
        if admission != .reserveFull, let capacity = kvCapacityTokens {
            let growth = max(1, Int((Double(plan.decoders * tokensPerDecodeStep)).rounded(.up)))
            n = min(n, max(1, Int(Double(capacity) - state.cached) / growth))
        }
        return max(1, n)
    }

    func schedule(_ state: inout SimulationState) -> StepPlan {
        var plan = StepPlan()
        if admission != .reserveFull { makeRoomForDecode(&state) }
        let promptWork = !state.prefilling.isEmpty || (!state.waiting.isEmpty && state.runningCount < maxRunning)
        let prefillFirst = family == .sglang && promptWork
        var budget = tokenBudget
        if !prefillFirst {
            plan.decoders = state.decoding
            budget -= plan.decoders * tokensPerDecodeStep
        }
        // Prompts already being prefilled continue first, oldest first.
        for id in state.prefilling where budget > 0 {
            let chunk = min(state.live[id].toPrefill - state.live[id].prefilled, budget)
            plan.chunks.append((id, chunk))
            budget -= chunk
        }
        admit(&state, plan: &plan, budget: budget)
        if plan.isEmpty, prefillFirst {
            // No prompt could be admitted (cache full): decode instead.
            plan.decoders = state.decoding
        }
        return plan
    }

    /// Waiting requests join the step while the budget, the batch limit and the cache allow.
    func admit(_ state: inout SimulationState, plan: inout StepPlan, budget: Int) {
        var budget = budget
        var cached = state.cached
        while budget > 0, state.runningCount < maxRunning, let next = state.waiting.first {
            let prompt = state.live[next].toPrefill
            // TensorRT-LLM (chunked prefill off) schedules a context whole: one that does not fit what
            // is left waits for the next step, unless it is the step's first, which a deployment serving
            // such prompts must have a budget for.
            var chunk = min(prompt, budget)
            if family == .trtllm && prompt > budget {
                guard plan.chunks.isEmpty else { break }
                chunk = prompt
            }
            if let capacity = kvCapacityTokens {
                switch admission {
                case .reserveFull:
                    guard state.reserved + state.live[next].promise <= capacity else { return }
                case .incremental:
                    guard cached + Double(chunk + tokensPerDecodeStep) <= Double(capacity) else { return }
                case .estimated:
                    // Room for what is held, a share of what running answers and this one will add.
                    let ahead = Double(state.reserved + state.live[next].promise) - cached - Double(chunk)
                    let need = cached + Double(chunk) + Self.estimatedAnswerShare * max(0, ahead)
                    guard need <= Double(capacity) else { return }
                }
            }
            let id = state.admitFirstWaiting()
            plan.chunks.append((id, chunk))
            budget -= chunk
            cached += Double(chunk)
        }
    }

    /// Preempts the newest requests until every decoding one can grow by a step (vLLM's
    /// recompute preemption; SGLang retracts the same way).
    func makeRoomForDecode(_ state: inout SimulationState) {
        guard let capacity = kvCapacityTokens else { return }
        while state.runningCount > 1,
            state.cached + Double(state.decoding * tokensPerDecodeStep) > Double(capacity)
        {
            state.preemptNewest()
        }
    }
}
