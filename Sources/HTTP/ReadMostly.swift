import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A value read by many threads at once and rarely written, behind a POSIX
/// reader-writer lock (readers never wait for each other). `@unchecked Sendable`:
/// `value` is only reached inside `read` (under the read lock) or `write` (under the
/// write lock).
final class ReadMostly<Value>: @unchecked Sendable {
    private var value: Value
    private var lock = pthread_rwlock_t()

    init(_ value: Value) {
        self.value = value
        pthread_rwlock_init(&lock, nil)
    }

    deinit { pthread_rwlock_destroy(&lock) }

    func read<T>(_ body: (Value) -> T) -> T {
        pthread_rwlock_rdlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        return body(value)
    }

    func write<T>(_ body: (inout Value) -> T) -> T {
        pthread_rwlock_wrlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        return body(&value)
    }
}
