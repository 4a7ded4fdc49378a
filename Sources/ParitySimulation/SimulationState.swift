/// A first-in, first-out queue of request ids that also takes preempted requests back at its front.
struct Queue {
    private var storage: [Int] = []
    private var head = 0

    var isEmpty: Bool { head >= storage.count }
    var count: Int { storage.count - head }
    var first: Int? { isEmpty ? nil : storage[head] }

    mutating func append(_ e: Int) { storage.append(e) }

    @discardableResult
    mutating func removeFirst() -> Int {
        let e = storage[head]
        head += 1
        if head > 1_024 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return e
    }

    mutating func pushFront(_ e: Int) {
        if head > 0 {
            head -= 1
            storage[head] = e
        } else {
            storage.insert(e, at: 0)
        }
    }
}

/// A binary min-heap of (decode step at which a request finishes, request id, its epoch).
struct FinishHeap {
    private(set) var items: [(step: Int, id: Int, epoch: Int)] = []
    var min: (step: Int, id: Int, epoch: Int)? { items.first }

    mutating func push(_ e: (step: Int, id: Int, epoch: Int)) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[parent].step > items[i].step else { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() {
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var m = i
            if l < items.count && items[l].step < items[m].step { m = l }
            if r < items.count && items[r].step < items[m].step { m = r }
            guard m != i else { return }
            items.swapAt(i, m)
            i = m
        }
    }
}

/// Everything that changes while a simulation runs. Decoding requests advance together, so their
/// progress is kept as a shared decode-step counter rather than per request: a step costs the
/// same whatever the batch, and finishes come off a heap in order.
struct SimulationState {
    let requests: [RequestSpec]
    let closedLoop: Int?
    let emitted: Double
    let overhead: Double
    var next = 0
    var now = 0.0
    /// Decode steps taken so far (the shared counter).
    var decodeSteps = 0
    var live: [LiveRequest] = []
    var waiting = Queue()
    /// Running requests in admission order (ids; finished ones are skipped lazily), and those whose
    /// prompt is still being prefilled, oldest first.
    var admitted: [Int] = []
    var prefilling: [Int] = []
    var finishes = FinishHeap()
    var runningCount = 0
    var decoding = 0
    /// Summed KV length of the decoding requests at `decodeSteps`, and KV entries held and promised
    /// by all running ones.
    var decodeContext = 0.0
    var cached = 0.0
    var reserved = 0
    var records: [RequestRecord] = []
    var rejected = 0
    var preemptions = 0
    var truncated = false
    /// Per step: its time, length and tokens emitted by decoding sequences (for ITL).
    var stepEnds: [Double] = []
    var stepSeconds: [Double] = []
    var stepRepeats: [Int] = []
    var stepDecoders: [Int] = []
    var stepPrefill: [Int] = []
    var queueLengths: [Int] = []

    init(requests: [RequestSpec], closedLoop: Int?, emitted: Double, overhead: Double = 0) {
        self.requests = requests
        self.closedLoop = closedLoop
        self.emitted = emitted
        self.overhead = overhead
        live.reserveCapacity(requests.count)
        if let closedLoop {
            // The first wave starts together at time zero.
            for _ in 0..<Swift.min(closedLoop, requests.count) { release(at: 0) }
        }
    }

    var done: Bool { next >= requests.count && waiting.isEmpty && runningCount == 0 }

    /// Decode steps until the first decoding request finishes.
    var stepsToFinish: Int {
        guard let first = finishes.min else { return .max }
        return Swift.max(1, first.step - decodeSteps)
    }

    mutating func release(at time: Double) {
        guard next < requests.count else { return }
        let spec = requests[next]
        live.append(
            LiveRequest(arrival: time, prompt: spec.inputTokens, output: spec.outputTokens, toPrefill: spec.inputTokens)
        )
        waiting.append(next)
        next += 1
    }

    /// Open-loop arrivals up to now join the queue.
    mutating func admitArrivals() {
        guard closedLoop == nil else { return }
        while next < requests.count, requests[next].arrival <= now { release(at: requests[next].arrival) }
    }

    /// The next open-loop arrival still to come.
    var nextArrival: Double? { closedLoop == nil && next < requests.count ? requests[next].arrival : nil }

    /// With nothing to do, time jumps to the next arrival; false when none is left.
    mutating func jumpToNextArrival() -> Bool {
        guard let arrival = nextArrival else { return false }
        now = Swift.max(now, arrival)
        return true
    }

    mutating func reject() {
        waiting.removeFirst()
        rejected += 1
        if closedLoop != nil { release(at: now) }
    }

    /// Moves the first waiting request into the batch with its first chunk scheduled.
    mutating func admitFirstWaiting() -> Int {
        let id = waiting.removeFirst()
        admitted.append(id)
        prefilling.append(id)
        runningCount += 1
        live[id].reserved = live[id].promise
        reserved += live[id].reserved
        return id
    }

    /// The generated tokens of a decoding request now.
    func generated(_ id: Int) -> Double {
        let r = live[id]
        return Swift.min(Double(r.output), r.generatedBase + Double(decodeSteps - r.decodeBase) * emitted)
    }

    /// Takes the newest running request out and puts it at the front of the queue, to be prefilled
    /// again with what it had generated (vLLM's recompute preemption).
    mutating func preemptNewest() {
        while let id = admitted.popLast() {
            guard live[id].running else { continue }
            if live[id].decoding {
                let g = generated(id)
                let held = live[id].cachedWhenDecoding(generated: g)
                decodeContext -= held
                cached -= held
                decoding -= 1
                live[id].generatedBase = g
                live[id].epoch += 1
            } else {
                cached -= Double(live[id].prefilled)
                prefilling.removeAll { $0 == id }
            }
            reserved -= live[id].reserved
            live[id].running = false
            live[id].toPrefill = live[id].prompt + Int(live[id].generatedBase)
            live[id].prefilled = 0
            runningCount -= 1
            waiting.pushFront(id)
            preemptions += 1
            return
        }
    }

    mutating func advance(by seconds: Double, repeats: Int, plan: StepPlan) {
        now += seconds * Double(repeats)
        stepEnds.append(now)
        stepSeconds.append(seconds)
        stepRepeats.append(repeats)
        stepDecoders.append(plan.decoders)
        stepPrefill.append(plan.prefillTokens)
        queueLengths.append(waiting.count)
        if plan.decoders > 0 {
            decodeSteps += repeats
            let growth = Double(decoding * repeats) * emitted
            decodeContext += growth
            cached += growth
        }
        for chunk in plan.chunks { apply(chunk) }
        finishDue()
    }

    mutating func apply(_ chunk: (id: Int, tokens: Int)) {
        let id = chunk.id
        live[id].running = true
        live[id].prefilled += chunk.tokens
        cached += Double(chunk.tokens)
        guard live[id].decoding else { return }
        // The pass that completes a prompt emits its first (or, after preemption, next) token.
        prefilling.removeAll { $0 == id }
        if live[id].firstToken == nil { live[id].firstToken = now }
        live[id].generatedBase = Swift.min(Double(live[id].output), live[id].generatedBase + 1)
        live[id].decodeBase = decodeSteps
        let held = live[id].cachedWhenDecoding(generated: live[id].generatedBase) - Double(live[id].prefilled)
        cached += held
        decodeContext += Double(live[id].prefilled) + held
        decoding += 1
        let left = Double(live[id].output) - live[id].generatedBase
        let steps = Int((left / emitted).rounded(.up))
        finishes.push((decodeSteps + steps, id, live[id].epoch))
    }

    mutating func finishDue() {
        while let first = finishes.min, first.step <= decodeSteps {
            finishes.pop()
            guard live[first.id].running, live[first.id].epoch == first.epoch else { continue }
            finish(first.id)
        }
    }

    mutating func finish(_ id: Int) {
        let held = live[id].cachedWhenDecoding(generated: Double(live[id].output))
        decodeContext -= held
        cached -= held
        decoding -= 1
        reserved -= live[id].reserved
        runningCount -= 1
        live[id].running = false
        let r = live[id]
        records.append(
            RequestRecord(
                arrival: r.arrival,
                firstToken: (r.firstToken ?? now) + overhead,
                finish: now + overhead,
                inputTokens: r.prompt,
                outputTokens: r.output
            )
        )
        if closedLoop != nil { release(at: now) }
    }

    func result(steps: Int) -> SimulationResult {
        SimulationResult(
            records: records,
            rejected: rejected,
            preemptions: preemptions,
            truncated: truncated,
            steps: steps,
            timeline: Timeline(
                stepEnds: stepEnds,
                stepSeconds: stepSeconds,
                repeats: stepRepeats,
                decoders: stepDecoders,
                prefillTokens: stepPrefill,
                waiting: queueLengths
            )
        )
    }
}
