/// A command that will not do what it was asked, and why (exit 2, without the usage).
struct Refusal: Error, CustomStringConvertible {
    var description: String

    static func missingDatabase(_ path: String) -> Refusal {
        Refusal(description: "la base de données « \(path) » n'existe pas ; indiquez celle de la passerelle avec --db FICHIER "
                + "(seules les commandes import, generate, serve et demo créent une base)")
    }

    static func notADemo(_ path: String, command: String) -> Refusal {
        Refusal(description: "« \(path) » existe et n'est pas une base de démonstration : \(command) ne touche pas à ce fichier. "
                + "Donnez un autre --db (par défaut var/demo.sqlite), ou déplacez ce fichier vous-même s'il ne sert plus.")
    }
}
