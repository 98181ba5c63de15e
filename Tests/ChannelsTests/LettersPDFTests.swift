import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Gateway
import LettersPDF
import ProviderSandbox
import Testing

/// The `letters-pdf` channel, read back with a real PDF reader (`pdftotext`, poppler-utils).
@Suite struct LettersPDFTests {
    func channel(_ folder: URL, _ extra: [String: String] = [:]) throws -> LettersPDFChannel {
        var values = ["directory": folder.path, "office_phone": "+241 01 72 00 00", "run_idle_seconds": "600"]
        values.merge(extra) { $1 }
        return try LettersPDFChannel(settings: settings("lettres", LettersPDF.kind, values),
                                     context: ChannelContext(logger: Logger(sink: MemoryLogSink())))
    }

    func letter(_ n: Int, name: String, amount: String = "45000.00", address: String = "Quartier Louis, BP 1234, Libreville") -> Delivery {
        Delivery(id: "relance-\(n)", type: .courrier, recipient: address, subject: "Rappel",
                 body: "Nous vous rappelons que votre taxe est échue. Merci de régulariser votre situation auprès de la régie.",
                 metadata: ["contribuable_nom": name, "taxe": "Taxe de marché", "montant": amount,
                            "date_echeance": "2026-11-25", "reference": "REL-\(n)"])
    }

    /// Waits until no descriptor holds the run's journal: the "crashed" channel is gone,
    /// but a process another test spawns at that moment holds a copy of every open
    /// descriptor between its fork and its exec, and with it the journal's lock.
    func journalReleased(_ folder: URL, _ file: String) async -> Bool {
        await eventually {
            let fd = open(folder.appendingPathComponent(".\(file).journal").path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return true }
            defer { close(fd) }
            return flock(fd, LOCK_EX | LOCK_NB) == 0
        }
    }

    func text(_ pdf: URL, page: Int) async throws -> String {
        try await run(["pdftotext", "-layout", "-f", String(page), "-l", String(page), pdf.path, "-"])
    }

    @Test func eachLetterIsAPageThatAPDFReaderReadsWithItsAccents() async throws {
        let folder = try temporaryFolder("letters")
        defer { try? FileManager.default.removeItem(at: folder) }
        let letters = try channel(folder)
        let first = try await letters.send(letter(1, name: "Jean Ndong"))
        let second = try await letters.send(letter(2, name: "Éloïse Mba-Ékomié", amount: "1250000.50"))
        #expect(second.note == "Lettre prête à imprimer : \(second.details["file"]!), page 2")
        #expect(first.details["file"] == second.details["file"] && first.details["page"] == "1")
        // Nothing is in the folder until the run ends, and then no temporary file stays.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".pdf") }.isEmpty)
        await letters.close()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [second.details["file"]!])
        let pdf = folder.appendingPathComponent(second.details["file"]!)
        _ = try await run(["qpdf", "--check", pdf.path])
        let page2 = try await text(pdf, page: 2)
        #expect(page2.contains("Éloïse Mba-Ékomié"))
        #expect(page2.contains("1 250 000,50 FCFA"))
        #expect(page2.contains("REL-2") && page2.contains("Taxe de marché") && page2.contains("Date d'échéance : 25 novembre 2026"))
        #expect(page2.contains("Libreville, le ") && page2.contains("régie"))
        let page1 = try await text(pdf, page: 1)
        #expect(page1.contains("Jean Ndong") && page1.contains("45 000 FCFA") && page1.contains("REL-1") && !page1.contains("Éloïse"))
    }

    @Test func aLetterWithoutAPostalAddressIsRefusedBeforeAnythingIsWritten() async throws {
        let folder = try temporaryFolder("letters")
        defer { try? FileManager.default.removeItem(at: folder) }
        let letters = try channel(folder)
        let blank = letter(3, name: "Sans Adresse", address: "  ")
        #expect(letters.check(blank).problem?.contains("pas d'adresse postale") == true)
        do { _ = try await letters.send(blank); Issue.record("a letter without address was accepted") } catch {
            #expect(!error.isRetryable && error.code == "invalid_recipient")
        }
        await letters.close()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    /// A crash after letters were acknowledged: the next start writes their PDF from the journal.
    @Test func aRunInterruptedBeforeItsPDFIsWrittenAtTheNextStart() async throws {
        let folder = try temporaryFolder("letters")
        defer { try? FileManager.default.removeItem(at: folder) }
        var receipt: Receipt?
        do {
            let crashed = try channel(folder)
            receipt = try await crashed.send(letter(7, name: "Paul Obiang"))
            // No close(): as if the process died here.
        }
        let file = try #require(receipt?.details["file"])
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path))
        #expect(await journalReleased(folder, file))
        _ = try channel(folder)
        #expect(try await text(folder.appendingPathComponent(file), page: 1).contains("Paul Obiang"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [file])
    }

    /// Another process starting on the same folder (serve and a send at once) leaves a
    /// live run's journal alone.
    @Test func aLiveRunIsNotTakenForACrashedOne() async throws {
        let folder = try temporaryFolder("letters")
        defer { try? FileManager.default.removeItem(at: folder) }
        let live = try channel(folder)
        let receipt = try await live.send(letter(11, name: "Anne Moussavou"))
        _ = try channel(folder)   // another process, say: its start finds the journal
        let file = try #require(receipt.details["file"])
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path))
        _ = try await live.send(letter(12, name: "Jules Ondo"))
        await live.close()
        let pdf = folder.appendingPathComponent(file)
        #expect(try await text(pdf, page: 1).contains("Anne Moussavou"))
        #expect(try await text(pdf, page: 2).contains("Jules Ondo"))
    }

    /// A run ends by itself once no letter came for `run_idle_seconds`: the office need
    /// not stop the server to print.
    @Test func aRunEndsByItselfWhenNoLetterComes() async throws {
        let folder = try temporaryFolder("letters")
        defer { try? FileManager.default.removeItem(at: folder) }
        let letters = try channel(folder, ["run_idle_seconds": "0"])
        let receipt = try await letters.send(letter(9, name: "Marie Nzé"))
        let pdf = folder.appendingPathComponent(try #require(receipt.details["file"]))
        #expect(await eventually(within: 60) { FileManager.default.fileExists(atPath: pdf.path) }, "the run did not end by itself")
        #expect(try await text(pdf, page: 1).contains("Marie Nzé"))
    }

    /// A taxpayer's letters of one run (an ``Envelope``'s parts) print on consecutive
    /// pages in their order, whatever came between them; a part that never comes leaves
    /// a page saying so, and the pages after it keep the numbers their receipts gave.
    @Test func aTaxpayersLettersOfOneRunPrintTogetherInOrder() async throws {
        let folder = try temporaryFolder("letters")
        defer { try? FileManager.default.removeItem(at: folder) }
        let letters = try channel(folder)
        func part(_ n: Int, _ name: String, _ envelope: String, _ i: Int, of parts: Int) -> Delivery {
            var d = letter(n, name: name)
            d.envelope = Envelope(id: envelope, part: i, parts: parts)
            return d
        }
        var pages: [String: String] = [:]
        for d in [part(1, "Jean Ndong", "A", 1, of: 2), letter(2, name: "Paul Obiang"), part(3, "Jean Ndong", "A", 2, of: 2),
                  part(4, "Éloïse Mba", "B", 1, of: 3), letter(5, name: "Anne Moussavou"), part(6, "Éloïse Mba", "B", 3, of: 3),
                  letter(7, name: "Jules Ondo")] {
            let receipt = try await letters.send(d)
            pages[d.id] = receipt.details["page"]
            #expect(receipt.note.hasSuffix("page \(receipt.details["page"]!)"))
        }
        // B's second letter never came (the process stopped between them, say).
        #expect(pages == ["relance-1": "1", "relance-3": "2", "relance-2": "3", "relance-4": "4", "relance-6": "6",
                          "relance-5": "7", "relance-7": "8"])
        await letters.close()
        let pdf = try #require(try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).first)
        let expected = [1: "REL-1", 2: "REL-3", 3: "REL-2", 4: "REL-4", 6: "REL-6", 7: "REL-5", 8: "REL-7"]
        for (page, reference) in expected { #expect(try await text(pdf, page: page).contains(reference), "page \(page)") }
        let blank = try await text(pdf, page: 5)
        #expect(blank.contains("Page laissée blanche") && !blank.contains("REL-"))
        let info = try await run(["pdfinfo", pdf.path]).split(separator: "\n").first { $0.hasPrefix("Pages:") }
        #expect(info?.split(separator: " ").last == "8", "\(String(describing: info))")
    }

    /// The journal keeps each letter's page: a crash mid-envelope prints them where
    /// their receipts said.
    @Test func anEnvelopeInterruptedByACrashKeepsItsPages() async throws {
        let folder = try temporaryFolder("letters")
        defer { try? FileManager.default.removeItem(at: folder) }
        var file: String?
        do {
            let crashed = try channel(folder)
            var first = letter(21, name: "Jean Ndong")
            first.envelope = Envelope(id: "A", part: 1, parts: 2)
            _ = try await crashed.send(first)
            _ = try await crashed.send(letter(22, name: "Paul Obiang"))
            var second = letter(23, name: "Jean Ndong")
            second.envelope = Envelope(id: "A", part: 2, parts: 2)
            file = try await crashed.send(second).details["file"]
        }
        let pdf = folder.appendingPathComponent(try #require(file))
        #expect(await journalReleased(folder, try #require(file)))
        _ = try channel(folder)
        #expect(try await text(pdf, page: 2).contains("REL-23"))
        #expect(try await text(pdf, page: 3).contains("REL-22"))
    }

    @Test func aLogoMustBeAJPEG() throws {
        let folder = try temporaryFolder("letters")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fake = folder.appendingPathComponent("logo.jpg")
        try Data("not a jpeg".utf8).write(to: fake)
        do { _ = try channel(folder, ["logo": fake.path]); Issue.record("a text file accepted as logo") } catch {
            #expect("\(error)".contains("channels.lettres.logo"))
        }
    }
}
