import Foundation
public import ParityCore
public import ParitySimulation

/// A scenario read from a file and resolved against the catalog: its model's architecture, its
/// chip and its scale-up system.
public struct ScenarioFile: Sendable {
    public var path: String
    public var scenario: Scenario
    public var architecture: ModelArchitecture
    public var chip: Chip
    public var system: System?
    /// Defaults assumed to build a `model_spec`, in words.
    public var modelAssumptions: [String]
    /// Features the `model_spec` says it cannot express; such a scenario is not predicted.
    public var unexpressedFeatures: [String] = []
    /// The requests of `workload.trace`, read when the scenario is loaded.
    public var trace: [RequestSpec]?

    /// Reads and validates a scenario: unknown keys, wrong types, negative or non-finite numbers,
    /// unknown models, chips and systems are errors naming the file and key path.
    public static func load(path: String, catalog: Catalog) throws(CatalogError) -> ScenarioFile {
        let node = try Node.load(path: path)
        return try resolve(node, path: path, catalog: catalog)
    }

    static func resolve(_ node: Node, path: String, catalog: Catalog) throws(CatalogError) -> ScenarioFile {
        var r = try ObjectReader(node, file: path)
        var scenario = try ScenarioDecoding.scenario(&r)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path

        var architecture: ModelArchitecture
        var assumptions: [String] = []
        var unexpressed: [String] = []
        if let spec = r.node("model_spec") {
            let built = try ModelSpec.architecture(from: spec, file: path, path: "model_spec")
            architecture = built.architecture
            assumptions = built.assumptions
            unexpressed = built.unexpressed
            if let name = scenario.model, let known = try? model(named: name, directory: directory, catalog: catalog) {
                architecture = known
                assumptions = []
            }
        } else {
            guard let name = scenario.model else {
                throw CatalogError(
                    file: path,
                    keyPath: "model",
                    message: "Missing required key.",
                    fix: "Name a catalog model or a config path, or describe the model under `model_spec`."
                )
            }
            do {
                architecture = try model(named: name, directory: directory, catalog: catalog)
            } catch {
                throw CatalogError(
                    file: path,
                    keyPath: "model",
                    line: r.node("model")?.line,
                    message: error.message
                        + (error.file.map { " (\($0)\(error.keyPath.isEmpty ? "" : ": " + error.keyPath))" } ?? ""),
                    fix: error.fix
                )
            }
        }
        try r.finish(known: ScenarioDecoding.topLevelKeys)

        let chip: Chip
        do {
            chip = try catalog.chip(named: relative(scenario.system.chip, to: directory))
        } catch {
            throw CatalogError(
                file: path,
                keyPath: "system.chip",
                message: error.message,
                fix: error.fix
            )
        }
        var system: System?
        if let node = scenario.system.node {
            do {
                system = try catalog.system(named: relative(node, to: directory))
            } catch {
                throw CatalogError(file: path, keyPath: "system.node", message: error.message, fix: error.fix)
            }
        }
        if !scenario.system.chipsStated {
            // No count: the chip's usual system when none is named, and its size until sizing chooses.
            if system == nil { system = catalog.usualSystem(for: chip) }
            scenario.system.chips = system?.chips ?? chip.scaleUp?.maxDomain ?? 1
            if scenario.system.node == nil { scenario.system.node = system?.name }
        }
        for (index, name) in scenario.compareSystems.enumerated() {
            do {
                _ = try catalog.system(orChip: Self.relative(name, to: directory))
            } catch {
                throw CatalogError(
                    file: path,
                    keyPath: "compare.systems[\(index)]",
                    message: error.message,
                    fix: error.fix
                )
            }
        }
        var trace: [RequestSpec]?
        if case .serving(let serving) = scenario.workload, serving.arrival == .trace, serving.trace == nil {
            throw CatalogError(
                file: path,
                keyPath: "workload.arrival",
                message: "Arrivals from a trace, but no trace is named.",
                fix: "Name the trace file under workload.trace, or choose closed, burst or poisson."
            )
        }
        if case .serving(let serving) = scenario.workload, let name = serving.trace {
            do {
                trace = try TraceFile.load(path: relative(name, to: directory))
            } catch {
                throw CatalogError(
                    file: path,
                    keyPath: "workload.trace",
                    message:
                        "\(error.file ?? name)\(error.keyPath.isEmpty ? "" : " (\(error.keyPath))"): \(error.message)",
                    fix: error.fix
                )
            }
        }
        return ScenarioFile(
            path: path,
            scenario: scenario,
            architecture: architecture,
            chip: chip,
            system: system,
            modelAssumptions: assumptions,
            unexpressedFeatures: unexpressed,
            trace: trace
        )
    }

    /// The scenario's `compare.systems`, with paths taken relative to the scenario's folder.
    public var compareSystems: [String] {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return scenario.compareSystems.map { Self.relative($0, to: directory) }
    }

    static func model(named name: String, directory: String, catalog: Catalog) throws(CatalogError) -> ModelArchitecture
    {
        if catalog.modelEntry(named: name) != nil { return try catalog.model(named: name) }
        return try catalog.model(named: relative(name, to: directory))
    }

    /// A path relative to the scenario's folder; names without a file extension stay names.
    static func relative(_ name: String, to directory: String) -> String {
        guard Catalog.looksLikePath(name), !name.hasPrefix("/") else { return name }
        return directory + "/" + name
    }
}

extension CatalogError {
    /// The message without location, for re-locating an error under another key path.
    var messageText: String { message }
}
