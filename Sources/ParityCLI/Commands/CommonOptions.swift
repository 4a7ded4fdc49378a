import ArgumentParser
import ParityCatalog

/// Output formats every command accepts.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv, markdown, html
}

/// Options shared by the commands that read the catalog.
struct CatalogOptions: ParsableArguments {
    @Option(
        name: .customLong("catalog"),
        help: ArgumentHelp(
            "A directory of extra chips, systems and models (the embedded catalog's layout).",
            valueName: "dir"
        )
    )
    var directories: [String] = []

    /// The embedded catalog, read once per process (the server answers many requests with it).
    static let embedded: Result<Catalog, CatalogError> = Result { () throws(CatalogError) in try Catalog.embedded() }

    /// The embedded catalog plus the user's directories.
    func load() throws -> Catalog {
        var catalog = try Self.embedded.get()
        for directory in directories { try catalog.add(directory: directory) }
        return catalog
    }
}
