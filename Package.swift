// swift-tools-version: 6.0
import PackageDescription

/// Kiln: a symbolic computation-graph compiler for neural networks.
///
/// Targets are layered as in DESIGN.md: a lower module never imports a higher one.
let package = Package(
    name: "Kiln",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Kiln", targets: ["Kiln"]),
        .library(name: "KilnModels", targets: ["KilnModels"]),
        .library(name: "KilnONNX", targets: ["KilnONNX"]),
        .executable(name: "kiln", targets: ["kiln"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.28.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        .systemLibrary(name: "CTCC", path: "Sources/CTCC"),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .target(name: "KilnC"),
        .target(name: "KilnIR"),
        .target(name: "KilnOps", dependencies: ["KilnIR", "KilnC"]),
        .target(name: "KilnAnalysis", dependencies: ["KilnIR", "KilnOps"]),
        .target(name: "KilnPasses", dependencies: ["KilnIR", "KilnOps", "KilnInterpreter"]),
        .target(name: "KilnInterpreter", dependencies: ["KilnIR", "KilnOps"]),
        .target(name: "KilnCodegen", dependencies: ["KilnIR", "KilnOps", "KilnC"]),
        .target(name: "KilnRuntime", dependencies: [
            "KilnIR", "KilnOps", "KilnAnalysis", "KilnCodegen", "KilnC", "CTCC", "COpenBLAS",
        ]),
        .target(name: "Kiln", dependencies: [
            "KilnIR", "KilnOps", "KilnAnalysis", "KilnPasses", "KilnInterpreter", "KilnCodegen", "KilnRuntime",
        ]),
        .target(name: "KilnModels", dependencies: ["Kiln"]),
        .target(name: "KilnONNX", dependencies: [
            "Kiln", "KilnIR", "KilnOps", "KilnInterpreter", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),
        .executableTarget(name: "kiln", dependencies: [
            "Kiln", "KilnModels", "KilnPasses", "KilnONNX", "KilnAnalysis", "KilnRuntime", "KilnInterpreter",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "KilnTestSupport", dependencies: [
            "Kiln", "KilnIR", "KilnOps", "KilnPasses", "KilnInterpreter", "KilnCodegen", "KilnRuntime",
        ]),
        .executableTarget(name: "kiln-stress", dependencies: ["KilnTestSupport"]),
        .executableTarget(name: "kiln-distributed-example", dependencies: ["Kiln", "KilnModels"]),
        .target(name: "KilnFuzzing", dependencies: ["Kiln", "KilnIR", "KilnOps", "KilnONNX"]),
        .executableTarget(name: "kiln-fuzz", dependencies: ["KilnFuzzing"]),
        .testTarget(name: "KilnIRTests", dependencies: ["KilnIR", "KilnOps", "KilnTestSupport"]),
        .testTarget(name: "KilnOpsTests", dependencies: ["KilnIR", "KilnOps", "KilnInterpreter", "KilnRuntime", "KilnTestSupport"]),
        .testTarget(name: "KilnPassesTests", dependencies: [
            "KilnIR", "KilnOps", "KilnPasses", "KilnInterpreter", "KilnCodegen", "KilnRuntime", "KilnTestSupport",
        ]),
        .testTarget(name: "KilnAnalysisTests", dependencies: [
            "KilnAnalysis", "KilnIR", "KilnOps", "KilnRuntime", "Kiln", "KilnModels", "KilnTestSupport",
        ]),
        .testTarget(name: "KilnRuntimeTests", dependencies: ["KilnRuntime", "KilnCodegen", "KilnTestSupport"]),
        .testTarget(name: "KilnTests", dependencies: ["Kiln", "KilnModels", "KilnONNX", "KilnTestSupport", "KilnFuzzing"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "KilnONNXTests", dependencies: ["KilnONNX", "Kiln", "KilnModels", "KilnTestSupport"],
                    resources: [.copy("Fixtures")]),
    ]
)
