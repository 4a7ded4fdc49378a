import ArgumentParser

struct CatalogCommand: RenderingCommand {
    static let configuration = CommandConfiguration(commandName: "catalog", abstract: "List the catalog.")
    mutating func render() throws -> String { "" }
}
struct Run: RenderingCommand {
    static let configuration = CommandConfiguration(abstract: "Run a scenario.")
    mutating func render() throws -> String { "" }
}
struct Validate: RenderingCommand {
    static let configuration = CommandConfiguration(abstract: "Validate predictions.")
    mutating func render() throws -> String { "" }
}
