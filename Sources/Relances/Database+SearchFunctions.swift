import CSQLite
import Foundation

extension Database {
    /// Registers `cle_nom(text)` and `cle_telephone(text)` (``SearchKey``) on a
    /// connection, so a search compares names without accents and numbers by their
    /// digits in SQL, without a copy of the directory kept in step.
    static func registerSearchFunctions(_ handle: OpaquePointer) {
        let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC
        sqlite3_create_function_v2(handle, "cle_nom", 1, flags, nil, { context, count, values in
            searchKeyResult(context, count, values, SearchKey.name)
        }, nil, nil, nil)
        sqlite3_create_function_v2(handle, "cle_telephone", 1, flags, nil, { context, count, values in
            searchKeyResult(context, count, values, SearchKey.phone)
        }, nil, nil, nil)
    }
}

/// The key of the function's one argument as its result; NULL for NULL.
private func searchKeyResult(_ context: OpaquePointer?, _ count: Int32, _ values: UnsafeMutablePointer<OpaquePointer?>?,
                             _ key: (String) -> String) {
    guard count == 1, let value = values?[0], sqlite3_value_type(value) != SQLITE_NULL, let text = sqlite3_value_text(value) else {
        sqlite3_result_null(context)
        return
    }
    let result = key(String(cString: text))
    result.withCString { csqlite_result_text(context, $0, Int32(result.utf8.count)) }
}
