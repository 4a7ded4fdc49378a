/// The scheduler settings each engine starts with when a deployment does not set them, from the
/// engines' own code. Users who tune them state `max_num_tokens` in the plan.
public enum EngineDefaults {
    /// Tokens per step an engine schedules by default on a GPU with `memoryGiB` of HBM.
    ///
    /// - vLLM V1 (0.9 onward, `EngineArgs` usage-context defaults for the OpenAI server):
    ///   `max_num_batched_tokens` 8,192 on GPUs with at least 70 GiB that are not A100s, else 2,048.
    /// - SGLang (`server_args.py`): `chunked_prefill_size` 8,192 below 160 GB, 16,384 from 160 GB;
    ///   with data-parallel attention the size is shared by the DP ranks.
    /// - TensorRT-LLM (`BaseLlmArgs`, `trtllm-serve`): `max_num_tokens` 8,192.
    public static func tokenBudget(
        _ family: SchedulerPolicy.Family,
        memoryGiB: Double,
        isA100: Bool,
        attentionDP: Int
    ) -> Int {
        switch family {
        case .vllm:
            return memoryGiB >= 70 && !isA100 ? 8_192 : 2_048
        case .sglang:
            let size = memoryGiB >= 160 ? 16_384 : memoryGiB >= 60 ? 8_192 : 4_096
            return max(1, size / max(1, attentionDP))
        case .trtllm:
            return 8_192
        }
    }

    /// Where the defaults above come from, for the assumptions an answer lists.
    public static func source(_ family: SchedulerPolicy.Family) -> String {
        switch family {
        case .vllm:
            "vLLM V1 EngineArgs defaults for the OpenAI server (max_num_batched_tokens 8192 at >= 70 GiB, 2048 below or on A100; max_num_seqs 1024 / 256)"
        case .sglang:
            "SGLang server_args.py (chunked_prefill_size 8192 below 160 GB, 16384 above, divided over data-parallel attention ranks; prefill batches run before decode)"
        case .trtllm:
            "TensorRT-LLM BaseLlmArgs (max_num_tokens 8192, chunked prefill off, GUARANTEED_NO_EVICT)"
        }
    }

    /// Sequences an engine runs at once by default (`max_num_seqs`, `max_batch_size`).
    public static func maxRunning(_ family: SchedulerPolicy.Family, memoryGiB: Double, isA100: Bool) -> Int {
        switch family {
        case .vllm: memoryGiB >= 70 && !isA100 ? 1_024 : 256
        case .sglang: 4_096
        case .trtllm: 2_048
        }
    }
}

/// How a public benchmark client drives a server, so that simulated TTFT means what it measured.
public struct BenchmarkClient: Hashable, Sendable {
    public var name: String
    /// Requests per concurrency slot (`--num-prompts` = this × concurrency).
    public var requestsPerSlot: Int
    public var inputLengths: LengthDistribution
    public var outputLengths: LengthDistribution
    public var source: String

    /// InferenceX (SemiAnalysis): its fork of vLLM's `benchmark_serving.py` sends ten times the
    /// concurrency after a separate warm-up, all at once under a concurrency cap, with random
    /// lengths drawn in `[0.8 L, L]` and `--ignore-eos`; TTFT and TPOT are means.
    public static let inferenceX = BenchmarkClient(
        name: "InferenceX benchmark_serving",
        requestsPerSlot: 10,
        inputLengths: .between(low: 0.8, high: 1),
        outputLengths: .between(low: 0.8, high: 1),
        source:
            "SemiAnalysisAI/InferenceX benchmarks/benchmark_lib.sh (num-prompts = 10 x concurrency, random-range-ratio 0.8, 2 x concurrency warm-up)"
    )

    /// aiconfigurator's generated AIPerf benchmark: fixed lengths (`ignore_eos`, no spread) and
    /// twenty requests per concurrency slot after a warm-up.
    public static let aiperf = BenchmarkClient(
        name: "AIPerf (aiconfigurator template)",
        requestsPerSlot: 20,
        inputLengths: .fixed,
        outputLengths: .fixed,
        source:
            "ai-dynamo/aiconfigurator bench_run.sh.j2 (aiperf --concurrency C --num-requests 20 x C, isl/osl stddev 0)"
    )
}
