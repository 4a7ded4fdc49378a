import ParityCore

/// Published draft lengths and accepted lengths of speculative decoding, by method, for a scenario
/// that names a method without its draft length or acceptance. The accepted length counts the
/// token the target model adds itself, so acceptance is `(accepted length - 1) / tokens`.
enum SpeculativeDefaults {
    enum Method: String {
        case mtp = "MTP"
        case eagle = "EAGLE-3"
        case dspark = "DSpark"
        case ngram = "n-gram"
    }

    /// An accepted length at one draft length: typical, low and high.
    struct Row {
        var tokens: Int
        var typical: Double
        var low: Double
        var high: Double
    }

    struct Profile {
        var method: Method
        /// The draft length taken when the scenario does not state one, and why.
        var usualTokens: Int
        var usualTokensSource: String
        var rows: [Row]
        var source: String
    }

    static let mtp = Profile(
        method: .mtp,
        usualTokens: 1,
        usualTokensSource: "the model's MTP modules (DeepSeek's configs ship one, num_nextn_predict_layers)",
        rows: [
            Row(tokens: 1, typical: 1.85, low: 1.70, high: 1.92),
            Row(tokens: 2, typical: 2.45, low: 2.00, high: 2.70),
            Row(tokens: 3, typical: 2.70, low: 2.40, high: 3.30),
            Row(tokens: 4, typical: 2.99, low: 2.50, high: 3.30),
            Row(tokens: 5, typical: 3.01, low: 2.50, high: 3.40),
        ],
        source:
            "DeepSeek-V3 report §5.4.3 (second token accepted 85-90%); TensorRT-LLM's DeepSeek-R1 B200 latency blog (accepted length 1.92/2.58/2.82/2.99/3.01 at 1-5 drafts); LMSYS's R1-on-H20 post (2.4-2.7 at 2, 2.9-3.3 at 3); CANN's and LMSYS's DeepSeek-V4 notes (2.44-2.5 at 3)"
    )

    static let eagle = Profile(
        method: .eagle,
        usualTokens: 3,
        usualTokensSource: "the engines' usual chain of 3 drafts (SGLang's 3-1-4)",
        rows: [
            Row(tokens: 1, typical: 1.80, low: 1.69, high: 1.86),
            Row(tokens: 2, typical: 2.40, low: 2.12, high: 2.56),
            Row(tokens: 3, typical: 2.80, low: 2.37, high: 3.08),
            Row(tokens: 7, typical: 3.40, low: 2.63, high: 4.80),
        ],
        source:
            "EAGLE-3 heads on Llama-class models: RedHat's Llama-4-Maverick speculator card (1.69-1.86 at 1 draft, 2.37-3.08 at 3, 2.63-4.02 at 7) and Nebius's Llama-3.3-70B card (2.77-4.78 at 7)"
    )

    static let dspark = Profile(
        method: .dspark,
        usualTokens: 7,
        usualTokensSource: "the launch command of Ant Group's DeepSeek-V4-Pro H20 post (7 draft tokens, block size 7)",
        rows: [
            Row(tokens: 5, typical: 3.00, low: 2.45, high: 3.50),
            Row(tokens: 7, typical: 3.50, low: 2.90, high: 5.00),
        ],
        source:
            "community vLLM-Ascend V4.1-Flash runs (2.76-3.44 at 5), vLLM issue 56797 (2.82 on GSM8K at 5), vLLM-Ascend issues 13640/13664 (2.91-2.93 at 7) and LMSYS's DSpark-in-SGLang post (about 5 at batch 1); low confidence"
    )

    static let ngram = Profile(
        method: .ngram,
        usualTokens: 5,
        usualTokensSource: "TensorRT-LLM's n-gram defaults (5 drafts)",
        rows: [
            Row(tokens: 3, typical: 1.40, low: 1.30, high: 1.70),
            Row(tokens: 5, typical: 1.40, low: 1.30, high: 1.80),
        ],
        source: "TensorRT-LLM's n-gram analysis on multi-turn chat (accepted length 1.37-1.77)"
    )

    /// The method a scenario's words name; a drafter not named is the model's MTP when it has
    /// one, else an EAGLE-3 head.
    static func method(named name: String?, hasMTP: Bool) -> (Profile, named: Bool) {
        let key = (name ?? "").lowercased().filter { $0.isLetter || $0.isNumber }
        if key.contains("dspark") { return (dspark, true) }
        if key.contains("ngram") || key.contains("lookup") { return (ngram, true) }
        if key.contains("mtp") || key.contains("nextn") { return (mtp, true) }
        if key.contains("eagle") { return (hasMTP ? mtp : eagle, true) }
        return (hasMTP ? mtp : eagle, false)
    }

    /// The accepted length at `tokens` drafts: the row with that length, else between the two rows
    /// around it, else the nearest row's; never more than every draft accepted.
    static func acceptedLength(_ m: Profile, tokens: Int) -> Row {
        let rows = m.rows
        var row: Row
        if let exact = rows.first(where: { $0.tokens == tokens }) {
            row = exact
        } else if let below = rows.last(where: { $0.tokens < tokens }),
            let above = rows.first(where: { $0.tokens > tokens })
        {
            let t = Double(tokens - below.tokens) / Double(above.tokens - below.tokens)
            func mix(_ a: Double, _ b: Double) -> Double { a + (b - a) * t }
            row = Row(
                tokens: tokens,
                typical: mix(below.typical, above.typical),
                low: mix(below.low, above.low),
                high: mix(below.high, above.high)
            )
        } else {
            row = tokens < rows[0].tokens ? rows[0] : rows[rows.count - 1]
            row.tokens = tokens
        }
        let ceiling = 1 + Double(tokens)
        row.typical = min(row.typical, ceiling)
        row.low = min(row.low, ceiling)
        row.high = min(row.high, ceiling)
        return row
    }
}

extension ScenarioFile {
    /// The workload with speculative decoding completed: a draft length and an acceptance from the
    /// published figures of its method where the scenario leaves them out, each listed as an
    /// assumption with its range and source.
    func completedSpeculation(_ serving: Workload.Serving) -> (Workload.Serving, [Assumption], [String]) {
        guard let stated = serving.speculative, stated.tokens != 0 else { return (serving, [], []) }
        let hasMTP = architecture.multiTokenPrediction != nil
        let (m, named) = SpeculativeDefaults.method(named: stated.method, hasMTP: hasMTP)
        var completed = stated
        var assumptions: [Assumption] = []
        var notes: [String] = []
        let what = named ? m.method.rawValue : "\(m.method.rawValue) (no method named)"
        if stated.tokens == nil {
            let usual = m.method == .mtp ? (architecture.multiTokenPrediction?.modules ?? m.usualTokens) : m.usualTokens
            completed.tokens = usual
            assumptions.append(
                Assumption(
                    key: "workload.speculative.tokens",
                    value: Double(usual),
                    source: "\(what): \(m.usualTokensSource)"
                )
            )
            notes.append(
                "workload.speculative.tokens not stated: \(usual) draft token\(usual == 1 ? "" : "s"), \(m.usualTokensSource)."
            )
        }
        let tokens = completed.tokens ?? 1
        if stated.acceptance == nil {
            let row = SpeculativeDefaults.acceptedLength(m, tokens: tokens)
            let k = Double(tokens)
            completed.acceptance = (row.typical - 1) / k
            assumptions.append(
                Assumption(
                    key: "workload.speculative.acceptance",
                    value: (row.typical - 1) / k,
                    low: (row.low - 1) / k,
                    high: (row.high - 1) / k,
                    source: "\(what) at \(tokens) draft\(tokens == 1 ? "" : "s"): \(m.source)"
                )
            )
            notes.append(
                "workload.speculative.acceptance not stated: \(formatNumber((row.typical - 1) / k, decimals: 2)) (accepted length \(formatNumber(row.typical, decimals: 2)), published \(formatNumber(row.low, decimals: 2))-\(formatNumber(row.high, decimals: 2)) for \(what) at \(tokens) draft\(tokens == 1 ? "" : "s")); the bands span that range."
            )
        }
        var workload = serving
        workload.speculative = completed
        return (workload, assumptions, notes)
    }
}

extension ScenarioFile {
    /// A chat request's lengths when a workload states neither (sources in `completedLengths`).
    static let defaultInputTokens = 1_024
    static let defaultOutputTokens = 512

    /// The workload with request lengths filled in when it states neither a prompt length nor a
    /// decode context: a chat request of 1,024 prompt tokens and 512 output tokens, each listed as an
    /// assumption with the range between ShareGPT's short requests and DeepSeek's long service mix.
    func completedLengths(_ serving: Workload.Serving) -> (Workload.Serving, [Assumption], [String]) {
        guard serving.inputTokens == nil && serving.decodeContextTokens == nil else { return (serving, [], []) }
        var workload = serving
        var assumptions = [
            Assumption(
                key: "workload.input_tokens",
                value: Double(Self.defaultInputTokens),
                low: 230,
                high: 4_400,
                source:
                    "the 1,024-token prompts vLLM's, SGLang's and InferenceX's benchmarks default to; ShareGPT as those benchmarks sample it (about 230, vLLM PR 18566) to DeepSeek's service mix (608B input tokens a day against 168B output, open-infra-index day 6)"
            )
        ]
        workload.inputTokens = Self.defaultInputTokens
        if serving.outputTokens == nil {
            workload.outputTokens = Self.defaultOutputTokens
            assumptions.append(
                Assumption(
                    key: "workload.output_tokens",
                    value: Double(Self.defaultOutputTokens),
                    low: 128,
                    high: 1_200,
                    source:
                        "between ShareGPT's about 200 output tokens (vLLM PR 18566) and DeepSeek's service mix (about 1,200 for its prompts), as chat benchmarks run"
                )
            )
        }
        let notes = assumptions.map {
            "\($0.key) not stated: \(formatNumber($0.value, decimals: 0)) assumed (\(formatNumber($0.low ?? 0, decimals: 0))-\(formatNumber($0.high ?? 0, decimals: 0)), \($0.source)); the bands span that range."
        }
        return (workload, assumptions, notes)
    }
}
