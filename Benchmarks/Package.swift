// swift-tools-version:6.1
import PackageDescription

/// A path dependency is named by its directory: whatever the clone is called.
let engine = String(Context.packageDirectory.split(separator: "/").dropLast().last ?? "main")

/// Micro-benchmarks of Tillflow's hot paths (`make bench-micro`), in a package of their
/// own so that `make test` never resolves or builds the benchmark tooling.
let package = Package(
    name: "TillflowBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HotPaths",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TillflowEngine", package: engine),
                .product(name: "TillflowGenerators", package: engine),
            ],
            path: "Benchmarks/HotPaths",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ],
    swiftLanguageModes: [.v5]
)
