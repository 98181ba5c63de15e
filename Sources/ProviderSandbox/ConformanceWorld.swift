import Foundation
import Gateway

/// Every provider a registered channel kind may talk to, on loopback: the Ventis and
/// Keycloak double, the SMTP double, and a folder for the channels that write files.
/// Both doubles want ``secret`` as password, so the suite can look for it in what the
/// channels print. Made fresh per kind; ``stop()`` ends it.
public final class ConformanceWorld: Sendable {
    /// The password every double wants: it must never show in a log, an error or a receipt.
    public static let secret = "c0nf0rm-S3cr3t-pw91"

    public let ventis: ProviderSandbox
    public let smtp: SMTPSandbox
    public let folder: URL

    public init() throws {
        var configuration = SandboxConfiguration()
        configuration.password = Self.secret
        ventis = ProviderSandbox(configuration: configuration, logger: Logger(sink: MemoryLogSink()))
        try ventis.start()
        smtp = try SMTPSandbox(username: "relances", password: Self.secret)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("conformance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// The variables that point every kind's settings at these doubles.
    public var environment: [String: String] {
        ventis.environment.merging(smtp.environment) { $1 }.merging(["SMTP_STARTTLS": "optional"]) { $1 }
    }

    /// Requests and connections the doubles have seen: what "no network" is measured by.
    public var providerContacts: Int { ventis.tokenRequests + ventis.messageRequests + smtp.connections }

    /// Every provider fails in a way that may pass: a 500, a 451.
    public func failTemporarily() {
        ventis.faults = SandboxFaults(failureRate: 1)
        smtp.fault = .temporary("4.3.0 serveur occupé")
    }

    /// Every provider refuses for good: tokens refused, a 554.
    public func failPermanently() {
        ventis.faults = SandboxFaults(unauthorizedRate: 1)
        smtp.fault = .permanent("5.7.1 message refusé")
    }

    public func heal() {
        ventis.faults = SandboxFaults()
        smtp.fault = .none
    }

    /// Without waiting for the sandbox's connections to close (its callers are async
    /// tests' `defer`s, which cannot await).
    public func stop() {
        ventis.beginStop()
        smtp.stop()
        try? FileManager.default.removeItem(at: folder)
    }
}
