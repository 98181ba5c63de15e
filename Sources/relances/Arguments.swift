import Foundation

/// A usage mistake: the command prints it with its usage and exits with status 2.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

/// The words after the command's name: `--name value`, `--name=value`, `--flag`,
/// and positional arguments. Each read consumes what it read; ``finish()`` refuses
/// whatever is left, so a mistyped option is an error, not silently ignored.
struct Arguments {
    private var words: [String]

    init(_ words: [String]) { self.words = words }

    /// Whether `--help` or `-h` was given.
    mutating func wantsHelp() -> Bool { flag("help") || remove("-h") }

    /// `--name value` or `--name=value`; nil when absent.
    mutating func option(_ name: String) throws(UsageError) -> String? {
        let long = "--\(name)"
        guard let i = words.firstIndex(where: { $0 == long || $0.hasPrefix(long + "=") }) else { return nil }
        let word = words.remove(at: i)
        if word.hasPrefix(long + "=") { return String(word.dropFirst(long.count + 1)) }
        guard i < words.count, !words[i].hasPrefix("--") else { throw UsageError("\(long) attend une valeur") }
        return words.remove(at: i)
    }

    /// Every occurrence of a repeatable option.
    mutating func options(_ name: String) throws(UsageError) -> [String] {
        var values: [String] = []
        while let v = try option(name) { values.append(v) }
        return values
    }

    /// A whole number option within bounds; `alias` is another name for it, read the
    /// same (`--limit` for `--limite`: both spellings work, the help names one).
    mutating func int(_ name: String, alias: String? = nil, default value: Int, in range: ClosedRange<Int>) throws(UsageError) -> Int {
        var given = try option(name)
        if given == nil, let alias { given = try option(alias) }
        guard let text = given else { return value }
        guard let n = Int(text), range.contains(n) else {
            throw UsageError("--\(name) doit être un nombre entier de \(range.lowerBound) à \(range.upperBound), pas « \(text) »")
        }
        return n
    }

    /// An option whose value must be one of `valid`; a wrong one is refused listing them.
    mutating func choice(_ name: String, among valid: [String]) throws(UsageError) -> String? {
        guard let text = try option(name) else { return nil }
        guard valid.contains(text) else {
            throw UsageError("--\(name) : « \(text) » n'est pas une valeur possible ; valeurs possibles : \(valid.joined(separator: ", "))")
        }
        return text
    }

    /// `--name` alone: true when present.
    mutating func flag(_ name: String) -> Bool { remove("--\(name)") }

    /// The next positional argument (a word not starting with `--`).
    mutating func positional() -> String? {
        guard let i = words.firstIndex(where: { !$0.hasPrefix("--") || $0 == "-" }) else { return nil }
        return words.remove(at: i)
    }

    /// Refuses anything not read.
    func finish() throws(UsageError) {
        if let first = words.first {
            throw UsageError(first.hasPrefix("-") ? "option inconnue \(first) (voir --help)" : "argument inattendu « \(first) »")
        }
    }

    private mutating func remove(_ word: String) -> Bool {
        guard let i = words.firstIndex(of: word) else { return false }
        words.remove(at: i)
        return true
    }
}
