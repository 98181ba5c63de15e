import Foundation

/// The fenced blocks of a Markdown file, and the command lines of its ```sh blocks, as
/// `ReadmeExamplesTests` runs them. The conventions (the README's promise that its
/// examples work):
/// - ```sh: command lines, run in order (a `\` at a line's end continues it; `#` starts
///   a comment); ```text right after one: what its commands print; ```json right after
///   one: the shape of what its last command answers; any other ```json: a routing
///   config; ```csv NAME: a file the commands read; ```dotenv: variables; ```crontab:
///   a crontab line whose command is run. A command must exit with 0, or with the
///   status its comment gives (`# exit status 1 when …`).
struct ReadmeExamples {
    struct Block {
        var language: String
        /// The words after the language (```csv contribuables.csv).
        var info: [String]
        /// The line of the opening fence, from 1.
        var line: Int
        var text: String
    }

    struct CommandLine {
        var line: Int
        var text: String
        /// 0, unless its comment says `exit status N` (a send some of whose relances fail).
        var expectedStatus: Int32 = 0
        var program: String { String(text.split(separator: " ").first ?? "") }
    }

    let file: String
    let blocks: [Block]

    init(file: String, markdown: String) {
        self.file = file
        var blocks: [Block] = []
        var open: Block?
        var body: [Substring] = []
        for (index, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("```") {
                if var block = open {
                    block.text = body.joined(separator: "\n")
                    blocks.append(block)
                    open = nil
                } else {
                    let words = line.dropFirst(3).split(separator: " ").map(String.init)
                    open = Block(language: words.first ?? "", info: Array(words.dropFirst()), line: index + 1, text: "")
                    body = []
                }
            } else if open != nil {
                body.append(line)
            }
        }
        self.blocks = blocks
    }

    /// The block before `block` in the file, if any.
    func previous(_ block: Block) -> Block? {
        guard let i = blocks.firstIndex(where: { $0.line == block.line }), i > 0 else { return nil }
        return blocks[i - 1]
    }

    /// A ```sh block's command lines: continuations joined, comments and blank lines dropped.
    static func commands(_ block: Block) -> [CommandLine] {
        var commands: [CommandLine] = []
        var pending = ""
        var start = 0
        for (offset, raw) in block.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw)
            if pending.isEmpty { start = block.line + 1 + offset }
            let continued = line.hasSuffix("\\")
            if continued { line.removeLast() }
            pending += (pending.isEmpty ? "" : " ") + line.trimmingCharacters(in: .whitespaces)
            if continued { continue }
            let command = stripComment(pending)
            let comment = pending.dropFirst(command.count)
            let status = comment.firstMatch(of: /exit status (\d+)/).flatMap { Int32($0.1) } ?? 0
            if !command.isEmpty { commands.append(CommandLine(line: start, text: command, expectedStatus: status)) }
            pending = ""
        }
        return commands
    }

    /// The line without a `#` comment that is outside quotes and starts a word.
    static func stripComment(_ line: String) -> String {
        var quote: Character?
        var previous: Character = " "
        for (i, c) in zip(line.indices, line) {
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "#" && previous.isWhitespace {
                return String(line[..<i]).trimmingCharacters(in: .whitespaces)
            }
            previous = c
        }
        return line.trimmingCharacters(in: .whitespaces)
    }

    /// Whether a README line of output is in `output`: each line is matched whole (spaces
    /// at the ends aside), `…` standing for any text and a number for any number, since
    /// ports, times and counts move from run to run while the words must not.
    static func shows(_ expected: String, in output: String) -> Bool {
        let wanted = expected.trimmingCharacters(in: .whitespaces)
        guard !wanted.isEmpty else { return true }
        var pattern = "^"
        var digits = false
        for c in wanted {
            if c.isASCII && c.isNumber {
                if !digits { pattern += "[0-9]+" }
                digits = true
                continue
            }
            digits = false
            pattern += c == "…" ? ".*" : NSRegularExpression.escapedPattern(for: String(c))
        }
        pattern += "$"
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
        return output.split(separator: "\n").contains { line in
            let text = line.trimmingCharacters(in: .whitespaces)
            return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
    }

    /// Where the shapes of two JSON values differ (nil when they agree): the same keys in
    /// every object, the same type for every value (null goes with anything), arrays
    /// compared by their first elements.
    static func shapeDifference(_ documented: Any, _ answered: Any, at path: String = "$") -> String? {
        if documented is NSNull || answered is NSNull { return nil }
        switch (documented, answered) {
        case let (d as [String: Any], a as [String: Any]):
            let missing = Set(a.keys).subtracting(d.keys).sorted(), extra = Set(d.keys).subtracting(a.keys).sorted()
            if !missing.isEmpty || !extra.isEmpty {
                return "\(path): the API answers \(missing) that the README does not show, the README shows \(extra) that the API does not answer"
            }
            for key in d.keys.sorted() {
                if let difference = shapeDifference(d[key]!, a[key]!, at: path + "." + key) { return difference }
            }
            return nil
        case let (d as [Any], a as [Any]):
            guard let first = d.first, let other = a.first else { return nil }
            return shapeDifference(first, other, at: path + "[0]")
        case (is String, is String): return nil
        case (is NSNumber, is NSNumber), (is Bool, is Bool): return nil
        default:
            return "\(path): the README shows \(type(of: documented)), the API answers \(type(of: answered))"
        }
    }
}
