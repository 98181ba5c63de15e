// swift-tools-version:6.0
// The relances gateway: no package dependencies, only Foundation and two system
// libraries (libcurl, SQLite) reached through system-library targets.
import PackageDescription

let package = Package(
    name: "relances",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "relances", targets: ["relances"]),
        .executable(name: "relances-bench", targets: ["relances-bench"]),
    ],
    targets: [
        // System libraries, each a module map and a shim of typed wrappers.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),

        // The core: knows no channel by name, depends on Foundation only.
        .target(name: "Gateway"),
        .target(name: "HTTP", dependencies: ["CCurl", "Gateway"]),

        // The channels, one folder each, and THE table that registers them.
        .target(name: "FileSink", dependencies: ["Gateway"], path: "channels/file-sink", exclude: ["README.md", "sample.json"]),
        .target(name: "EmailStub", dependencies: ["Gateway"], path: "channels/email-stub", exclude: ["README.md", "sample.json"]),
        .target(name: "VentisSMS", dependencies: ["Gateway", "HTTP"], path: "channels/ventis-sms", exclude: ["README.md", "sample.json"]),
        .target(name: "SMTPMail", dependencies: ["Gateway", "HTTP", "EmailStub"], path: "channels/smtp", exclude: ["README.md", "sample.json"]),
        .target(name: "LettersPDF", dependencies: ["Gateway"], path: "channels/letters-pdf", exclude: ["README.md", "sample.json"]),
        .target(name: "Channels", dependencies: ["Gateway", "FileSink", "EmailStub", "VentisSMS", "SMTPMail", "LettersPDF"], path: "channels/all"),

        // The domain, the API, the provider double and the programs.
        .target(name: "Relances", dependencies: ["Gateway", "CSQLite"]),
        .target(name: "ProviderSandbox", dependencies: ["HTTP", "Gateway"]),
        .target(name: "RelancesServer", dependencies: ["Relances", "HTTP", "Gateway", "Channels", "EmailStub"]),
        .executableTarget(name: "relances", dependencies: ["Gateway", "Channels", "HTTP", "Relances", "RelancesServer", "ProviderSandbox"]),
        .executableTarget(name: "relances-bench", dependencies: ["Gateway", "Channels", "LettersPDF", "HTTP", "Relances", "RelancesServer", "ProviderSandbox", "CSQLite"]),

        // Test support shared by the test targets (they run in one process); never
        // linked into the programs.
        .target(name: "TestKit", path: "Tests/TestKit"),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway", "ProviderSandbox"]),
        .testTarget(name: "ChannelsTests", dependencies: ["TestKit", "Gateway", "Channels", "FileSink", "EmailStub", "VentisSMS", "SMTPMail", "LettersPDF", "HTTP", "ProviderSandbox"]),
        .testTarget(name: "HTTPTests", dependencies: ["TestKit", "HTTP", "Gateway", "ProviderSandbox"]),
        .testTarget(name: "VentisSMSTests", dependencies: ["VentisSMS", "ProviderSandbox", "HTTP", "Gateway", "Channels"]),
        .testTarget(name: "RelancesTests", dependencies: ["TestKit", "Relances", "Gateway", "Channels", "ProviderSandbox", "CSQLite", "HTTP"]),
        .testTarget(name: "RelancesServerTests", dependencies: ["TestKit", "RelancesServer", "Relances", "HTTP", "Gateway", "Channels", "ProviderSandbox"]),
    ],
    swiftLanguageModes: [.v6]
)
