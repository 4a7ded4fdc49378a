import ArgumentParser
import ParityCatalog
import ParityCore
import ParityReport

struct Run: RenderingCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario: validate it and predict its metrics.",
        discussion: """
            The whole file is validated first: unknown keys, wrong types, negative or non-finite numbers and \
            unknown models, chips or systems are errors naming the file and key path (exit status 2).
            """
    )

    @Argument(help: "A scenario YAML file (scenarios/SCHEMA.md).")
    var scenario: String

    @Option(help: "Output format: table, json, csv or markdown.")
    var format: OutputFormat = .table

    @OptionGroup var catalogOptions: CatalogOptions

    mutating func render() throws -> String {
        let catalog = try catalogOptions.load()
        let file = try ScenarioFile.load(path: scenario, catalog: catalog)
        let s = file.scenario
        throw PredictionError(
            "\(scenario): the scenario is valid (model \(file.architecture.name), \(s.system.chips) x \(file.chip.name)"
                + "\(file.system.map { " in \($0.name)" } ?? "")), but \(s.workload.kind) predictions are not implemented yet."
        )
    }
}

struct Validate: RenderingCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check scenario files (and, once estimators land, predictions against published measurements)."
    )

    @Argument(help: "Scenario files or folders of them.")
    var paths: [String]

    @OptionGroup var catalogOptions: CatalogOptions

    mutating func render() throws -> String {
        let catalog = try catalogOptions.load()
        var lines: [String] = []
        for path in try ScenarioPaths.expand(paths) {
            let file = try ScenarioFile.load(path: path, catalog: catalog)
            lines.append(
                "valid  \(file.scenario.id)  (\(file.scenario.workload.kind), \(file.architecture.name) on \(file.chip.name))"
            )
        }
        lines.append("\(lines.count) scenario files valid; predictions are not implemented yet.")
        return lines.joined(separator: "\n") + "\n"
    }
}
