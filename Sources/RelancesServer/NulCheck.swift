import Foundation

/// Finds a NUL character (`\u0000`) in a JSON body's strings, keys included. SQLite
/// and the channels cut a text at its first NUL, so a message or a name holding one
/// would be stored or sent silently shortened: it is refused instead, naming the field.
enum NulCheck {
    /// The path of the first string holding a NUL (`contribuables[2].message`), nil if none.
    static func field(in data: Data) -> String? {
        let body = [UInt8](data)
        // A NUL can only be written `\u0000` in JSON: no parse unless that text is there.
        guard body.count >= 6, contains(body, Array(#"\u0000"#.utf8)),
              let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        return search(value, path: "")
    }

    private static func search(_ value: Any, path: String) -> String? {
        switch value {
        case let text as String:
            return text.unicodeScalars.contains("\u{0}") ? (path.isEmpty ? "corps" : path) : nil
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                let here = path.isEmpty ? key : "\(path).\(key)"
                if key.unicodeScalars.contains("\u{0}") { return here }
                if let found = search(object[key]!, path: here) { return found }
            }
            return nil
        case let array as [Any]:
            for (i, item) in array.enumerated() {
                if let found = search(item, path: "\(path)[\(i)]") { return found }
            }
            return nil
        default:
            return nil
        }
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<start + needle.count]) == needle { return true }
        }
        return false
    }
}
