import Foundation
import Gateway
import Relances

/// The relance list as a French spreadsheet opens it as is: UTF-8 with a BOM, `;`
/// between fields, CRLF line ends, amounts with a decimal comma, dates and times of
/// Libreville, a field quoted when it holds `;`, `"` or a line break.
///
/// Names, messages and notes come from outside: a cell that starts with `=`, `+`,
/// `-`, `@` (or a tab or carriage return) would run as a formula in a spreadsheet,
/// so it gets a leading `'`, which shows it as text.
struct RelancesCSV {
    static let header = ["Référence", "Contribuable", "Téléphone", "E-mail", "Type", "Statut", "Montant dû (FCFA)", "Échéance",
                         "Planifiée le", "Programmée", "Envoyée le", "Envoyée à", "Réponse reçue", "Notes", "Message"]
    static let types: [RelanceType: String] = [.sms: "SMS", .email: "E-mail", .courrier: "Courrier", .appel: "Appel", .visite: "Visite"]
    static let statuts: [RelanceStatut: String] = [.enAttente: "En attente", .envoiEnCours: "Envoi en cours", .envoyee: "Envoyée",
                                                   .echec: "Échec", .annulee: "Annulée"]

    private(set) var data = Data([0xEF, 0xBB, 0xBF])
    private let dateTime = Self.formatter("dd/MM/yyyy HH:mm")
    private let day = Self.formatter("dd/MM/yyyy")

    init() { append(Self.header) }

    private static func formatter(_ format: String) -> DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "fr_FR_POSIX")
        f.timeZone = TimeZone(identifier: "Africa/Libreville")
        f.dateFormat = format
        return f
    }

    mutating func append(_ r: Relance) {
        let c = r.contribuable
        let name = [c?.prenom ?? "", c?.nom ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
        let amount = r.montantDue.description.replacingOccurrences(of: ".", with: ",")
        let due = r.dateEcheance.map(day.string(from:)) ?? ""
        let sentAt = r.dateEnvoi.map(dateTime.string(from:)) ?? ""
        let sentTo = r.statut == .envoyee ? (r.canalEnvoi ?? "") : ""
        var fields: [String] = [String(r.id), name, c?.telephone ?? "", c?.email ?? ""]
        fields += [Self.types[r.type] ?? r.type.rawValue, Self.statuts[r.statut] ?? r.statut.rawValue, amount, due]
        fields += [dateTime.string(from: r.datePlanifiee), r.programmee ? "oui" : "non", sentAt, sentTo]
        fields += [r.reponseRecue ? "oui" : "non", r.notes ?? "", r.message]
        append(fields)
    }

    private mutating func append(_ fields: [String]) {
        data.append(contentsOf: fields.map(Self.cell).joined(separator: ";").utf8)
        data.append(contentsOf: [0x0D, 0x0A])
    }

    static func cell(_ raw: String) -> String {
        var text = raw
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == ";" || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
