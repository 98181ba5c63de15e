/// One problem in a configuration file: where it is, and what to do about it.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    /// The file, as the operator named it.
    public var file: String
    /// The JSON path (`channels.ventis.sender`, `routes.sms.fallback[0]`), or the variable.
    public var path: String
    /// What is wrong and, where there are any, the valid choices.
    public var message: String

    public init(file: String, path: String, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    /// (A URL quoted in the message, such as a refused setting, has its credentials masked.)
    public var description: String { Masking.url(path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)") }
}

/// Every problem found in a configuration: start-up stops and prints them all, so the
/// operator fixes the file in one go. Never contains a secret's value.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public init(_ problems: [ConfigProblem]) { self.problems = problems }
    public init(file: String, path: String, _ message: String) {
        self.problems = [ConfigProblem(file: file, path: path, message: message)]
    }

    public var description: String {
        problems.count == 1
            ? problems[0].description
            : "\(problems.count) problems:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
