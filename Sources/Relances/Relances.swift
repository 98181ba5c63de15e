// The Relances module: the office's domain (taxpayers, taxes, late debts, relances),
// its store, and the one pipeline every send goes through.
//
// Follow one relance, in one direction, never reaching back:
//
//   API (`PATCH /api/relances/{id}/envoyer`), CLI (`relances send`, `generate --send`),
//   or the scheduler (`ScheduledSender`, what an operator scheduled)
//     → `RelanceSender.send(_:)` (one relance: a batch of one) or `send(_:maxInFlight:)`
//       The sender is handed a `SendRuntime` (dispatcher, rehearsal or not, templates,
//       segment budgets, windows) and an `any RelanceStore`; it never reads the config.
//     → `RelanceStore.openSending(_:)`: the batch's `SendingSession`
//       `claim`: a group of ids becomes `envoi_en_cours` in one go, with its owner and
//       lease (`ClaimOwner`), so no one else sends them; the others are answered why not.
//     → `RelanceSender.deliver`: what cannot go (no address, empty text, over the SMS
//       budget) fails here; what can is handed off first (`SendRecord.handOff`, written
//       before the network call, so a crash never resends blindly)
//     → `Dispatcher.send` (Gateway): route, send window, rate, retries, fallback
//     → the `Channel` (channels/…): the provider, a file, a printer; answers a `Receipt`
//       or a `ChannelError`
//     → back to the session: the send's attempts and its outcome (`SendRecord`) are
//       submitted together and written in one transaction: `envoyee` with the receipt's
//       note, `echec` with the error, or put back (`release`) when nothing was tried.
//
// The store: `RelanceStore` is what sending calls; the API and the CLI call capabilities
// named after what they do (`TaxpayerDirectory`, `RelanceEditing`, `RelanceGeneration`,
// `TaxRollImport`, `DispatchJournal`, `IdempotencyKeys`, `DashboardSeries`, `TaxRoll`,
// `ClaimRecovery`), composed as `APIStore` (serve) and `OfficeStore` (the CLI); see
// OfficeStore.swift. Nothing but a composition root names a concrete store. SQLite
// (`SQLiteRelanceStore`, every capability) commits a batch's results a group a
// transaction on a writer thread of its own (`OutcomeWriter`, its internal detail);
// `InMemoryRelanceStore` (sending, taxpayers, idempotency keys, recovery) writes each at once,
// with the same rules; the store behaviour suite runs over both.
// Storage failures are `StoreError`s stating facts about the data; the API turns them
// into statuses in one place.
//
// The statuses and who may move a relance between them: README « Statuts ».
