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
