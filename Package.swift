// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Parity",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ParityCore", targets: ["ParityCore"]),
        .library(name: "ParityCatalog", targets: ["ParityCatalog"]),
        .library(name: "ParityReport", targets: ["ParityReport"]),
        .library(name: "ParitySimulation", targets: ["ParitySimulation"]),
        .executable(name: "parity", targets: ["parity"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // Pure model: units, architectures, counting, hardware, scenarios. No dependencies, no Foundation.
        .target(name: "ParityCore"),
        // Request-level simulation of a serving engine: arrivals, scheduling, KV capacity, percentiles.
        .target(name: "ParitySimulation", dependencies: ["ParityCore"]),
        // Decoding of catalog files (YAML, JSON, Hugging Face configs), unit strings and scenarios.
        .target(
            name: "ParityCatalog",
            dependencies: [
                "ParityCore", "ParityReport", "ParitySimulation", .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Resources/catalog")]
        ),
        // Tables, JSON and CSV rendering of results.
        .target(name: "ParityReport", dependencies: ["ParityCore"]),
        // The command-line interface as a library, so tests run commands without a process.
        .target(
            name: "ParityCLI",
            dependencies: [
                "ParityCore", "ParityCatalog", "ParityReport", "ParitySimulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "parity", dependencies: ["ParityCLI"]),
        .testTarget(name: "ParityCoreTests", dependencies: ["ParityCore"]),
        .testTarget(name: "ParitySimulationTests", dependencies: ["ParitySimulation", "ParityCore"]),
        .target(name: "ParityTestSupport", path: "Tests/ParityTestSupport"),
        .testTarget(
            name: "ParityCatalogTests",
            dependencies: ["ParityCatalog", "ParityCore", "ParitySimulation", "ParityTestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "ParityCLITests",
            dependencies: ["ParityCLI", "ParityCatalog", "ParityCore", "ParityTestSupport"]
        ),
        .testTarget(
            name: "ParityReportTests",
            dependencies: ["ParityReport", "ParityCore"],
            exclude: ["Snapshots"]
        ),
    ]
)

for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
