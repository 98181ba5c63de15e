import Channels
import Foundation
import Gateway
import Relances
import Testing

/// The proof-of-dispatch ledger, filled by the real sender through file-sink channels
/// built by the real config loader.
@Suite struct LedgerTests {
    struct Batch {
        let store: SQLiteRelanceStore
        let folder: URL
        /// The relances sent, in order, with their message.
        let sent: [(id: Int64, message: String)]
    }

    static let phone = "0661234567"
    static let email = "jean.nze@exemple.ga"

    /// Six relances (sms, email, courrier) sent one after the other. The sms route tries
    /// a file sink that cannot open its file first, so each sms gives a failed attempt
    /// and then a sent one on the fallback: 8 attempts in all.
    func sendBatch() async throws -> Batch {
        let (store, folder) = try temporaryStore()
        let blocker = folder.appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: blocker)
        let config = folder.appendingPathComponent("routing.json")
        try Data("""
            {
              "channels": {
                "journal": { "kind": "file-sink", "path": "\(folder.appendingPathComponent("journal.jsonl").path)", "fsync": "never" },
                "broken": { "kind": "file-sink", "path": "\(blocker.appendingPathComponent("sms.jsonl").path)", "fsync": "never",
                            "retry": { "max_attempts": 1 } }
              },
              "routes": {
                "sms": { "channels": ["broken"], "fallback": ["journal"] },
                "email": { "channels": ["journal"] },
                "courrier": { "channels": ["journal"] }
              }
            }
            """.utf8).write(to: config)
        let log = Logger(sink: MemoryLogSink())
        let dispatcher = try GatewaySetup.dispatcher(configFile: config.path, environment: [:], logger: log, clock: ManualClock(fixedNow))
        let sender = RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), clock: ManualClock(fixedNow), logger: log)
        let who = try store.add(Contribuable(nom: "NZE", prenom: "Jean", telephone: Self.phone, email: Self.email, adresse: "BP 1, Akébé"))
        var sent: [(Int64, String)] = []
        for (i, type) in [RelanceType.sms, .email, .courrier, .sms, .email, .courrier].enumerated() {
            let message = "Rappel n°\(i + 1) : 5000.00 FCFA dus. Échéance : 24/12/2026"
            let id = try store.create(NewRelance(contribuableID: who, type: type, montantDue: Montant("5000")!,
                                                 datePlanifiee: fixedNow, message: message)).id
            // One at a time, so the ledger's order is known.
            let summary = await sender.send([id], maxInFlight: 1)
            #expect(summary.sent == 1, "relance \(id) (\(type)) was not sent: \(summary.reasons)")
            sent.append((id, message))
        }
        return Batch(store: store, folder: folder, sent: sent)
    }

    func allEntries(_ store: SQLiteRelanceStore) throws -> [LedgerEntry] {
        try store.ledgerEntries(from: "2000-01-01", to: "2099-12-31")
    }

    @Test func everyAttemptOfABatchIsChainedAndTheLedgerVerifies() async throws {
        let batch = try await sendBatch()
        let entries = try allEntries(batch.store)
        #expect(entries.map(\.seq) == Array(1...8))
        #expect(entries.map(\.outcome) == ["failed:storage", "sent", "sent", "sent", "failed:storage", "sent", "sent", "sent"])
        #expect(entries.map(\.channel) == ["broken", "journal", "journal", "journal", "broken", "journal", "journal", "journal"])
        let ids = batch.sent.map(\.id)
        #expect(entries.map(\.relanceID) == [ids[0], ids[0], ids[1], ids[2], ids[3], ids[3], ids[4], ids[5]])
        // The text hash is the SHA-256 of the message actually sent.
        let messages = Dictionary(uniqueKeysWithValues: batch.sent.map { ($0.id, $0.message) })
        for e in entries { #expect(e.textSHA256 == SHA256.hex(messages[e.relanceID]!)) }
        // The provider id is the channel's receipt id, as the attempt table has it.
        let attempts = try ids.flatMap { try batch.store.attempts(relanceID: $0) }
        #expect(entries.map(\.providerID) == attempts.map { $0.providerID ?? "" })
        #expect(entries.allSatisfy { $0.at == "2026-11-24T09:00:00Z" })
        // The chain: genesis, then each entry pointing at the one before.
        #expect(entries[0].prevHash == String(repeating: "0", count: 64))
        for i in 1..<entries.count { #expect(entries[i].prevHash == entries[i - 1].hash) }
        // The documented serialisation, written out by hand for entry 3.
        let e = entries[2]
        let canonical = "relances-ledger-v1\nseq=1:3\nrelance_id=\(String(e.relanceID).count):\(e.relanceID)\n"
            + "recipient=\(e.recipient.utf8.count):\(e.recipient)\nchannel=7:journal\ntext_sha256=64:\(e.textSHA256)\n"
            + "provider_id=\(e.providerID.utf8.count):\(e.providerID)\noutcome=4:sent\nat=20:2026-11-24T09:00:00Z\n"
            + "prev_hash=64:\(e.prevHash)\n"
        #expect(e.hash == SHA256.hex(canonical))
        let result = try batch.store.verifyLedger()
        #expect(result.isIntact && result.entries == 8 && result.lastHash == entries[7].hash)
    }

    @Test func recipientsAreMaskedAndNoFullAddressReachesTheTable() async throws {
        let batch = try await sendBatch()
        let entries = try allEntries(batch.store)
        #expect(Set(entries.map(\.recipient)) == ["06612****67", "j***@exemple.ga", "BP 1,****bé"])
        let dump = try batch.store.database.withConnection { (s: Session) throws(StoreError) in
            try s.rows("SELECT recipient || '|' || channel || '|' || provider_id || '|' || outcome FROM ledger") { $0.text(0) }
        }.joined(separator: "\n")
        for secret in [Self.phone, "241661234567", "66123456", Self.email, "jean.nze"] { #expect(!dump.contains(secret), "\(secret) in the ledger") }
    }

    @Test func theTriggersRefuseUpdateAndDelete() async throws {
        let batch = try await sendBatch()
        #expect(throws: StoreError.self) { try batch.store.database.execute("UPDATE ledger SET outcome = 'sent' WHERE seq = 1") }
        #expect(throws: StoreError.self) { try batch.store.database.execute("DELETE FROM ledger WHERE seq = 8") }
        #expect(try allEntries(batch.store).count == 8)
        #expect(try allEntries(batch.store)[0].outcome == "failed:storage")
        #expect(try batch.store.verifyLedger().isIntact)
    }

    @Test func anEditedEntryIsNamed() async throws {
        let batch = try await sendBatch()
        // Someone with write access drops the trigger and turns the failure into a success.
        try batch.store.database.execute("DROP TRIGGER ledger_no_update; UPDATE ledger SET outcome = 'sent' WHERE seq = 5")
        let result = try batch.store.verifyLedger()
        let problem = try #require(result.problem)
        #expect(problem.seq == 5 && problem.kind == .edited)
        #expect(problem.reason == "entry 5's hash does not match its content: it was edited")
        let fourth = try allEntries(batch.store)[3]
        #expect(result.entries == 4 && result.lastHash == fourth.hash)
    }

    @Test func anEditWhoseHashWasRecomputedBreaksTheNextLink() async throws {
        let batch = try await sendBatch()
        var forged = try allEntries(batch.store)[2]
        forged.recipient = "07000****00"
        forged.hash = forged.expectedHash
        try batch.store.database.withConnection { (s: Session) throws(StoreError) in
            try s.execute("DROP TRIGGER ledger_no_update")
            try s.run("UPDATE ledger SET recipient = ?, hash = ? WHERE seq = 3", [.text(forged.recipient), .text(forged.hash)])
        }
        let problem = try #require(try batch.store.verifyLedger().problem)
        #expect(problem.seq == 4 && problem.kind == .unchained)
    }

    @Test func aDeletedEntryIsCaught() async throws {
        let batch = try await sendBatch()
        try batch.store.database.execute("DROP TRIGGER ledger_no_delete; DELETE FROM ledger WHERE seq = 2")
        let problem = try #require(try batch.store.verifyLedger().problem)
        #expect(problem.seq == 2 && problem.kind == .missing)
        #expect(problem.reason == "entry 2 is missing (the next entry is 3): deleted")
    }

    @Test func aDeletionHiddenByRenumberingIsCaught() async throws {
        let batch = try await sendBatch()
        try batch.store.database.execute("""
            DROP TRIGGER ledger_no_delete; DROP TRIGGER ledger_no_update;
            DELETE FROM ledger WHERE seq = 6;
            UPDATE ledger SET seq = seq - 1 WHERE seq > 6;
            """)
        let problem = try #require(try batch.store.verifyLedger().problem)
        // The sequence number is hashed: entry 7, now numbered 6, no longer matches.
        #expect(problem.seq == 6 && problem.kind == .edited)
    }

    @Test func theFirstEntryMustStartFromGenesis() throws {
        let (store, _) = try temporaryStore()
        try store.appendToLedger([LedgerEntry(relanceID: 1, recipient: "0661234567", channel: "c", text: "t", providerID: "p", outcome: "sent", at: fixedNow)])
        try store.database.execute("DROP TRIGGER ledger_no_delete; DELETE FROM ledger")
        let empty = try store.verifyLedger()
        #expect(empty.isIntact && empty.entries == 0 && empty.lastHash == Ledger.genesis)
        // An entry inserted by hand as the first one, with a made-up previous hash.
        var fake = LedgerEntry(relanceID: 1, recipient: "x", channel: "c", text: "t", providerID: nil, outcome: "sent", at: fixedNow)
        fake.seq = 1
        fake.prevHash = String(repeating: "f", count: 64)
        fake.hash = fake.expectedHash
        _ = try store.database.withConnection { (s: Session) throws(StoreError) in
            try s.run("INSERT INTO ledger (seq, relance_id, recipient, channel, text_sha256, provider_id, outcome, at, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                      [.int(1), .int(1), .text(fake.recipient), .text(fake.channel), .text(fake.textSHA256), .text(fake.providerID),
                       .text(fake.outcome), .text(fake.at), .text(fake.prevHash), .text(fake.hash)])
        }
        let problem = try #require(try store.verifyLedger().problem)
        #expect(problem.seq == 1 && problem.kind == .unchained && problem.reason.contains("genesis"))
    }

    @Test func appendChainsABatchAndRefusesToRunOutsideATransaction() throws {
        let (store, _) = try temporaryStore()
        let make = { (n: Int) in LedgerEntry(relanceID: Int64(n), recipient: "+241 06 61 23 45 6\(n)", channel: "ventis", text: "texte \(n)",
                                             providerID: "uuid-\(n)", outcome: "sent", at: fixedNow) }
        let first = try store.appendToLedger([make(1), make(2)])
        let second = try store.appendToLedger([make(3)])
        #expect((first + second).map(\.seq) == [1, 2, 3])
        #expect(second[0].prevHash == first[1].hash)
        #expect(try allEntries(store) == first + second)
        #expect(throws: StoreError.self) {
            try store.database.withConnection { (s: Session) throws(StoreError) in try Ledger.append([make(4)], in: s) }
        }
        // A rolled-back transaction leaves no entry and no gap.
        #expect(throws: StoreError.self) {
            try store.database.transaction { (s: Session) throws(StoreError) in
                try Ledger.append([make(4)], in: s)
                throw StoreError.invalid("changed my mind")
            }
        }
        #expect(try store.verifyLedger().entries == 3)
    }

    @Test func theExportIsCSVAnAuditorCanReadBack() async throws {
        let batch = try await sendBatch()
        // Entries on other days, and a provider id with a comma, a quote and a line break.
        let dayAfter = fixedNow.addingTimeInterval(86_400)
        try batch.store.appendToLedger([
            LedgerEntry(relanceID: 99, recipient: "0771234589", channel: "ventis", text: "t", providerID: "a,\"b\"\nc", outcome: "sent", at: dayAfter),
            LedgerEntry(relanceID: 98, recipient: "0771234589", channel: "ventis", text: "t", providerID: "x", outcome: "failed:timeout",
                        at: fixedNow.addingTimeInterval(-86_400)),
        ])
        let csv = try batch.store.exportLedger(from: "2026-11-24", to: "2026-11-25")
        let rows = try CSVParser.parse(csv).get()
        #expect(rows[0].fields == ["seq", "at", "relance_id", "channel", "recipient", "outcome", "provider_id", "text_sha256", "prev_hash", "hash", "acteur"])
        let entries = try allEntries(batch.store).filter { $0.relanceID != 98 }
        #expect(rows.count == 1 + entries.count)
        for (row, e) in zip(rows.dropFirst(), entries) {
            #expect(row.fields == [String(e.seq), e.at, String(e.relanceID), e.channel, e.recipient, e.outcome, e.providerID,
                                   e.textSHA256, e.prevHash, e.hash, e.acteur])
        }
        #expect(rows.last?.fields[6] == "a,\"b\"\nc" && rows.last?.fields[1] == "2026-11-25T09:00:00Z")
        #expect(csv.hasSuffix("\r\n") && csv.contains("\"a,\"\"b\"\"\nc\""))
        // One day only: the day after is left out.
        #expect(try CSVParser.parse(try batch.store.exportLedger(from: "2026-11-24", to: "2026-11-24")).get().count == 9)
        #expect(throws: StoreError.invalid("'24/11/2026' is not a date: use YYYY-MM-DD")) {
            try batch.store.exportLedger(from: "24/11/2026", to: "2026-11-24")
        }
    }

    @Test func aCallerThatKnowsWhatItSentPassesIt() throws {
        let (store, _) = try temporaryStore()
        let who = try store.add(Contribuable(nom: "NZE", prenom: "Jean", telephone: Self.phone))
        let id = try store.create(NewRelance(contribuableID: who, type: .sms, montantDue: Montant("1")!, datePlanifiee: fixedNow, message: "stored")).id
        let attempt = DeliveryAttempt(deliveryID: "relance-\(id)", number: 1, channel: "ventis", startedAt: fixedNow, finishedAt: fixedNow,
                                      result: .failure(.timeout(seconds: 30)))
        try store.write([.attempt(attempt, relanceID: id, recipient: "+241 07 12 34 56 89", text: "rendered")], now: fixedNow)
        try store.record(attempt, relanceID: id)
        let entries = try allEntries(store)
        #expect(entries.map(\.recipient) == ["+241 ****89", "06612****67"])
        #expect(entries.map(\.textSHA256) == [SHA256.hex("rendered"), SHA256.hex("stored")])
        #expect(entries.map(\.outcome) == ["failed:timeout", "failed:timeout"])
        #expect(try store.verifyLedger().entries == 2)
    }
}

/// An entry's `acteur` is covered by its hash; an entry without one hashes as before.
@Suite struct LedgerActeurTests {
    @Test func theActeurIsChainedAndOldEntriesKeepTheirHash() throws {
        var entry = LedgerEntry(relanceID: 1, recipient: "0661234567", channel: "ventis", text: "Rappel", providerID: "m1",
                                outcome: "sent", at: Date(timeIntervalSince1970: 1_800_000_000))
        entry.prevHash = Ledger.genesis
        let before = entry.canonical
        #expect(!before.contains("acteur"))
        entry.acteur = "agent.nze"
        #expect(entry.canonical == before + "acteur=9:agent.nze\n")
        let (store, _) = try temporaryStore()
        try store.appendToLedger([entry])
        #expect(try store.verifyLedger().isIntact)
        #expect(try store.ledgerEntries(from: "2027-01-01", to: "2027-12-31").first?.acteur == "agent.nze")
    }
}
