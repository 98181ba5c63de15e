import Foundation
import Gateway
import HTTP
import Relances
import Testing

/// The dashboard's daily series, the CSV export of the list, finding taxpayers as people
/// type them, and correcting their contact details: over the real server.
@Suite struct DashboardAPITests {
    /// A known week: relances on days 0, 2, 5 and 40 before today, in each status, two
    /// failed on an invalid number, one on a timeout, one for want of an e-mail address.
    static func populate(_ rig: APIRig, now: Date = Date()) throws -> [String: Int64] {
        let store = rig.store
        func day(_ n: Int) -> Date { now.addingTimeInterval(-Double(n) * 86_400) }
        var ids: [String: Int64] = [:]
        func add(_ key: String, _ type: RelanceType, _ days: Int, _ statut: String, message: String = "Rappel court",
                 error: String? = nil, notes: String? = nil) throws {
            let r = try store.create(NewRelance(contribuableID: rig.who, type: type, montantDue: Montant("5000")!, datePlanifiee: day(days),
                                                message: message))
            ids[key] = r.id
            try store.database.withConnection { (s: Session) throws(StoreError) in
                try s.run("UPDATE relance SET statut = ?, date_envoi = ?, notes = ? WHERE id = ?",
                          [.text(statut), statut == "envoyee" ? .text(ISO8601.string(from: day(days))) : .null, .optional(notes), .int(r.id)])
                if let error {
                    try s.run("INSERT INTO delivery_attempt (relance_id, attempt, channel, started_at, finished_at, outcome, error_code, detail) VALUES (?, 1, 'ventis', ?, ?, 'failed', ?, 'x')",
                              [.int(r.id), .text(ISO8601.string(from: now)), .text(ISO8601.string(from: now)), .text(error)])
                }
            }
        }
        try add("a", .sms, 0, "envoyee")
        try add("b", .sms, 0, "envoyee", message: String(repeating: "Rappel de taxe. ", count: 12))   // 192 GSM-7 characters: 2 segments
        try add("h", .sms, 0, "echec", error: "invalid_recipient", notes: "Destinataire invalide : le numéro contient des lettres")
        try add("c", .sms, 2, "echec", error: "invalid_recipient")
        try add("d", .email, 2, "echec", notes: "Aucun(e) adresse e-mail pour ce contribuable : relance non envoyée")
        try add("e", .sms, 2, "echec", error: "timeout")
        try add("f", .courrier, 5, "en_attente")
        try add("g", .sms, 40, "envoyee")
        return ids
    }

    static func day(_ n: Int, from now: Date = Date()) -> String { String(ISO8601.string(from: now.addingTimeInterval(-Double(n) * 86_400)).prefix(10)) }

    @Test func theDailySeriesCountsEachDayByStatusAndTypeAndRanksTheFailures() async throws {
        let rig = try APIRig()
        let ids = try Self.populate(rig)
        let (status, json, _) = try await rig.call("GET", "/api/relances/statistiques/quotidiennes?jours=30")
        #expect(status == 200)
        let answer = try #require(json as? [String: Any])
        let series = try #require(answer["series"] as? [[String: Any]])
        #expect(series.count == 30 && answer["jours"] as? Int == 30)
        #expect(series.last?["jour"] as? String == Self.day(0) && answer["date_fin"] as? String == Self.day(0))
        #expect(series.first?["jour"] as? String == Self.day(29) && answer["date_debut"] as? String == Self.day(29))
        func on(_ n: Int) -> [String: Any] { series.first { $0["jour"] as? String == Self.day(n) } ?? [:] }
        #expect(on(0)["total"] as? Int == 3)
        #expect(on(0)["par_statut"] as? [String: Int] == ["envoyee": 2, "echec": 1])
        #expect(on(0)["par_type"] as? [String: Int] == ["sms": 3])
        #expect(on(2)["par_statut"] as? [String: Int] == ["echec": 3])
        #expect(on(2)["par_type"] as? [String: Int] == ["sms": 2, "email": 1])
        #expect(on(5)["par_statut"] as? [String: Int] == ["en_attente": 1] && on(5)["par_type"] as? [String: Int] == ["courrier": 1])
        #expect(on(1)["total"] as? Int == 0 && on(1)["par_statut"] as? [String: Int] == [:])
        #expect(series.map { $0["total"] as? Int ?? -1 }.reduce(0, +) == 7, "day 40 is outside the 30 days")

        let reasons = try #require(answer["motifs_echec"] as? [[String: Any]])
        #expect(reasons.map { $0["code"] as? String ?? "" } == ["destinataire_invalide", "injoignable", "sans_coordonnees"])
        #expect(reasons.map { $0["nombre"] as? Int ?? 0 } == [2, 1, 1])
        #expect(reasons.first?["libelle"] as? String == "Numéro ou adresse invalide")
        #expect((reasons.first?["conseil"] as? String)?.contains("Corriger le téléphone") == true)

        let months = try #require(answer["sms_par_mois"] as? [[String: Any]])
        #expect(months.count == 1 && months[0]["mois"] as? String == String(Self.day(0).prefix(7)) || months.count == 2, "\(months)")
        #expect(months.map { $0["sms"] as? Int ?? 0 }.reduce(0, +) == 2)
        #expect(months.map { $0["segments"] as? Int ?? 0 }.reduce(0, +) == 3)
        #expect(months.allSatisfy { $0["cout_estime"] is NSNull }, "no price configured: no cost")

        // Each text's segments are counted once and kept; a changed text is counted again.
        func segments(_ key: String) throws -> Int64? {
            try rig.store.database.withConnection { (s: Session) throws(StoreError) in
                try s.row("SELECT segments FROM relance WHERE id = ?", [.int(ids[key]!)]) { $0.optionalInt(0) } ?? nil
            }
        }
        #expect(try segments("b") == 2)
        _ = try rig.store.database.withConnection { (s: Session) throws(StoreError) in
            try s.run("UPDATE relance SET message = ? WHERE id = ?", [.text(String(repeating: "Rappel de taxe. ", count: 20)), .int(ids["b"]!)])
        }
        #expect(try segments("b") == nil)
        let recounted = try rig.store.dailyStatistics(days: 30, today: Date(), smsPrice: nil)
        #expect(recounted.smsParMois.map(\.segments).reduce(0, +) == 1 + 3)
        #expect(try segments("b") == 3)

        // 90 days: day 40 counts; the cost follows the SMS price, per segment and message.
        let wide = try rig.store.dailyStatistics(days: 90, today: Date(), smsPrice: SMSPrice(perMessage: 1, perSegment: 25))
        #expect(wide.series.count == 90 && wide.series.map(\.total).reduce(0, +) == 8)
        #expect(wide.smsParMois.map(\.sms).reduce(0, +) == 3)
        let cost: Double = wide.smsParMois.compactMap(\.coutEstime).reduce(0, +)
        #expect(cost == 128, "3 messages at 1 FCFA, 5 segments at 25")
    }

    @Test(arguments: ["0", "367", "trente", "-5", "1.5"])
    func aWrongNumberOfDaysIsRefusedInFrench(_ jours: String) async throws {
        let rig = try APIRig()
        let (status, json, _) = try await rig.call("GET", "/api/relances/statistiques/quotidiennes?jours=\(jours)")
        #expect(status == 400)
        #expect(rig.detail(json)?.hasPrefix("jours : nombre de jours entre 1 et 366") == true, "\(json ?? "")")
    }

    @Test func theExportIsASpreadsheetsCSVWithTheListsFiltersAndNoFormulas() async throws {
        let rig = try APIRig()
        let ids = try Self.populate(rig)
        let hostile = try rig.store.add(Contribuable(nom: "=HYPERLINK(\"http://x.example\";\"clic\")", prenom: "", telephone: "+241 06 00 00 00"))
        let r = try rig.store.create(NewRelance(contribuableID: hostile, type: .sms, montantDue: Montant("1234.5")!, datePlanifiee: Date(),
                                                message: "@SUM(1;2)\nligne 2", notes: "-2+3"))
        let (status, _, response) = try await rig.call("GET", "/api/relances/export.csv")
        #expect(status == 200)
        #expect(response.headers["Content-Type"] == "text/csv; charset=utf-8")
        #expect(response.headers["Content-Disposition"]?.hasPrefix("attachment; filename=\"relances-") == true)
        let bytes = [UInt8](response.body)
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        let header = "Référence;Contribuable;Téléphone;E-mail;Type;Statut;Montant dû (FCFA);Échéance;Planifiée le;Programmée;Envoyée le;Envoyée à;Réponse reçue;Notes;Message\r\n"
        #expect(text.hasPrefix(header))
        // Every record ends in CRLF; the quoted line break inside a message is the only bare one.
        #expect(text.hasSuffix("\r\n"))
        let records = text.components(separatedBy: "\r\n").dropLast()
        #expect(records.count == 1 + ids.count + 1, "\(records)")
        let hostileRow = try #require(records.first { $0.hasPrefix("\(r.id);") })
        #expect(hostileRow.contains(#";"'=HYPERLINK(""http://x.example"";""clic"")";'+241 06 00 00 00;"#), "\(hostileRow)")
        #expect(hostileRow.contains(";1234,50;"))
        #expect(hostileRow.contains(";'-2+3;"))
        #expect(hostileRow.hasSuffix(";\"'@SUM(1;2)\nligne 2\""), "\(hostileRow)")
        let nze = try #require(records.first { $0.hasPrefix("\(ids["a"]!);") })
        #expect(nze.hasPrefix("\(ids["a"]!);Éléonore NZE;066 12 34 56;e@exemple.ga;SMS;Envoyée;5000,00;;"), "\(nze)")

        // The list's filters apply, as `GET /api/relances` reads them.
        let (_, _, failed) = try await rig.call("GET", "/api/relances/export.csv?statut=echec&type_relance=sms&date_debut=\(Self.day(1))")
        let failedRows = String(decoding: failed.body.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n").dropFirst().dropLast()
        #expect(failedRows.map { String($0.prefix { $0 != ";" }) } == [String(ids["h"]!)], "\(failedRows)")
        let (_, _, searched) = try await rig.call("GET", "/api/relances/export.csv?recherche=hyperlink")
        let searchedRows = String(decoding: searched.body.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n").dropFirst().dropLast()
        #expect(searchedRows.map { String($0.prefix { $0 != ";" }) } == [String(r.id)], "\(searchedRows)")
        let (_, list, _) = try await rig.call("GET", "/api/relances?recherche=eleonore")
        #expect((list as? [String: Any])?["total"] as? Int == ids.count)
        let (bad, badJSON, _) = try await rig.call("GET", "/api/relances/export.csv?statut=perdu")
        #expect(bad == 400 && rig.detail(badJSON) == "Statut invalide")
    }

    @Test func theExportNeedsTheTokenLikeTheRestOfTheAPI() async throws {
        let rig = try APIRig(tokens: ["jeton-export-0123456789"])
        let (refused, _, _) = try await rig.call("GET", "/api/relances/export.csv")
        #expect(refused == 401)
        let (ok, _, response) = try await rig.call("GET", "/api/relances/export.csv", headers: ["Authorization": "Bearer jeton-export-0123456789"])
        #expect(ok == 200 && response.body.starts(with: [0xEF, 0xBB, 0xBF]))
    }

    @Test func taxpayersAreFoundWithoutAccentsCaseOrPhoneSpacesAndNamesakesToldApart() async throws {
        let rig = try APIRig()
        let marc = try rig.store.add(Contribuable(nom: "NZÉ", prenom: "Marc", telephone: "06 58 43 30 32", email: "marc@exemple.ga", adresse: "Nzeng-Ayong"))
        let decomposed = try rig.store.add(Contribuable(nom: "Nze\u{0301}", prenom: "Anne", telephone: "+241 77 12 34 56"))
        let noPhone = try rig.store.add(Contribuable(nom: "NZE", prenom: "Paul", adresse: "Akébé"))
        func found(_ term: String) async throws -> [Int64] {
            let (status, json, _) = try await rig.call("GET", "/api/contribuables/?search=\(term.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            #expect(status == 200)
            return (json as? [[String: Any]] ?? []).compactMap { ($0["id"] as? Int).map(Int64.init) }
        }
        let everyNZE = Set([rig.who, marc, decomposed, noPhone])
        for term in ["Nzé", "nze", "NZÉ", "NZE", "nzé"] { #expect(Set(try await found(term)) == everyNZE, "\(term)") }
        #expect(try await found("0658433032") == [marc])
        #expect(try await found("06 58 43 30 32") == [marc])
        #expect(try await found("+241658433032") == [marc])
        #expect(try await found("241 06 58 43") == [marc])
        #expect(try await found("77 12 34") == [decomposed])
        #expect(try await found("éléonore nze") == [rig.who])
        #expect(try await found("NZE ELEONORE") == [rig.who])
        #expect(try await found("akebe").isEmpty, "the address is shown, not searched")
        let (_, json, _) = try await rig.call("GET", "/api/contribuables/?search=paul%20nz")
        let paul = try #require((json as? [[String: Any]])?.first)
        #expect(paul["telephone"] is NSNull && paul["adresse"] as? String == "Akébé" && paul["id"] as? Int == Int(noPhone))
    }

    /// The SQL that folds stored names and the Swift that folds typed terms agree on
    /// every letter they know, composed or decomposed, in either case.
    @Test func theStoredKeyAndTheTypedTermFoldAlike() throws {
        let rig = try APIRig()
        let letters = "àáâãäåæçèéêëìíîïñòóôõöøœùúûüýÿ"
        for (i, name) in [letters, letters.uppercased(), letters.decomposedStringWithCanonicalMapping, "N\u{2019}DONG"].enumerated() {
            let id = try rig.store.add(Contribuable(nom: name, prenom: "X\(i)"))
            #expect(try rig.store.searchContribuables("x\(i) " + SearchKey.name(name), limit: 5, actif: nil).map(\.id) == [id], "\(name)")
            let folded = SearchKey.name(name)
            #expect(folded.allSatisfy { $0.isASCII }, "\(folded)")
        }
        #expect(SearchKey.name(" NZÉ  Éléonore ") == "nze eleonore")
        #expect(SearchKey.phone("+241 06 58 43 30 32") == "658433032" && SearchKey.phone("00241658433032") == "658433032")
        #expect(SearchKey.phone("06-58.43/30 32") == "658433032" && SearchKey.phone("nze") == nil)
    }

    /// A database made before the search keys gets them for the taxpayers it holds.
    @Test func theMigrationGivesExistingTaxpayersTheirSearchKeys() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cles-\(UUID().uuidString).sqlite").path
        do {
            let store = try SQLiteRelanceStore(path: path)
            try store.database.execute("""
                DROP TRIGGER contribuable_cle_ajout; DROP TRIGGER contribuable_cle_change; DROP INDEX relance_compte_jour;
                DROP TRIGGER relance_segments_texte; DROP INDEX relance_sms_envoyee; ALTER TABLE relance DROP COLUMN segments;
                ALTER TABLE contribuable DROP COLUMN cle_nom; ALTER TABLE contribuable DROP COLUMN cle_telephone;
                DROP INDEX contribuable_sans_telephone; DROP INDEX contribuable_sans_email; DROP INDEX contribuable_sans_adresse; PRAGMA user_version = 9;
                INSERT INTO contribuable (nom, prenom, telephone, created_at) VALUES ('OBIANG', 'Hélène', '074 00 11 22', '2026-01-01T00:00:00Z');
                """)
        }
        let store = try SQLiteRelanceStore(path: path)
        #expect(try store.searchContribuables("helene", limit: 5, actif: nil).map(\.nom) == ["OBIANG"])
        #expect(try store.searchContribuables("74001122", limit: 5, actif: nil).map(\.nom) == ["OBIANG"])
        let version = try store.database.withConnection { (s: Session) throws(StoreError) in try s.row("PRAGMA user_version") { $0.int(0) } }
        #expect(version == 11)
    }

    @Test func aContactIsCorrectedWithTheImportsRulesAndTheFailedRelanceThenGoes() async throws {
        let rig = try APIRig()
        // OBAME has no phone: his SMS fails, for want of a number.
        let (_, created, _) = try await rig.call("POST", "/api/relances/manuelles", json: """
            {"type_relance": "sms", "montant_due": "5000", "message": "Rappel", "contribuables": [{"contribuable_id": \(rig.noPhone)}]}
            """)
        let id = try #require((created as? [[String: Any]])?.first?["id"] as? Int)
        let (_, failed, _) = try await rig.call("PATCH", "/api/relances/\(id)/envoyer")
        #expect((failed as? [String: Any])?["statut"] as? String == "echec")

        for (body, field) in [(#"{"telephone": "06 12"}"#, "telephone"), (#"{"telephone": "06 AB 34 56 78"}"#, "telephone"),
                              (#"{"email": "paul@"}"#, "email"), (#"{"email": "paul obame@exemple.ga"}"#, "email"),
                              ("{}", "corps"), (#"{"adresse": "\#(String(repeating: "x", count: 501))"}"#, "adresse")] {
            let (status, json, _) = try await rig.call("PUT", "/api/contribuables/\(rig.noPhone)", json: body)
            #expect(status == 422 && rig.detail(json)?.hasPrefix(field + " : ") == true, "\(body): \(json ?? "")")
        }
        #expect(try rig.store.contribuable(rig.noPhone)?.telephone == nil, "nothing written by a refused change")
        let (missing, _, _) = try await rig.call("PUT", "/api/contribuables/999999", json: #"{"telephone": "077 12 34 56"}"#)
        #expect(missing == 404)

        let (status, json, _) = try await rig.call("PUT", "/api/contribuables/\(rig.noPhone)",
                                                   json: #"{"telephone": " 077 12 34 56 ", "email": "paul@exemple.ga", "adresse": "Louis, Libreville"}"#)
        #expect(status == 200)
        let c = try #require(json as? [String: Any])
        #expect(c["telephone"] as? String == "077 12 34 56" && c["email"] as? String == "paul@exemple.ga" && c["adresse"] as? String == "Louis, Libreville")
        #expect(c["nom"] as? String == "OBAME")
        let (_, found, _) = try await rig.call("GET", "/api/contribuables/?search=77123456")
        #expect((found as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [Int(rig.noPhone)])
        let (_, one, _) = try await rig.call("GET", "/api/contribuables/\(rig.noPhone)")
        #expect((one as? [String: Any])?["telephone"] as? String == "077 12 34 56")
        let (none, _, _) = try await rig.call("GET", "/api/contribuables/999999")
        #expect(none == 404)
        // A blank e-mail clears it; the fields not given stay.
        _ = try await rig.call("PUT", "/api/contribuables/\(rig.noPhone)", json: #"{"email": ""}"#)
        #expect(try rig.store.contribuable(rig.noPhone).map { [$0.email, $0.telephone] } == [nil, "077 12 34 56"])

        // « Corriger le téléphone, puis renvoyer »: the same relance now goes.
        let (_, resent, _) = try await rig.call("PATCH", "/api/relances/\(id)/envoyer")
        #expect((resent as? [String: Any])?["statut"] as? String == "envoyee", "\(resent ?? "")")
        #expect(rig.sandbox.received.count == 1)
    }
}
