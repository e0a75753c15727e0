// swift-tools-version:6.0
// libFuzzer over DanVan's hand-written parsers (issue 16, item 6). Built only by scripts/fuzz,
// with -sanitize=fuzzer,address, in its own scratch folder; Sources/DanVanText is the app's own
// (a link), and Sources/DanVanJSON links Core's JSON value and body reader (Foundation only), so
// the fuzzed code is the shipped code.
import PackageDescription

let package = Package(
    name: "DanVanFuzz",
    dependencies: [.package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20")],
    targets: [
        .target(name: "DanVanText", dependencies: [.product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .target(name: "DanVanJSON"),
        .executableTarget(name: "DanVanFuzz", dependencies: ["DanVanText", "DanVanJSON"]),
    ]
)
