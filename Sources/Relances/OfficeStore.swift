import Foundation
import Gateway

// What the API and the CLI call on storage, besides sending (``RelanceStore``): a few
// capabilities, each named after what it does, so a caller names only what it uses and
// a store implements what it can. ``SQLiteRelanceStore`` implements them all;
// ``InMemoryRelanceStore`` those that are a few lines over its data (the store
// behaviour suite runs them over both). Only a composition root (the CLI's store
// opener, `serve`, the demo's and the bench's setup, tests) names a concrete store.
//
// A new store implements ``RelanceStore`` for sending, then the capabilities its callers
// need: ``APIStore`` for `serve`, ``OfficeStore`` for every CLI command. Its failures
// are ``StoreError``s stating facts about the data; the API maps them to statuses.

/// Everything `serve`'s API calls.
public typealias APIStore = RelanceStore & TaxpayerDirectory & RelanceEditing & RelanceGeneration & DispatchJournal
    & IdempotencyKeys & DashboardSeries

/// Everything the CLI calls: the API's, plus the rolls, their import, and recovery.
public typealias OfficeStore = APIStore & TaxRoll & TaxRollImport & ClaimRecovery

/// Taxpayers and their contacts: the page's search, a taxpayer's card, a change of
/// phone, e-mail or address.
public protocol TaxpayerDirectory: Sendable {
    func contribuable(_ id: Int64) throws(StoreError) -> Contribuable?
    /// Taxpayers whose name (either order, accents and case aside) or phone number
    /// (spaces and the +241/0 prefixes aside) contains `term` (see ``SearchKey``), by
    /// name; at most `limit` (1 to 1,000); `actif` nil for both.
    func searchContribuables(_ term: String, limit: Int, actif: Bool?) throws(StoreError) -> [Contribuable]
    /// Changes a taxpayer's contact details, checked by the caller; nil when `id` is unknown.
    func updateContact(_ id: Int64, _ patch: ContactPatch) throws(StoreError) -> Contribuable?
}

/// The office's rolls as an import or the demo writes them: taxpayers, taxes, their
/// assignments, payments, the files of unpaid debts.
public protocol TaxRoll: Sendable {
    @discardableResult func add(_ c: Contribuable, now: Date) throws(StoreError) -> Int64
    @discardableResult func add(_ t: Taxe) throws(StoreError) -> Int64
    @discardableResult func add(_ a: AffectationTaxe) throws(StoreError) -> Int64
    /// A completed payment cancels the pending relances of the debts it settles, at once.
    @discardableResult func add(_ p: InfoCollecte, now: Date) throws(StoreError) -> Int64
    @discardableResult func openDossier(affectationID: Int64, now: Date) throws(StoreError) -> Int64
    /// Marks these rolls as made up (the demo's): demo commands replace or reuse only a
    /// store so marked, never the office's.
    func markAsDemo() throws(StoreError)
}

/// What an operator does to relances besides sending them: create several at once,
/// change one, schedule one, mark a call or a visit done. Each keeps the status rules
/// (``RelanceStatut/operatorMove(from:to:)``); nil when the relance does not exist.
public protocol RelanceEditing: Sendable {
    /// All or none.
    func create(_ batch: [NewRelance], now: Date) throws(StoreError) -> [Relance]
    func update(_ id: Int64, _ patch: RelancePatch, now: Date) throws(StoreError) -> Relance?
    func schedule(_ id: Int64, at: Date, now: Date, acteur: String?) throws(StoreError) -> Relance?
    func markDone(_ id: Int64, notes: String, now: Date, acteur: String?) throws(StoreError) -> Relance?
}

/// Generation: the late debts, by the office's rule (``RelanceGenerator``), made
/// relances; and the same debts walked for a pre-flight (``CampaignPreflight``).
public protocol RelanceGeneration: Sendable {
    /// Creates the relances of `options` at `now`, in one transaction (see ``RelanceGenerator``).
    func generateRelances(_ options: RelanceGenerator.Options, now: Date) throws(StoreError) -> RelanceGenerator.Result
    /// The late debts of `type` whose taxpayer has no address for it.
    func lateDebtsWithoutAddress(type: RelanceType, joursRetardMin: Int, upcoming: Bool, now: Date) throws(StoreError) -> Int
    /// Every late debt of `options` (its limit aside), oldest first, in the generation's order.
    func forEachLateDebt(_ options: RelanceGenerator.Options, now: Date, _ debt: (LateDebt) -> Void) throws(StoreError)
}

/// One late debt as generation reads it.
public struct LateDebt: Sendable, Equatable {
    public var affectationID: Int64
    /// The taxpayer, with their addresses.
    public var contribuable: Contribuable
    public var dateDebut: String
    public var montant: Montant
    public var periodicite: String
    /// The tax's name.
    public var taxe: String

    public init(affectationID: Int64, contribuable: Contribuable, dateDebut: String, montant: Montant, periodicite: String, taxe: String) {
        self.affectationID = affectationID
        self.contribuable = contribuable
        self.dateDebut = dateDebut
        self.montant = montant
        self.periodicite = periodicite
        self.taxe = taxe
    }
}

/// A CSV import's writes: the whole file in one transaction, a row at a time.
public protocol TaxRollImport: Sendable {
    /// Opens the file's transaction and hands `rows` a writer of one row (its values by
    /// column; `writing` false once the file has a problem: rows are still checked, not
    /// written). Everything is rolled back when `rows` throws.
    func importRows(_ kind: CSVImporter.Kind, header: Set<String>, phone: PhoneNumberFormat, now: Date,
                    _ rows: (_ write: CSVImporter.RowWrite) throws(StoreError) -> Void) throws(StoreError)
}

/// What happened to each relance: its delivery attempts, and the proof-of-dispatch
/// ledger (hash-chained entries an auditor verifies).
public protocol DispatchJournal: Sendable {
    /// The attempts and ledger entries of relance `id`, in order; nil when it does not exist.
    func journal(relanceID id: Int64) throws(StoreError) -> RelanceJournal?
    /// Appends entries in a transaction of their own, chained to the last.
    @discardableResult func appendToLedger(_ entries: [LedgerEntry]) throws(StoreError) -> [LedgerEntry]
    /// Checks the whole chain.
    func verifyLedger() throws(StoreError) -> LedgerVerification
    /// The entries of the days `from` to `to` (`YYYY-MM-DD`, UTC, inclusive).
    func ledgerEntries(from: String, to: String) throws(StoreError) -> [LedgerEntry]
}

extension DispatchJournal {
    /// Those entries as the auditor's CSV.
    public func exportLedger(from: String, to: String) throws(StoreError) -> String {
        Ledger.csv(try ledgerEntries(from: from, to: to))
    }
}

/// The `Idempotency-Key`s of the API (see ``IdempotencyScope``): a repeated request is
/// answered as the first was, never run twice.
public protocol IdempotencyKeys: Sendable {
    /// Claims `scope` for a request whose body and query hash to `fingerprint`, at once:
    /// two identical requests are never both told `.claimed`. Keys older than `lifetime`
    /// seconds are forgotten first, so they can be used again.
    func claimIdempotencyKey(_ scope: IdempotencyScope, fingerprint: String, owner: String, now: Date,
                             lifetime: TimeInterval) throws(StoreError) -> IdempotencyClaim
    /// Stores the answer of a request that ran under a key this `owner` claimed.
    func completeIdempotencyKey(_ scope: IdempotencyScope, owner: String, answer: IdempotentAnswer) throws(StoreError)
    /// Forgets a claim whose request failed on the server's side, so a retry runs it.
    func releaseIdempotencyKey(_ scope: IdempotencyScope, owner: String) throws(StoreError)
}

/// The dashboard's series, the CSV export's walk, and the queue depth `/metrics` shows.
public protocol DashboardSeries: Sendable {
    func dailyStatistics(days: Int, today: Date, smsPrice: SMSPrice?) throws(StoreError) -> DailyStatistics
    /// Every relance the filter selects (its `skip` and `limit` aside), newest first, at
    /// most `maximum`: false, having given none, when more match.
    func forEachRelance(_ filter: RelanceFilter, maximum: Int, _ row: (Relance) -> Void) throws(StoreError) -> Bool
    /// How many relances wait (`en_attente`) and how many are being sent; both keys always present.
    func queueDepth() throws(StoreError) -> [RelanceStatut: Int]
}

/// `relances recover`: the claims a stopped sender left, and what can be made of them.
public protocol ClaimRecovery: Sendable {
    /// Every relance `envoi_en_cours`, with whose claim it is and whether it was handed off.
    func heldClaims() throws(StoreError) -> [HeldClaim]
    /// The attempts of a relance, in order.
    func attempts(relanceID: Int64) throws(StoreError) -> [(attempt: Int, channel: String, outcome: String, providerID: String?, detail: String?)]
    /// A claim whose last attempt was accepted becomes `envoyee` from it; false otherwise.
    func settleFromLastAttempt(_ id: Int64, now: Date) throws(StoreError) -> Bool
    /// A dead sender's claim back `en_attente`, scheduled; false when it changed meanwhile.
    func putBack(_ held: HeldClaim, now: Date) throws(StoreError) -> Bool
    /// A dead sender's claim closed `echec`, outcome unknown; false when it changed meanwhile.
    func closeUnknown(_ held: HeldClaim, note: String, now: Date) throws(StoreError) -> Bool
}
