// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "danvan",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "danvan", targets: ["danvan"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/leaf-kit.git", from: "1.14.3"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // Pure Swift text handling: no Vapor, no database.
        .target(name: "DanVanText", dependencies: [.product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // Units, users, roles, scope, audit log, configuration, errors, localisation.
        .target(
            name: "DanVanCore",
            dependencies: [
                "DanVanText",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Documents: registry, library, full-text search, citations, review milestones.
        .target(
            name: "DanVanDocuments",
            dependencies: ["DanVanCore", "DanVanText", .product(name: "Vapor", package: "vapor"), .product(name: "Fluent", package: "fluent")]
        ),
        // Tasks: registration of documents into tasks, follow-up, acceptance. May use Documents.
        .target(
            name: "DanVanTasks",
            dependencies: ["DanVanCore", "DanVanText", "DanVanDocuments", .product(name: "Vapor", package: "vapor"), .product(name: "Fluent", package: "fluent")]
        ),
        // Online quiz contest: rounds, attempts with group commit, ranking, participation.
        .target(
            name: "DanVanQuiz",
            dependencies: ["DanVanCore", "DanVanText", .product(name: "Vapor", package: "vapor"), .product(name: "Fluent", package: "fluent")]
        ),
        // Reports: regimes, periods, submissions, timeliness, live consolidation, Word/Excel.
        .target(
            name: "DanVanReports",
            dependencies: ["DanVanCore", "DanVanText", .product(name: "Vapor", package: "vapor"), .product(name: "Fluent", package: "fluent")]
        ),
        .target(
            name: "DanVanCitizens",
            dependencies: ["DanVanCore", "DanVanText", .product(name: "Vapor", package: "vapor"), .product(name: "Fluent", package: "fluent")]
        ),
        // "Dân vận khéo" and the yearly assessments: one appraisal engine for models, grassroots democracy, juried contests; the two targets.
        .target(
            name: "DanVanEmulation",
            dependencies: ["DanVanCore", "DanVanText", .product(name: "Vapor", package: "vapor"), .product(name: "Fluent", package: "fluent")]
        ),
        // Demo province, demo contest, load generators for the benchmarks, the `demo` command.
        .target(
            name: "DanVanDemo",
            dependencies: [
                "DanVanCore", "DanVanText", "DanVanDocuments", "DanVanTasks", "DanVanQuiz", "DanVanReports", "DanVanCitizens", "DanVanEmulation",
                .product(name: "Vapor", package: "vapor"), .product(name: "Fluent", package: "fluent"),
            ]
        ),
        // Assembly: the only module that sees every module and the database drivers.
        .target(
            name: "DanVanApp",
            dependencies: [
                "DanVanCore",
                "DanVanText",
                "DanVanDocuments",
                "DanVanTasks",
                "DanVanQuiz",
                "DanVanReports",
                "DanVanCitizens",
                "DanVanEmulation",
                "DanVanDemo",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "LeafKit", package: "leaf-kit"),
            ]
        ),
        .executableTarget(
            name: "danvan",
            dependencies: ["DanVanApp", .product(name: "Vapor", package: "vapor"), .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]
        ),
        .target(
            name: "DanVanTestSupport",
            dependencies: [
                "DanVanApp",
                "DanVanCore",
                "DanVanText",
                "DanVanQuiz",
                "DanVanReports",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "XCTVapor", package: "vapor"),
            ]
        ),
        .testTarget(
            name: "DanVanTextTests",
            dependencies: ["DanVanText", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "DanVanCoreTests",
            dependencies: [
                "DanVanCore",
                "DanVanText",
                "DanVanApp",
                "DanVanTestSupport",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "XCTVapor", package: "vapor"),
            ]
        ),
        .testTarget(
            name: "DanVanDocumentsTests",
            dependencies: [
                "DanVanDocuments",
                "DanVanTasks",
                "DanVanCore",
                "DanVanText",
                "DanVanApp",
                "DanVanTestSupport",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "XCTVapor", package: "vapor"),
            ]
        ),
        .testTarget(
            name: "DanVanTasksTests",
            dependencies: [
                "DanVanTasks",
                "DanVanDocuments",
                "DanVanCore",
                "DanVanText",
                "DanVanApp",
                "DanVanTestSupport",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "XCTVapor", package: "vapor"),
            ]
        ),
        .testTarget(
            name: "DanVanQuizTests",
            dependencies: [
                "DanVanQuiz",
                "DanVanCore",
                "DanVanText",
                "DanVanApp",
                "DanVanTestSupport",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "XCTVapor", package: "vapor"),
            ]
        ),
        .testTarget(
            name: "DanVanReportsTests",
            dependencies: [
                "DanVanReports",
                "DanVanCore",
                "DanVanText",
                "DanVanApp",
                "DanVanTestSupport",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "XCTVapor", package: "vapor"),
            ]
        ),
        .testTarget(
            name: "DanVanCitizensTests",
            dependencies: [
                "DanVanCitizens",
                "DanVanTasks",
                "DanVanCore",
                "DanVanText",
                "DanVanApp",
                "DanVanTestSupport",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "XCTVapor", package: "vapor"),
            ]
        ),
        .testTarget(
            name: "DanVanEmulationTests",
            dependencies: [
                "DanVanEmulation",
                "DanVanTasks",
                "DanVanCore",
                "DanVanText",
                "DanVanApp",
                "DanVanTestSupport",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "XCTVapor", package: "vapor"),
            ]
        ),
        // The access matrix over the whole route table: needs a record of every module.
        .testTarget(
            name: "DanVanAccessTests",
            dependencies: [
                "DanVanEmulation", "DanVanCitizens", "DanVanTasks", "DanVanDocuments", "DanVanReports", "DanVanQuiz",
                "DanVanCore", "DanVanText", "DanVanApp", "DanVanTestSupport",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "XCTVapor", package: "vapor"),
            ]
        ),
        // The one test that may know the demo: it loads and every workflow has data.
        .testTarget(
            name: "DanVanDemoTests",
            dependencies: [
                "DanVanDemo",
                "DanVanCitizens",
                "DanVanEmulation",
                "DanVanTasks",
                "DanVanDocuments",
                "DanVanQuiz",
                "DanVanReports",
                "DanVanCore",
                "DanVanApp",
                "DanVanTestSupport",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
