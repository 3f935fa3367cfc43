// swift-tools-version:6.0
import PackageDescription

/// Release builds optimize across modules so that `Jobs` specializes the generic
/// operators of `Operators` and `Dataflow` (see docs/ARCHITECTURE.md, decision 1).
let optimized: [SwiftSetting] = [
    .unsafeFlags(["-cross-module-optimization", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "Tillflow",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tillflow", targets: ["tillflow"]),
        // For the micro-benchmarks, a package of their own under Benchmarks/.
        .library(name: "TillflowEngine", targets: ["Dataflow", "Operators", "Jobs"]),
        // Synthetic data, for the micro-benchmarks; not part of the engine.
        .library(name: "TillflowGenerators", targets: ["Generators"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.0" ..< "5.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CRocksDB", pkgConfig: "rocksdb", providers: [.apt(["librocksdb-dev"])]),
        // The one Linux call Swift's Glibc module does not declare (sync_file_range).
        .target(name: "CLinuxIO"),
        .target(
            name: "Dataflow",
            dependencies: ["CZstd", "CRocksDB", "CLinuxIO"],
            swiftSettings: optimized),
        .target(name: "Operators", dependencies: ["Dataflow"], swiftSettings: optimized),
        .target(name: "Jobs", dependencies: ["Dataflow", "Operators"], swiftSettings: optimized),
        // A NATS client on SwiftNIO (hand-written: none can be installed here), apart from the engine.
        .target(
            name: "NATS",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                           .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "NIOTLS", package: "swift-nio"),
                           .product(name: "DequeModule", package: "swift-collections"),
                           .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: optimized),
        // Where the engine meets NATS: the JetStream line source and the exactly-once subject output.
        .target(name: "Connectors", dependencies: ["Dataflow", "NATS", .product(name: "CoreMetrics", package: "swift-metrics")],
                swiftSettings: optimized),
        // A live node's service: the job under swift-service-lifecycle, the HTTP ingest and
        // status endpoints (Hummingbird), its metrics (swift-metrics, Prometheus text).
        .target(
            name: "LiveNode",
            dependencies: ["Dataflow", "Jobs", "NATS", "Connectors",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HummingbirdAuth", package: "hummingbird-auth")],
            swiftSettings: optimized),
        // The cloud worker pool: jobs, partition leases and checkpoints in JetStream, a
        // partition's locations each with a clock of its own.
        .target(
            name: "CloudPool",
            dependencies: ["Dataflow", "Operators", "Jobs", "NATS", "Connectors", "LiveNode",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            swiftSettings: optimized),
        // For tests: a real nats-server on loopback.
        .target(name: "NATSTestSupport", dependencies: ["NATS"]),
        // Synthetic POS and inventory data (`tillflow generate`), apart from the engine.
        .target(name: "Generators", dependencies: ["Dataflow", "Jobs"], swiftSettings: optimized),
        // The command line of any executable that runs jobs: `tillflow`'s and a user's own.
        .target(
            name: "JobCommands",
            dependencies: ["Dataflow", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: optimized),
        .executableTarget(
            name: "tillflow",
            dependencies: ["Dataflow", "Jobs", "Generators", "JobCommands", "NATS", "Connectors", "LiveNode", "CloudPool",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "Yams", package: "Yams")],
            swiftSettings: optimized),
        // What each parser that meets outside bytes must keep, for the libFuzzer targets
        // (`make fuzz`) and for the corpus test in `make test`.
        .target(name: "FuzzProperties", dependencies: ["Dataflow", "Jobs"], swiftSettings: optimized),
        .executableTarget(name: "fuzz-pos-json", dependencies: ["FuzzProperties"], path: "Fuzz/fuzz-pos-json"),
        .executableTarget(name: "fuzz-pos-csv", dependencies: ["FuzzProperties"], path: "Fuzz/fuzz-pos-csv"),
        .executableTarget(name: "fuzz-inventory", dependencies: ["FuzzProperties"], path: "Fuzz/fuzz-inventory"),
        .executableTarget(name: "fuzz-clock-mark", dependencies: ["FuzzProperties"], path: "Fuzz/fuzz-clock-mark"),
        .executableTarget(name: "fuzz-ingest-lines", dependencies: ["FuzzProperties"], path: "Fuzz/fuzz-ingest-lines"),
        .executableTarget(name: "fuzz-nats-protocol", dependencies: ["NATS"], path: "Fuzz/fuzz-nats-protocol"),
        .executableTarget(
            name: "example-big-baskets",
            dependencies: ["Dataflow", "Operators", "Jobs", "JobCommands",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "examples/BigBaskets", swiftSettings: optimized),
        .testTarget(name: "DataflowTests", dependencies: ["Dataflow"]),
        .testTarget(name: "OperatorsTests", dependencies: ["Operators"]),
        .testTarget(name: "JobsTests", dependencies: ["Jobs", "Generators"]),
        .testTarget(name: "NATSTests", dependencies: ["NATS", "NATSTestSupport"]),
        .testTarget(name: "FuzzCorpusTests", dependencies: ["FuzzProperties", "NATS"], path: "Tests/FuzzCorpusTests"),
        .testTarget(name: "ConnectorsTests", dependencies: ["Connectors", "LiveNode", "CloudPool", "Jobs", "Generators", "NATSTestSupport",
                                                        .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "EndToEndTests", dependencies: ["Jobs", "Generators", "tillflow"]),
    ],
    swiftLanguageModes: [.v5]
)
