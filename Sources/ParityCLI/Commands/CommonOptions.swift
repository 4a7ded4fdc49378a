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

    /// The embedded catalog plus the user's directories.
    func load() throws -> Catalog {
        var catalog = try Catalog.embedded()
        for directory in directories { try catalog.add(directory: directory) }
        return catalog
    }
}
