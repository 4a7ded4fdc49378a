// swift-tools-version: 6.2
// Benchmarks live in their own package so the main build and CI never compile the benchmark stack.
// Run: cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "ParityBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Parity", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ParityBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ParityCore", package: "Parity"),
                .product(name: "ParityCatalog", package: "Parity"),
                .product(name: "ParitySimulation", package: "Parity"),
            ],
            path: "Benchmarks/ParityBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
