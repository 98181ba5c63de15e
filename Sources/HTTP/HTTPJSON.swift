import Foundation

extension HTTPResponse {
    /// A JSON answer from an `Encodable` value.
    public static func json<T: Encodable>(_ value: T, status: Int = 200, encoder: JSONEncoder = HTTPJSON.encoder) -> HTTPResponse {
        do {
            return .json(data: try encoder.encode(value), status: status)
        } catch {
            return .error(status: 500, detail: "Internal Server Error")
        }
    }

    /// `{"detail": "…"}`, the error shape of the office's existing backend.
    public static func error(status: Int, detail: String) -> HTTPResponse {
        json(["detail": detail], status: status)
    }
}

/// Why a body could not be read as the expected JSON: which field, and why.
public struct JSONBodyError: Error, Sendable, CustomStringConvertible {
    /// The path of the field (`contribuables[2].montant_due`), empty for the whole body.
    public var field: String
    public var reason: String
    public var description: String { field.isEmpty ? reason : "\(field): \(reason)" }
}

extension HTTPRequest {
    /// Decodes the body as JSON, with an error naming the field that is wrong.
    public func decodeJSON<T: Decodable>(_ type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws(JSONBodyError) -> T {
        guard !body.isEmpty else { throw JSONBodyError(field: "", reason: "corps de requête vide (JSON attendu)") }
        do {
            return try decoder.decode(T.self, from: body)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty, let numbers = HTTPJSON.nonIntegers(in: body) {
                // Foundation says "not valid JSON", without a path, for a number that
                // fits no integer (1.5, 2^63): say which fields hold such numbers.
                throw JSONBodyError(field: "", reason: "nombre entier attendu (sans décimale, sur 64 bits) pour "
                                    + (numbers.count == 1 ? numbers[0] : "l'un de : " + numbers.joined(separator: ", ")))
            }
            throw HTTPJSON.describe(error)
        } catch {
            throw JSONBodyError(field: "", reason: "JSON invalide")
        }
    }
}

public enum HTTPJSON {
    public static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        return e
    }()

    public static func describe(_ error: DecodingError) -> JSONBodyError {
        func path(_ keys: [CodingKey]) -> String {
            var out = ""
            for key in keys {
                if let i = key.intValue { out += "[\(i)]" } else { out += out.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
            return out
        }
        switch error {
        case .keyNotFound(let key, let context):
            return JSONBodyError(field: path(context.codingPath + [key]), reason: "champ requis manquant")
        case .typeMismatch(let type, let context):
            return JSONBodyError(field: path(context.codingPath), reason: "type invalide (\(typeName(type)) attendu)")
        case .valueNotFound(let type, let context):
            return JSONBodyError(field: path(context.codingPath), reason: "valeur nulle (\(typeName(type)) attendu)")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return JSONBodyError(field: "", reason: "JSON invalide") }
            return JSONBodyError(field: path(context.codingPath), reason: context.debugDescription)
        @unknown default:
            return JSONBodyError(field: "", reason: "JSON invalide")
        }
    }

    /// The paths of the numbers in a valid JSON `body` that are not 64-bit integers;
    /// nil when the body is not valid JSON or has none.
    static func nonIntegers(in body: Data) -> [String]? {
        guard let value = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else { return nil }
        var found: [String] = []
        func walk(_ value: Any, _ path: String) {
            if let object = value as? [String: Any] {
                for key in object.keys.sorted() { walk(object[key]!, path.isEmpty ? key : "\(path).\(key)") }
            } else if let array = value as? [Any] {
                for (i, item) in array.enumerated() { walk(item, "\(path)[\(i)]") }
            } else if let number = value as? NSNumber, !(value is Bool), !(value is String) {
                // A decimal, or a number read as a double that no integer holds exactly
                // (beyond 2^53 the text's digits are already lost).
                let type = String(cString: number.objCType)
                let d = number.doubleValue
                let bad = type == "d" || type == "f" ? d != d.rounded() || abs(d) >= 9_007_199_254_740_992
                                                     : NSNumber(value: number.int64Value) != number
                if bad { found.append(path.isEmpty ? "corps" : path) }
            }
        }
        walk(value, "")
        return found.isEmpty ? nil : found
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "chaîne"
        case is Int.Type, is Int64.Type: "entier"
        case is Double.Type: "nombre"
        case is Bool.Type: "booléen"
        default: "\(type)"
        }
    }
}
