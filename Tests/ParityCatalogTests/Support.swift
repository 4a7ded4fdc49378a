import Foundation
import ParityCatalog
import ParityCore
import Testing

/// Paths and shared values for the catalog tests.
enum Fixtures {
    static var directory: String {
        Bundle.module.resourceURL?.appendingPathComponent("Fixtures").path ?? "Fixtures"
    }

    static func path(_ name: String) -> String { directory + "/" + name }

    static func load(_ name: String) throws -> Node { try Node.load(path: path(name)) }

    static let catalog: Catalog = {
        do { return try Catalog.embedded() } catch { fatalError("The embedded catalog does not load: \(error)") }
    }()

    /// The architecture a cross-check slug refers to: a built-in model or a fixture config.
    static func architecture(slug: String) throws -> ModelArchitecture {
        let fixture = path("configs/\(slug).json")
        if FileManager.default.fileExists(atPath: fixture) { return try catalog.model(named: fixture) }
        return try catalog.model(named: slug)
    }
}

/// `|a - b| <= tolerance × |b|`.
func isClose(_ a: Double, _ b: Double, relative tolerance: Double) -> Bool {
    abs(a - b) <= tolerance * abs(b)
}
