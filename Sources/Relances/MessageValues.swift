import Foundation

/// What a template's placeholders become, in Swift and in SQL (the generator renders
/// in SQL, the pre-flight and manual relances in Swift; a test holds them equal).
enum MessageValues {
    static func values(nom: String, prenom: String, montant: Montant, echeance: String, taxe: String, nombre: Int = 1) -> [String: String] {
        ["nom": nom, "prenom": prenom, "montant": montant.texte, "echeance": echeance, "taxe": Self.taxe(taxe),
         "nom_complet": nomComplet(nom: nom, prenom: prenom), "nombre": String(nombre)]
    }

    /// « Prénom NOM », without a dangling space when the prénom is empty (as SQL's TRIM).
    static func nomComplet(nom: String, prenom: String) -> String {
        (prenom + " " + nom).trimmingCharacters(in: CharacterSet(charactersIn: " "))
    }

    static func nomCompletSQL(nom: String, prenom: String) -> String { "TRIM(\(prenom) || ' ' || \(nom))" }

    /// The tax's name inside a sentence: « Taxe de voirie » reads « votre taxe de
    /// voirie ». Only a capital followed by a small letter is lowered (an acronym
    /// such as « TVA » stays), and only an ASCII one, as SQLite's lower() does.
    static func taxe(_ name: String) -> String {
        let scalars = Array(name.unicodeScalars.prefix(2))
        guard scalars.count == 2, ("A"..."Z").contains(scalars[0]), ("a"..."z").contains(scalars[1]) else { return name }
        return String(Character(scalars[0])).lowercased() + name.dropFirst()
    }

    static func taxeSQL(_ column: String) -> String {
        "(CASE WHEN substr(\(column), 1, 1) BETWEEN 'A' AND 'Z' AND substr(\(column), 2, 1) BETWEEN 'a' AND 'z' "
            + "THEN lower(substr(\(column), 1, 1)) || substr(\(column), 2) ELSE \(column) END)"
    }
}
