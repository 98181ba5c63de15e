#if canImport(Glibc)
import Glibc
#endif

/// Which of `count` stripes the calling thread uses, for state split so threads on the
/// request path do not contend on one lock (the metrics' counters, the log's buffers).
/// The pthread id is mixed first: ids are aligned addresses, whose low bits are all zero.
public enum ThreadStripe {
    public static func index(of count: Int) -> Int {
        #if canImport(Glibc)
        let id = UInt64(UInt(pthread_self()))
        #else
        let id = UInt64(UInt(bitPattern: pthread_self()))
        #endif
        return Int((id &* 0x9E37_79B9_7F4A_7C15) >> 60) % count
    }
}
