import Foundation
import Gateway
import ProviderSandbox
import Testing
@testable import VentisSMS

/// What the channel writes in the log: never a secret; phone numbers only in debug.
@Suite struct VentisLogTests {
    /// Sends, a revocation, a refusal and a failed sign-in: every kind of line the channel writes.
    func exercise(_ r: VentisRig) async throws {
        _ = try await r.channel.send(VentisRig.delivery("066123456"))
        r.sandbox.revokeAllTokens()
        _ = try await r.channel.send(VentisRig.delivery("066123456"))
        _ = try? await r.channel.send(VentisRig.delivery("066111111"))
        _ = await r.channel.checkHealth()
    }

    @Test func secretsNeverReachTheLogEvenInDebug() async throws {
        let r = try VentisRig.start({ $0.clientSecret = "cl13nt-S3CRET"; $0.refusedNumbers = ["24166111111"] },
                                    settings: ["debug": "true", "client_secret": "cl13nt-S3CRET"])
        defer { r.stop() }
        try await exercise(r)
        let lines = r.log.lines
        let log = lines.joined(separator: "\n")
        #expect(log.contains("POST") && log.contains("openid-connect/token"))   // debug shows the exchanges
        #expect(log.contains("password=****") && log.contains("Authorization: ****"))
        #expect(log.contains("24166123456"))   // numbers are shown in debug
        let tokens = Set(r.sandbox.received.map(\.token))
        #expect(tokens.count == 2)
        for secret in [VentisRig.password, "cl13nt-S3CRET"] + tokens {
            #expect(!lines.contains { $0.contains(secret) }, "a secret reached the log")
        }
        // A wrong password is not echoed in the sign-in failure either.
        let bad = try VentisRig.start(settings: ["debug": "true", "password": "Wr0ng-Pa55"])
        defer { bad.stop() }
        _ = try? await bad.channel.send(VentisRig.delivery())
        #expect(bad.log.lines.contains { $0.contains("Invalid user credentials") })
        #expect(!bad.log.lines.contains { $0.contains("Wr0ng-Pa55") })
    }

    @Test func outsideDebugNumbersAreMaskedAndExchangesNotLogged() async throws {
        let r = try VentisRig.start({ $0.refusedNumbers = ["24166111111"] }, settings: ["client_secret": "", "debug": "false"])
        defer { r.stop() }
        try await exercise(r)
        let lines = r.log.lines
        #expect(lines.contains { $0.contains("SMS accepted") && $0.contains("24166****56") })
        #expect(lines.contains { $0.contains("SMS refused") && $0.contains("24166****11") })
        for number in ["24166123456", "066123456", "24166111111", "066111111"] {
            #expect(!lines.contains { $0.contains(number) }, "\(number) in the log")
        }
        #expect(!lines.contains { $0.contains("openid-connect") || $0.contains(VentisRig.password) })
    }
}
