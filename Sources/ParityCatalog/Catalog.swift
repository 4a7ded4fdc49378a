import Foundation
public import ParityCore

/// The chips, systems, models and sources Parity knows: the embedded catalog, plus any user
/// directories with the same layout (`chips/`, `systems/`, `models/`, `sources.yaml`).
///
/// Lookups accept a catalog name, an alias (any case; `_` and `-` alike), or a path to a file.
public struct Catalog: Sendable {
    public internal(set) var chips: [Chip] = []
    public private(set) var systems: [System] = []
    public private(set) var sources = SourceRegistry(entries: [:], confidenceLevels: [:])
    /// Built-in and user models, by name.
    public private(set) var models: [ModelEntry] = []
    /// Software stacks and their efficiencies.
    public internal(set) var stacks: [SoftwareStack] = []
    /// Normalised names and aliases to positions, rebuilt whenever entries are added.
    private var chipIndex: [String: Int] = [:]
    private var systemIndex: [String: Int] = [:]
    private var modelIndex: [String: Int] = [:]

    private mutating func reindex() {
        chipIndex = [:]
        for (i, chip) in chips.enumerated() {
            for name in [chip.name] + chip.aliases {
                chipIndex[Self.normalized(name)] = chipIndex[Self.normalized(name)] ?? i
            }
        }
        systemIndex = [:]
        for (i, system) in systems.enumerated() {
            for name in [system.name] + system.aliases {
                systemIndex[Self.normalized(name)] = systemIndex[Self.normalized(name)] ?? i
            }
        }
        modelIndex = [:]
        for (i, model) in models.enumerated() {
            for name in [model.name] + model.aliases + (model.huggingFaceID.map { [$0] } ?? []) {
                modelIndex[Self.normalized(name)] = modelIndex[Self.normalized(name)] ?? i
            }
        }
    }

    /// A model the catalog can load by name.
    public struct ModelEntry: Hashable, Sendable {
        public var name: String
        public var path: String
        public var huggingFaceID: String?
        public var aliases: [String]
    }

    public init() {}

    /// The catalog embedded in the package.
    public static func embedded() throws(CatalogError) -> Catalog {
        guard let root = Bundle.module.resourceURL?.appendingPathComponent("catalog").path else {
            throw CatalogError(file: nil, keyPath: "", message: "The embedded catalog is missing from the build.")
        }
        var catalog = Catalog()
        try catalog.add(directory: root)
        return catalog
    }

    /// Adds every entity of a catalog directory. Later entries with the same name replace earlier
    /// ones, so a user directory can override a built-in chip.
    public mutating func add(directory: String) throws(CatalogError) {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CatalogError(
                file: directory,
                keyPath: "",
                message: "Not a catalog directory.",
                fix: "Check the path."
            )
        }
        let sourcesPath = directory + "/sources.yaml"
        if fm.fileExists(atPath: sourcesPath) {
            let registry = try SourceRegistry.decode(try Node.load(path: sourcesPath), file: sourcesPath)
            sources.entries.merge(registry.entries) { _, new in new }
            sources.confidenceLevels.merge(registry.confidenceLevels) { _, new in new }
        }
        for path in Self.yamlFiles(in: directory + "/chips") {
            try add(chip: try HardwareDecoding.chip(try Node.load(path: path), file: path, sources: sources))
        }
        for path in Self.yamlFiles(in: directory + "/systems") {
            try add(system: try HardwareDecoding.system(try Node.load(path: path), file: path, sources: sources))
        }
        var derived: [(file: StackFile, path: String)] = []
        for path in Self.yamlFiles(in: directory + "/stacks") {
            let file = try HardwareDecoding.stack(try Node.load(path: path), file: path, sources: sources)
            if file.extends != nil || file.transfersFrom != nil {
                derived.append((file, path))
            } else {
                stacks.removeAll { $0.name == file.stack.name }
                stacks.append(file.stack)
            }
        }
        // Generations first, so that a framework stack may extend a stack that transfers; stacks that
        // transfer from the median last, so that the median is over every stack with evidence.
        func order(_ file: StackFile) -> Int {
            file.transfersFrom == Self.medianStackName ? 2 : file.extends == nil ? 0 : 1
        }
        for (file, path) in derived.sorted(by: { order($0.file) < order($1.file) }) {
            let merged = try resolve(file, path: path)
            stacks.removeAll { $0.name == merged.name }
            stacks.append(merged)
        }
        stacks.sort { $0.name < $1.name }
        let index = directory + "/models/index.yaml"
        if fm.fileExists(atPath: index) {
            try addModels(index: index, directory: directory + "/models")
        }
        transferMissingPeaks()
        transferMissingPrices()
        transferMissingTDPs()
        reindex()
        try validateReferences()
    }

    /// The `transfers_from` value that takes unstated parameters from the median over every stack.
    static let medianStackName = "cross-vendor median"

    /// A stack that extends another inherits its chips and parameters and overrides what it states;
    /// one that transfers from an earlier generation (or from the cross-vendor median, for a vendor
    /// with no earlier stack) takes the parameters it does not state from it, each marked transferred
    /// and of low confidence.
    private func resolve(_ file: StackFile, path: String) throws(CatalogError) -> SoftwareStack {
        let key = file.extends != nil ? "extends" : "transfers_from"
        let base = file.extends ?? file.transfersFrom ?? ""
        if base == Self.medianStackName {
            var merged = file.stack
            for parameter in SoftwareStack.Parameter.allCases {
                if let evidence = median(of: parameter) { merged.parameters[parameter] = evidence }
            }
            merged.parameters.merge(file.stack.parameters) { _, own in own }
            return merged
        }
        guard let parent = stacks.first(where: { $0.name == base }) else {
            throw CatalogError(
                file: path,
                keyPath: key,
                message: "Unknown stack '\(base)'. Known: \(stacks.map(\.name).joined(separator: ", "))."
            )
        }
        var merged = parent
        merged.name = file.stack.name
        merged.description = file.stack.description ?? parent.description
        merged.chips = file.stack.chips.isEmpty ? parent.chips : file.stack.chips
        merged.matches = file.stack.matches
        if file.transfersFrom != nil {
            let origin = "\(parent.name) on \(parent.chips.joined(separator: ", "))"
            merged.parameters = parent.parameters.mapValues { Self.transferred($0, from: origin) }
        }
        merged.parameters.merge(file.stack.parameters) { _, own in own }
        return merged
    }

    mutating func add(chip: Chip) throws(CatalogError) {
        chips.removeAll { $0.name == chip.name }
        chips.append(chip)
        chips.sort { $0.name < $1.name }
    }

    mutating func add(system: System) throws(CatalogError) {
        systems.removeAll { $0.name == system.name }
        systems.append(system)
        systems.sort { $0.name < $1.name }
    }

    private mutating func addModels(index: String, directory: String) throws(CatalogError) {
        var r = try ObjectReader(try Node.load(path: index), file: index)
        for var entry in try r.objectList("models") {
            let name = try entry.string("name")
            let file = try entry.string("file")
            let model = ModelEntry(
                name: name,
                path: directory + "/" + file,
                huggingFaceID: try entry.optionalString("huggingface_id"),
                aliases: try entry.stringList("aliases")
            )
            entry.ignore("origin", "notes")
            try entry.finish()
            models.removeAll { $0.name == name }
            models.append(model)
        }
        try r.finish()
    }

    private func validateReferences() throws(CatalogError) {
        for stack in stacks {
            for name in stack.chips where (try? chip(named: name)) == nil {
                throw CatalogError(
                    file: nil,
                    keyPath: "stacks.\(stack.name).chips",
                    message: "Stack '\(stack.name)' names unknown chip '\(name)'."
                )
            }
        }
        for system in systems where (try? chip(named: system.chip)) == nil {
            throw CatalogError(
                file: nil,
                keyPath: "systems.\(system.name).chip",
                message: "System '\(system.name)' names unknown chip '\(system.chip)'."
            )
        }
    }

    static func yamlFiles(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { directory + "/" + $0 }
    }

    static func normalized(_ name: String) -> String {
        String(name.lowercased().map { $0 == "_" || $0 == " " ? "-" : $0 })
    }

    public static func looksLikePath(_ name: String) -> Bool {
        name.contains("/") && (name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json"))
            || name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json")
    }

    // MARK: Lookups

    /// The software stack for a chip and a scenario's `system.software` text: the stack of that chip
    /// whose words appear in the text, else the chip's default stack (one with no words).
    /// - Returns: the stack and, when it was a fallback, a sentence saying so.
    public func stack(for chip: Chip, software: String?) throws(CatalogError) -> (stack: SoftwareStack, note: String?) {
        let candidates = stacks.filter { $0.chips.contains(chip.name) }
        let text = software?.lowercased() ?? ""
        // The framework named first wins ("MegaScale (built on Megatron-LM)" is MegaScale); among
        // words at the same place, the longest.
        func firstMatch(_ stack: SoftwareStack) -> (position: Int, length: Int)? {
            stack.matches.compactMap { word -> (Int, Int)? in
                text.range(of: word).map { (text.distance(from: text.startIndex, to: $0.lowerBound), word.count) }
            }.min { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 > $1.1 }
        }
        let matched = candidates.compactMap { stack in firstMatch(stack).map { (stack, $0) } }
            .min { $0.1.position != $1.1.position ? $0.1.position < $1.1.position : $0.1.length > $1.1.length }
        if let matched {
            return (completed(matched.0), nil)
        }
        if let fallback = candidates.first(where: { $0.matches.isEmpty }) {
            let note =
                software == nil
                ? "system.software not stated: the default stack '\(fallback.name)' of \(chip.name) assumed."
                : "No stack matches '\(software ?? "")': the default stack '\(fallback.name)' of \(chip.name) used."
            return (completed(fallback), note)
        }
        if candidates.isEmpty, let (transferred, note) = transferredStack(for: chip) {
            return (transferred, note)
        }
        throw CatalogError(
            file: nil,
            keyPath: "system.software",
            message: "No software stack in the catalog gives efficiencies for \(chip.name).",
            fix: "Add a stack file (stacks/NAME.yaml) with evidence for this chip."
        )
    }

    /// The chip with this name or alias, or loaded from a chip YAML at this path.
    public func chip(named name: String) throws(CatalogError) -> Chip {
        if Self.looksLikePath(name) {
            return try HardwareDecoding.chip(try Node.load(path: name), file: name, sources: sources)
        }
        let key = Self.normalized(name)
        if let chip = chips.first(where: {
            Self.normalized($0.name) == key || $0.aliases.map(Self.normalized).contains(key)
        }) {
            return chip
        }
        throw CatalogError(
            file: nil,
            keyPath: "",
            message: "Unknown chip '\(name)'.",
            fix: suggestion(for: name, among: chips.map(\.name), kind: "chips")
        )
    }

    /// The system with this name or alias, or loaded from a system YAML at this path.
    public func system(named name: String) throws(CatalogError) -> System {
        if Self.looksLikePath(name) {
            return try HardwareDecoding.system(try Node.load(path: name), file: name, sources: sources)
        }
        if let index = systemIndex[Self.normalized(name)] { return systems[index] }
        throw CatalogError(
            file: nil,
            keyPath: "",
            message: "Unknown system '\(name)'.",
            fix: suggestion(for: name, among: systems.map(\.name), kind: "systems")
        )
    }

    /// A system by name, or a chip's usual system: the catalog's largest scale-up domain built of
    /// that chip (910C: CloudMatrix 384; GB300: GB300 NVL72), the shorter name on a tie. The note
    /// says which system a chip name stood for.
    public func system(orChip name: String) throws(CatalogError) -> (system: System, note: String?) {
        let systemError: CatalogError
        do {
            return (try system(named: name), nil)
        } catch {
            systemError = error
        }
        guard !Self.looksLikePath(name), let chip = try? chip(named: name) else {
            throw CatalogError(
                file: nil,
                keyPath: "",
                message: "Unknown system or chip '\(name)'.",
                fix: systemError.fix
            )
        }
        guard let usual = usualSystem(for: chip) else {
            throw CatalogError(
                file: nil,
                keyPath: "",
                message: "No system in the catalog is built of \(chip.name).",
                fix: "Name a system (see `parity catalog systems`), or add one for this chip."
            )
        }
        return (usual, "\(name) stands for its usual system, \(usual.name) (\(usual.chips) x \(chip.name)).")
    }

    /// The largest scale-up domain of `chip` in the catalog; nil when none is built of it.
    public func usualSystem(for chip: Chip) -> System? {
        let key = Self.normalized(chip.name)
        return systems.filter { Self.normalized($0.chip) == key }
            .max { ($0.chips, -$0.name.count) < ($1.chips, -$1.name.count) }
    }

    /// The catalog entry of a built-in model, by name, alias or Hugging Face id.
    public func modelEntry(named name: String) -> ModelEntry? {
        modelIndex[Self.normalized(name)].map { models[$0] }
    }

    /// The architecture of a model: a built-in name, a path to a Hugging Face `config.json`, or a
    /// path to a model YAML (the `model_spec` keys of scenarios/SCHEMA.md).
    public func model(named name: String) throws(CatalogError) -> ModelArchitecture {
        if let entry = modelEntry(named: name) {
            return try HuggingFaceConfig.architecture(
                from: try Node.load(path: entry.path),
                file: entry.path,
                name: entry.name
            )
        }
        if Self.looksLikePath(name) || FileManager.default.fileExists(atPath: name) {
            let node = try Node.load(path: name)
            let base = URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent
            if name.hasSuffix(".json") {
                return try HuggingFaceConfig.architecture(from: node, file: name, name: base)
            }
            return try ModelSpec.architecture(from: node, file: name, path: "").architecture
        }
        throw CatalogError(
            file: nil,
            keyPath: "",
            message: "Unknown model '\(name)'.",
            fix: suggestion(for: name, among: models.map(\.name), kind: "models")
                + " A path to a config.json or a model YAML also works."
        )
    }

    private func suggestion(for name: String, among names: [String], kind: String) -> String {
        if let near = closest(to: name, in: names) { return "Did you mean '\(near)'? See `parity catalog \(kind)`." }
        return "See `parity catalog \(kind)` for the known names, or give a path to a YAML file."
    }
}
