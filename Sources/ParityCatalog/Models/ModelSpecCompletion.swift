import ParityCore

/// A `model_spec` with only what an announcement gives (total and active parameters, layers)
/// completed from the conventions of its kind of model, so it can be predicted. Each filled-in
/// dimension is said.
///
/// - Dense: GQA with 128-wide heads and 8 KV heads, an MLP 3.5 times the width (Llama 3's ratios),
///   the width solved from `params_total` (or `params_active`), then the MLP width solved exactly
///   from `params_total` as for any spec.
/// - MoE (experts stated, or active parameters under 60% of the total): DeepSeek-V3's shape: MLA
///   with a head per 56 of width, 8 routed experts per token and one shared, experts 2/7 of the
///   width, the first 3 layers dense at 18/7 of the width. The width is solved from
///   `params_active`, then the expert count from `params_total` (a multiple of 8), then the expert
///   width exactly from `params_total`.
enum ModelSpecCompletion {
    /// A spec's keys being completed, in order.
    struct Fields {
        var items: [(key: String, value: Node)]
        func has(_ key: String) -> Bool { items.contains { $0.key == key } }
        mutating func set(_ key: String, _ value: Int) {
            items.removeAll { $0.key == key }
            items.append((key, .integer(value, line: nil)))
        }
        mutating func setIfAbsent(_ key: String, _ value: Int) { if !has(key) { set(key, value) } }
    }

    /// The completed spec and what was assumed; nil when the spec states `hidden_size`.
    static func complete(_ node: Node, file: String?, path: String) throws(CatalogError) -> (Node, [String])? {
        guard case .object(let items, let line) = node, node["hidden_size"].map(\.isNull) ?? true else {
            return nil
        }
        func error(_ key: String, _ message: String, fix: String) -> CatalogError {
            CatalogError(
                file: file,
                keyPath: path.isEmpty ? key : "\(path).\(key)",
                line: line,
                message: message,
                fix: fix
            )
        }
        guard let layers = node["layers"]?.integerValue, layers >= 1, layers <= 10_000 else {
            throw error(
                "layers",
                "Missing or not a count between 1 and 10,000, and hidden_size is not given either.",
                fix: "Add `layers:` (and `hidden_size:` when the source gives it)."
            )
        }
        let total = node["params_total"]?.numberValue
        let active = node["params_active"]?.numberValue
        guard let target = total ?? active, target > 0 else {
            throw error(
                "hidden_size",
                "Missing, and neither params_total nor params_active is given to derive it from.",
                fix: "Add `hidden_size:`, or `params_total:` for Parity to derive the width from."
            )
        }
        let stated = Fields(items: items.filter { !$0.value.isNull })
        func architecture(_ fields: Fields) throws(CatalogError) -> ModelArchitecture {
            try ModelSpec.architecture(from: .object(fields.items, line: line), file: file, path: path).architecture
        }
        let isMoE = stated.has("experts") || (active.map { a in total.map { a < 0.6 * $0 } ?? false } ?? false)
        if isMoE {
            return try completeMoE(stated, layers: layers, total: total, active: active, build: architecture)
        }
        // Dense: the width that gives the stated count with the conventional MLP; then, with a total,
        // the MLP width solved exactly from it as for any spec.
        func dense(_ h: Int) -> Fields {
            var f = stated
            f.set("hidden_size", h)
            f.setIfAbsent("heads", max(1, h / 128))
            if !f.has("attention") { f.setIfAbsent("kv_heads", min(8, max(1, h / 128))) }
            f.setIfAbsent("ffn_hidden_size", roundUp(Double(h) * 3.5, to: 256))
            return f
        }
        let width = try solveWidth(target: target, counting: total != nil ? \.total : \.active) {
            (h) throws(CatalogError) in try architecture(dense(h))
        }
        var fields = dense(width)
        if total != nil && !stated.has("ffn_hidden_size") { fields.items.removeAll { $0.key == "ffn_hidden_size" } }
        let note =
            "hidden_size not given: \(width) solved from \(total != nil ? "params_total" : "params_active") and \(layers) layers, with a dense model's conventions (GQA, 128-wide heads, 8 KV heads, an MLP 3.5x the width, as Llama 3)."
        return (.object(fields.items, line: line), [note])
    }

    static func completeMoE(
        _ stated: Fields,
        layers: Int,
        total: Double?,
        active: Double?,
        build: (Fields) throws(CatalogError) -> ModelArchitecture
    ) throws(CatalogError) -> (Node, [String]) {
        /// DeepSeek-V3's proportions at width `h` with `experts` routed experts.
        func moe(_ h: Int, experts: Int, expertWidth: Bool) -> Fields {
            var f = stated
            if !f.has("attention") { f.items.append(("attention", .string("mla", line: nil))) }
            f.set("hidden_size", h)
            f.setIfAbsent("heads", max(8, roundUp(Double(h) / 56, to: 8)))
            f.setIfAbsent("experts", experts)
            f.setIfAbsent("top_k", 8)
            f.setIfAbsent("shared_experts", 1)
            f.setIfAbsent("dense_layers", min(3, layers))
            f.setIfAbsent("ffn_hidden_size", roundUp(Double(h) * 18 / 7, to: 256))
            if expertWidth { f.setIfAbsent("expert_ffn_hidden_size", roundUp(Double(h) * 2 / 7, to: 128)) }
            return f
        }
        let statedExperts = stated.items.first { $0.key == "experts" }?.value.integerValue
        // The width from the active count (which the number of experts does not change), else the total.
        let width = try solveWidth(target: active ?? total ?? 0, counting: active != nil ? \.active : \.total) {
            (h) throws(CatalogError) in try build(moe(h, experts: statedExperts ?? 256, expertWidth: true))
        }
        var experts = statedExperts ?? 256
        var notes = [
            "hidden_size not given: \(width) solved from \(active != nil ? "params_active" : "params_total") and \(layers) layers, with DeepSeek-V3's proportions (MLA, a head per 56 of width, 8 routed experts per token and 1 shared, experts 2/7 of the width, the first 3 layers dense)."
        ]
        if statedExperts == nil, let total, active != nil {
            let eight = Double(try build(moe(width, experts: 8, expertWidth: true)).parameters.total)
            let sixteen = Double(try build(moe(width, experts: 16, expertWidth: true)).parameters.total)
            let perExpert = (sixteen - eight) / 8
            experts = max(8, Int(((total - eight) / perExpert / 8 + 1).rounded()) * 8)
            notes.append("experts not given: \(experts) solved from params_total (a multiple of 8).")
        } else if statedExperts == nil {
            notes.append("experts not given: 256 assumed (DeepSeek-V3).")
        }
        // With a total, the expert width is solved exactly from it, as for any spec.
        let fields = moe(width, experts: experts, expertWidth: total == nil)
        return (.object(fields.items, line: nil), notes)
    }

    /// The width (a multiple of 128) whose count is nearest `target`, by bisection: counts grow with width.
    static func solveWidth(
        target: Double,
        counting: KeyPath<Counts, Int>,
        _ build: (Int) throws(CatalogError) -> ModelArchitecture
    ) throws(CatalogError) -> Int {
        func count(_ units: Int) throws(CatalogError) -> Double {
            Double(Counts(try build(units * 128))[keyPath: counting])
        }
        var low = 1
        var high = 512  // 65,536 wide: beyond any released model
        while low < high {
            let mid = (low + high) / 2
            if try count(mid) < target { low = mid + 1 } else { high = mid }
        }
        if low > 1, try abs(count(low - 1) - target) < abs(count(low) - target) { low -= 1 }
        return low * 128
    }

    struct Counts {
        var total: Int
        var active: Int
        init(_ a: ModelArchitecture) {
            total = a.parameters.total
            active = a.activeParameters
        }
    }

    static func roundUp(_ x: Double, to step: Int) -> Int { max(step, Int((x / Double(step)).rounded()) * step) }
}
