// swift-tools-version: 6.2
import Foundation
import PackageDescription

// Layers point down only: planrun → PlanMCP → PlanStore → PlanEngine → PlanCore → PlanYAML → CLibYAML.
let package = Package(
    name: "planrun",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "planrun", targets: ["planrun"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // The run store's database: the system libsqlite3 (see RunStore for why not a package). Linked by
        // PlanStore below, statically on Linux.
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // The few glibc calls the engine's spawner needs that Swift's Glibc module does not import.
        .target(name: "CPosixSpawn"),
        .target(name: "PlanYAML", dependencies: ["CLibYAML"]),
        // RE2 behind a C API: linear-time matching of the plan's regexes (see BoundedRegex). RE2's headers are
        // C++, which Swift imports only with C++ interop, so a shim target rather than a systemLibrary one;
        // libre2-dev (apt) provides the library.
        .target(name: "CBoundedRegex", linkerSettings: [.linkedLibrary("re2")]),
        .target(name: "PlanCore", dependencies: ["PlanYAML", "CBoundedRegex"]),
        .target(
            name: "PlanEngine",
            dependencies: [
                "PlanCore",
                "CPosixSpawn",
            ]
        ),
        // `planrun mcp`: plans as Model Context Protocol tools. Above the engine and the run store, beside the CLI.
        .target(name: "PlanMCP", dependencies: ["PlanEngine", "PlanStore"]),
        // libsqlite3.a (libsqlite3-dev), not the .so: every planrun command loaded the 1.4 MB library and
        // bound its symbols at exec, `validate` and `--no-record` runs too, which never open the store.
        .target(
            name: "PlanStore", dependencies: ["PlanEngine", "CSQLite"],
            linkerSettings: [
                .linkedLibrary(":libsqlite3.a", .when(platforms: [.linux])),
                .linkedLibrary("sqlite3", .when(platforms: [.macOS])),
            ]),
        .executableTarget(
            name: "planrun",
            dependencies: [
                "PlanEngine",
                "PlanMCP",
                "PlanStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Shared by the test targets: fixtures with markers, the built binary, a private sshd.
        .target(name: "PlanTestSupport", dependencies: ["PlanCore"], path: "Tests/PlanTestSupport"),
        .testTarget(name: "PlanYAMLTests", dependencies: ["PlanYAML", "PlanTestSupport"]),
        .testTarget(name: "PlanCoreTests", dependencies: ["PlanCore", "PlanTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "PlanEngineTests", dependencies: ["PlanEngine", "PlanTestSupport"]),
        .testTarget(name: "PlanMCPTests", dependencies: ["PlanMCP", "PlanTestSupport"]),
        .testTarget(name: "PlanStoreTests", dependencies: ["PlanStore", "PlanTestSupport"]),
        .testTarget(name: "PlanrunTests", dependencies: ["PlanTestSupport"], exclude: ["Golden"]),
    ],
    swiftLanguageModes: [.v6]
)

/// The libFuzzer targets (`Fuzz/`, see `scripts/fuzz`) exist only in fuzzing builds: they have no `main` of
/// their own (libFuzzer's is linked in by `--sanitize fuzzer`), so an ordinary build could not link them.
if ProcessInfo.processInfo.environment["PLANRUN_FUZZ"] == "1" {
    package.targets.append(
        .executableTarget(
            name: "planrun-fuzz", dependencies: ["PlanTestSupport"], path: "Fuzz",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
}

