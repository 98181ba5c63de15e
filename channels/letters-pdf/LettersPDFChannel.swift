import Foundation
import Gateway
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Lays each letter out on a page of the current run's PDF, in a folder.
///
/// A run starts with its first letter and ends `run_idle_seconds` after its last one,
/// or at shutdown (``close()``): its PDF is then written under a temporary name,
/// flushed and renamed, so the folder never holds half a PDF. Each letter is first
/// appended to the run's journal (flushed to disk) before its receipt is given: a
/// crash before the PDF is written loses no letter, the next start writes the PDF
/// from the journal. Page numbers are given on arrival, so a receipt's page is the
/// page the letter will have: the next page, or, for a letter of an envelope (several
/// letters of one run to one address, ``Envelope``), its place in the pages kept for
/// that envelope when its first letter came, so they print together and in order.
public final class LettersPDFChannel: Channel {
    public let name: String
    public let accepts = AddressKind.postal
    public let directory: URL
    let head: Letterhead
    let logo: JPEGImage?
    let idle: Double
    let clock: any GatewayClock
    let logger: Logger

    struct Run {
        var file: String
        var journal: Int32
        /// By page; nil for a page kept for an envelope's letter still to come.
        var letters: [Letter?] = []
        /// An envelope's first page.
        var envelopes: [String: Int] = [:]
        var generation = 0

        /// The page a letter takes: the next one, or its place among its envelope's.
        mutating func page(for envelope: Envelope?) -> Int {
            guard let e = envelope, e.parts > 1, (1...e.parts).contains(e.part) else {
                letters.append(nil)
                return letters.count
            }
            if let first = envelopes[e.id] { return first + e.part - 1 }
            // The envelope's first letter in this run (its earlier ones, if any, went in an
            // earlier run): pages for it and the letters after it.
            let page = letters.count + 1
            envelopes[e.id] = page - (e.part - 1)
            letters += Array(repeating: nil, count: e.parts - e.part + 1)
            return page
        }

        /// The pages to print: a page kept for a letter that never came is printed as
        /// left blank when letters follow it (their receipts gave their page numbers),
        /// and dropped at the end.
        var pages: [Letter?] {
            Array(letters.prefix(through: letters.lastIndex { $0 != nil } ?? -1))
        }
    }

    private let run = Mutex<Run?>(nil)
    private let stamps = Mutex(0)

    public init(settings: ChannelSettings, context: ChannelContext) throws(ConfigError) {
        guard let folder = settings.string("directory"), !folder.isEmpty else { throw settings.problem("directory", "must name a folder") }
        let directory = context.resolve(folder)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw settings.problem("directory", "'\(folder)' is a file; name a folder")
        }
        let logoPath = settings.string("logo") ?? ""
        var logo: JPEGImage?
        if !logoPath.isEmpty {
            let url = context.resolve(logoPath)
            guard let data = try? Data(contentsOf: url) else { throw settings.problem("logo", "cannot read '\(url.path)'") }
            guard let image = JPEGImage(data) else { throw settings.problem("logo", "'\(url.path)' is not a JPEG (give a .jpg)") }
            logo = image
        }
        let idle = settings.double("run_idle_seconds") ?? 2
        guard idle >= 0 else { throw settings.problem("run_idle_seconds", "must be 0 or more") }
        func lines(_ key: String) -> [String] {
            (settings.string(key) ?? "").components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        self.name = settings.name
        self.directory = directory
        self.head = Letterhead(name: settings.string("office_name") ?? "Mairie de Libreville", addressLines: lines("office_address"),
                               phone: settings.string("office_phone") ?? "", place: settings.string("place") ?? "Libreville",
                               signature: lines("signature"))
        self.logo = logo
        self.idle = idle
        self.clock = context.clock
        self.logger = context.logger.labelled("letters")
        finishLeftoverJournals()
    }

    // Dropped without close(): the journal stays for the next start, its lock goes.
    deinit { run.withLock { if let r = $0 { Glibc.close(r.journal) } } }

    public var documentsFolder: URL? { directory }

    public func check(_ delivery: Delivery) -> DeliveryCheck {
        let problem = Self.problem(delivery)
        return DeliveryCheck(problem: problem.map { ChannelError.invalidRecipient($0).description }, text: delivery.body)
    }

    static func problem(_ delivery: Delivery) -> String? {
        LetterLayout.addressLines(delivery.recipient).isEmpty
            ? "pas d'adresse postale pour ce contribuable : la lettre ne peut pas être postée" : nil
    }

    public func send(_ delivery: Delivery) async throws(ChannelError) -> Receipt {
        if let why = Self.problem(delivery) { throw .invalidRecipient(why) }
        let m = delivery.metadata
        var letter = Letter(deliveryID: delivery.id, name: m["contribuable_nom"] ?? "", address: delivery.recipient,
                            reference: m["reference"] ?? delivery.id, tax: m["taxe"] ?? "",
                            amount: m["montant"].flatMap(LetterLayout.amount),
                            due: m["date_echeance"].flatMap { ISO8601.date(from: $0) }, text: delivery.body)
        let now = clock.now()
        let (file, page, generation) = try run.withLock { (current: inout Run?) throws(ChannelError) -> (String, Int, Int) in
            if current == nil { current = try startRun(now) }
            var run = current!
            let page = run.page(for: delivery.envelope)
            letter.page = page
            let line: Data
            do { line = try JSONEncoder().encode(letter) + Data([0x0A]) } catch { throw .storage("lettre non encodable : \(error)") }
            // Journalled first: a letter not written to disk changes nothing in the run.
            try append(line, to: run.journal)
            run.letters[page - 1] = letter
            run.generation += 1
            current = run
            return (run.file, page, run.generation)
        }
        scheduleEnd(after: generation)
        return Receipt(channel: name, messageID: "\(file)#page=\(page)", acceptedAt: now, recipient: delivery.recipient,
                       details: ["file": file, "page": String(page)],
                       note: "Lettre prête à imprimer : \(file), page \(page)")
    }

    /// Writes the current run's PDF now.
    public func close() async { finishRun(ifGeneration: nil) }

    public func checkHealth() async -> ChannelHealth {
        if !FileManager.default.fileExists(atPath: directory.path) { return .healthy("will create \(directory.path)") }
        return access(directory.path, W_OK) == 0 ? .healthy("courriers : \(directory.path)") : .unhealthy("dossier non accessible en écriture : \(directory.path)")
    }

    // MARK: Runs

    private func startRun(_ now: Date) throws(ChannelError) -> Run {
        do { try PrivateFile.createDirectory(directory.path) } catch {
            throw .storage("impossible de créer le dossier \(directory.path) : \(error.reason)")
        }
        // Two runs in one second get distinct names.
        let serial = stamps.withLock { $0 += 1; return $0 }
        let file = "courriers-\(ISO8601.string(from: now).filter(\.isNumber))-\(getpid())-\(serial).pdf"
        let journal = PrivateFile.open(directory.appendingPathComponent(".\(file).journal").path, O_WRONLY | O_APPEND)
        guard journal >= 0 else { throw .storage("impossible d'écrire dans \(directory.path) : \(String(cString: strerror(errno)))") }
        // Held while the run is open: another process starting on this folder (serve and
        // a send at once) must not take a live run's journal for a crashed one.
        _ = flock(journal, LOCK_EX | LOCK_NB)
        return Run(file: file, journal: journal, letters: [], generation: 0)
    }

    private func append(_ line: Data, to fd: Int32) throws(ChannelError) {
        guard PrivateFile.writeAll(line, to: fd) else { throw .storage("journal des lettres non écrit : \(String(cString: strerror(errno)))") }
    }

    private func scheduleEnd(after generation: Int) {
        let idle = self.idle, clock = self.clock
        Task { [weak self] in
            try? await clock.sleep(seconds: idle)
            self?.finishRun(ifGeneration: generation)
        }
    }

    /// Writes the run's PDF and forgets the run, if no letter came since `generation`.
    private func finishRun(ifGeneration generation: Int?) {
        run.withLock { current in
            guard let r = current, generation == nil || r.generation == generation else { return }
            current = nil
            Glibc.close(r.journal)
            let journal = directory.appendingPathComponent(".\(r.file).journal")
            do {
                try write(r.pages, as: r.file)
                try? FileManager.default.removeItem(at: journal)
                logger.info("letters ready to print", ["file": r.file, "pages": r.pages.count])
            } catch {
                // The journal stays: the next start writes the PDF from it.
                logger.error("could not write the letters' PDF; the next start will", ["file": r.file, "error": "\(error)"])
            }
        }
    }

    /// The PDF of `letters`, one page each, written under a temporary name and renamed,
    /// private to the office's account (it holds taxpayers' names and addresses).
    func write(_ letters: [Letter?], as file: String) throws {
        let data = Self.pdf(letters, head: head, logo: logo, date: clock.now())
        let final = directory.appendingPathComponent(file)
        do { try PrivateFile.write(data, to: final.path) } catch {
            throw ChannelError.storage("\(final.path) non écrit : \(error.reason)")
        }
    }

    static func pdf(_ letters: [Letter?], head: Letterhead, logo: JPEGImage?, date: Date) -> Data {
        var document = PDFDocument(logo: logo)
        document.pages = letters.map { $0.map { LetterLayout.page($0, head: head, hasLogo: logo != nil, date: date) } ?? LetterLayout.blank(head: head) }
        return document.render()
    }

    /// Journals a crash left: their PDFs, written now (local files only, no network).
    private func finishLeftoverJournals() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for journal in names where journal.hasPrefix(".") && journal.hasSuffix(".pdf.journal") {
            let file = String(journal.dropFirst().dropLast(".journal".count))
            let url = directory.appendingPathComponent(journal)
            let fd = open(url.path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            defer { Glibc.close(fd) }
            // A run still open in another process holds the lock: not ours to finish.
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { continue }
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            // A line cut by the crash was never acknowledged: it is left out.
            var run = Run(file: file, journal: -1)
            for line in text.split(separator: "\n") {
                guard let letter = try? JSONDecoder().decode(Letter.self, from: Data(line.utf8)) else { continue }
                let page = letter.page ?? run.letters.count + 1
                guard (1...run.letters.count + 10_000).contains(page) else { continue }
                if run.letters.count < page { run.letters += Array(repeating: nil, count: page - run.letters.count) }
                run.letters[page - 1] = letter
            }
            let letters = run.pages
            do {
                try write(letters, as: file)
                try FileManager.default.removeItem(at: url)
                logger.warning("letters of an interrupted run written now", ["file": file, "pages": letters.count])
            } catch {
                logger.error("could not write the letters of an interrupted run", ["file": file, "error": "\(error)"])
            }
        }
    }
}
