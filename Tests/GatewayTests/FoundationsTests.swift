import Foundation
import Gateway
import Testing

@Suite struct FoundationsTests {
    @Test func iso8601RoundTripsAndMatchesFoundation() throws {
        for seconds in [0, 951_782_400, 1_795_000_000, 4_102_444_799, -86_401] {
            let date = Date(timeIntervalSince1970: Double(seconds))
            let text = ISO8601.string(from: date)
            #expect(text == date.formatted(.iso8601))
            #expect(ISO8601.date(from: text) == date)
        }
        #expect(ISO8601.date(from: "2026-11-24T10:00:00+01:00") == ISO8601.date(from: "2026-11-24T09:00:00Z"))
        #expect(ISO8601.date(from: "2026-11-24T10:00:00.500Z")?.timeIntervalSince1970.truncatingRemainder(dividingBy: 1) == 0.5)
        #expect(ISO8601.date(from: "2026-11-24") == ISO8601.date(from: "2026-11-24T00:00:00Z"))
        #expect(ISO8601.date(from: "2028-02-29") != nil && ISO8601.date(from: "2026-12-31T23:59:59-14:00") != nil)
        for bad in ["2026-13-01", "24/11/2026", "2026-11-24T25:00:00Z", "2026-11-24T10:00:00Zjunk", "", "2026-02-30", "2026-04-31T08:00:00Z",
                    "2025-02-29", "2026-11-24T08:00:00+99:00", "2026-11-24T08:00:00+01:75"] {
            #expect(ISO8601.date(from: bad) == nil, "\(bad)")
        }
    }

    @Test func civilDatesRefuseDaysThatDoNotExist() {
        #expect(CivilDate.parse("2024-02-29")! == (2024, 2, 29))
        #expect(CivilDate.parse("2026-02-29") == nil)
        #expect(CivilDate.parse("2026-04-31") == nil)
        #expect(CivilDate.parse("2026-4-1") == nil)
    }

    @Test func secretsPrintAsStars() {
        let secret = Secret("hunter2")
        #expect("\(secret)" == "****")
        #expect(String(reflecting: secret) == "****")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        #expect(secret.value == "hunter2")
    }

    @Test func logLinesAreKeyValueAndMaskAddressesUnlessDebug() {
        let sink = MemoryLogSink()
        let logger = Logger(label: "test", level: .info, sink: sink)
        logger.info("sent", ["to": logger.mask("2410661234567"), "mail": logger.mask("jean.nze@example.ga"), "note": "two words"])
        logger.debug("hidden")
        logger.warnOnce("tls", "TLS verification is off")
        logger.labelled("other").warnOnce("tls", "TLS verification is off")
        let lines = sink.lines
        #expect(lines.count == 2)
        #expect(lines[0].contains("level=info label=test msg=sent to=24106****67 mail=j***@example.ga note=\"two words\""))
        #expect(lines[1].contains("level=warning"))
        let debug = Logger(level: .debug, sink: sink)
        #expect(debug.mask("2410661234567") == "2410661234567")
    }

    @Test func templatesRenderKnownPlaceholdersOnly() {
        let t = MessageTemplate("Bonjour {prenom} {nom} : {montant} FCFA avant le {echeance}. {autre}")
        #expect(t.render(["prenom": "Jean", "nom": "NZE", "montant": "5000.00", "echeance": "24/12/2026"])
                == "Bonjour Jean NZE : 5000.00 FCFA avant le 24/12/2026. {autre}")
        #expect(MessageTemplate.unknownPlaceholders(in: t.text) == ["autre"])
        #expect(MessageTemplate.unknownPlaceholders(in: MessageTemplate.standard.text).isEmpty)
    }

    @Test func boundedConcurrencyNeverExceedsItsLimit() async {
        let counter = ConcurrencyCounter()
        await forEachConcurrently(0..<200, limit: 7) { _ in
            await counter.enter()
            await Task.yield()
            await counter.leave()
        }
        #expect(await counter.peak <= 7)
        #expect(await counter.total == 200)
    }
}

actor ConcurrencyCounter {
    var current = 0, peak = 0, total = 0
    func enter() { current += 1; peak = max(peak, current); total += 1 }
    func leave() { current -= 1 }

    /// One helper masks a URL's credentials wherever it appears in a text.
    @Test func urlCredentialsAreMasked() {
        #expect(Masking.url("http://user:PW@host/x") == "http://****@host/x")
        #expect(Masking.url("https://user:p@ss@host:8443/a?b=c@d") == "https://****@host:8443/a?b=c@d")
        #expect(Masking.url("Keycloak injoignable (http://kc:S3cret@10.0.0.1) : refused") == "Keycloak injoignable (http://****@10.0.0.1) : refused")
        #expect(Masking.url("two: http://a:1@x and ftp://b:2@y/") == "two: http://****@x and ftp://****@y/")
        for plain in ["http://host/x", "mailto:j@exemple.ga", "j@exemple.ga", "http://host/path@not-userinfo", ""] {
            #expect(Masking.url(plain) == plain)
        }
        let log = MemoryLogSink()
        Logger(sink: log).info("calling http://u:PW@h/x", ["url": "https://u:PW@h/"])
        #expect(log.lines.allSatisfy { !$0.contains("PW") })
    }
}
