import Foundation

/// The variables a config may refer to as `${NAME}`: the process environment over a
/// `.env` file, as the office's existing back-office reads them.
public struct Environment: Sendable {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    public subscript(name: String) -> String? { values[name] }

    /// The process environment merged over the `.env` file at `dotEnvPath` (if it
    /// exists): a variable set in the process wins, so an operator can override a
    /// line of `.env` for one run.
    public static func load(dotEnvPath: String = ".env",
                            process: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> Environment {
        var values: [String: String] = [:]
        if FileManager.default.fileExists(atPath: dotEnvPath) {
            guard let data = FileManager.default.contents(atPath: dotEnvPath) else {
                throw ConfigError(file: dotEnvPath, path: "", "cannot be read; check its permissions")
            }
            values = try DotEnv.parse(String(decoding: data, as: UTF8.self), file: dotEnvPath)
        }
        values.merge(process) { _, fromProcess in fromProcess }
        return Environment(values)
    }
}

/// The `.env` format: `NAME=value` lines, `export` allowed, `#` comments, values
/// optionally in single (literal) or double quotes (with `\n`, `\"`, `\\`).
public enum DotEnv {
    public static func parse(_ text: String, file: String) throws(ConfigError) -> [String: String] {
        var values: [String: String] = [:]
        var problems: [ConfigProblem] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            let at = "line \(index + 1)"
            guard let eq = line.firstIndex(of: "=") else {
                problems.append(ConfigProblem(file: file, path: at, message: "expected NAME=value"))
                continue
            }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces)
            guard isValidName(name) else {
                problems.append(ConfigProblem(file: file, path: at, message: "'\(name)' is not a variable name (letters, digits and _, not starting with a digit)"))
                continue
            }
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\"") {
                guard value.count >= 2, value.hasSuffix("\""), !value.hasSuffix("\\\"") || value.hasSuffix("\\\\\"") else {
                    problems.append(ConfigProblem(file: file, path: at, message: "the double quote opened for \(name) is not closed"))
                    continue
                }
                value = unescape(String(value.dropFirst().dropLast()))
            } else if value.hasPrefix("'") {
                guard value.count >= 2, value.hasSuffix("'") else {
                    problems.append(ConfigProblem(file: file, path: at, message: "the single quote opened for \(name) is not closed"))
                    continue
                }
                value = String(value.dropFirst().dropLast())
            } else if let hash = value.range(of: " #") {
                value = value[..<hash.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            values[name] = value
        }
        if !problems.isEmpty { throw ConfigError(problems) }
        return values
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && CharacterSet.letters.contains(first)) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && CharacterSet.alphanumerics.contains($0)) }
    }

    static func unescape(_ s: String) -> String {
        var out = ""
        var escaping = false
        for ch in s {
            if escaping {
                switch ch { case "n": out.append("\n"); case "t": out.append("\t"); default: out.append(ch) }
                escaping = false
            } else if ch == "\\" {
                escaping = true
            } else {
                out.append(ch)
            }
        }
        return out
    }
}

/// `${NAME}` and `${NAME:-default}` in config strings.
public enum Interpolation {
    public enum Failure: Error, Equatable {
        case unset(String)
        case malformed(String)
    }

    /// Replaces every reference; `$$` stands for a literal `$`.
    public static func expand(_ text: String, in environment: Environment) -> Result<String, Failure> {
        guard text.contains("$") else { return .success(text) }
        var out = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.hasPrefix("$") {
                out += "$"
                rest = after.dropFirst()
                continue
            }
            guard after.hasPrefix("{") else {
                out += "$"
                rest = after
                continue
            }
            guard let close = after.firstIndex(of: "}") else { return .failure(.malformed("'${' without a closing '}'")) }
            let inner = after[after.index(after: after.startIndex)..<close]
            let name: Substring
            var fallback: Substring?
            if let sep = inner.range(of: ":-") {
                name = inner[..<sep.lowerBound]
                fallback = inner[sep.upperBound...]
            } else {
                name = inner
            }
            guard DotEnv.isValidName(String(name)) else { return .failure(.malformed("'${\(inner)}' does not name a variable")) }
            if let value = environment[String(name)], !value.isEmpty || fallback == nil {
                out += value
            } else if let fallback {
                out += fallback
            } else {
                return .failure(.unset(String(name)))
            }
            rest = after[after.index(after: close)...]
        }
        out += rest
        return .success(out)
    }
}
