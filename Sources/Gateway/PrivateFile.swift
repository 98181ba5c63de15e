import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files and folders that hold taxpayers' personal data (the database, the letters,
/// the e-mail spool, the ledger export) are created private to their owner: 0600
/// files, 0700 folders, set explicitly so that a permissive umask changes nothing.
/// An existing file or folder keeps the permissions its owner gave it.
public enum PrivateFile {
    /// Opens `path` with `flags` (`O_WRONLY | O_APPEND`, …), creating it 0600 if it is
    /// missing. Answers the descriptor, or -1 with `errno` set.
    public static func open(_ path: String, _ flags: Int32) -> Int32 {
        let fd = Glibc.open(path, flags | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 {
            fchmod(fd, 0o600)
            return fd
        }
        guard errno == EEXIST, flags & O_EXCL == 0 else { return -1 }
        return Glibc.open(path, flags | O_CLOEXEC)
    }

    /// Creates `path` empty and private if it does not exist (SQLite then opens it as a
    /// new database, and gives its WAL and shared-memory files the same permissions).
    public static func touch(_ path: String) throws(PrivateFileError) {
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { throw PrivateFileError(path: path, reason: String(cString: strerror(errno))) }
        close(fd)
    }

    /// Creates `path` and its missing parents, each new one 0700.
    public static func createDirectory(_ path: String) throws(PrivateFileError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            if isFolder.boolValue { return }
            throw PrivateFileError(path: path, reason: "c'est un fichier, pas un dossier")
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try createDirectory(parent) }
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
            throw PrivateFileError(path: path, reason: String(cString: strerror(errno)))
        }
        chmod(path, 0o700)
    }

    /// Writes all of `data` to `fd` (again after an interrupted write), then flushes it to
    /// the disk; false, with `errno` saying why, when either fails.
    public static func writeAll(_ data: Data, to fd: Int32) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 { if errno == EINTR { continue }; return false }
                done += n
            }
            return fsync(fd) == 0
        }
    }

    /// Writes `data` to `path` whole or not at all (a hidden temporary file beside it,
    /// `.<name>.<pid>.part`, flushed and renamed over it), private.
    public static func write(_ data: Data, to path: String) throws(PrivateFileError) {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).part").path
        let fd = open(temporary, O_WRONLY | O_TRUNC)
        guard fd >= 0 else { throw PrivateFileError(path: path, reason: String(cString: strerror(errno))) }
        let ok = writeAll(data, to: fd)
        let why = String(cString: strerror(errno))
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            let reason = ok ? String(cString: strerror(errno)) : why
            unlink(temporary)
            throw PrivateFileError(path: path, reason: reason)
        }
    }
}

public struct PrivateFileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path) : \(reason)" }
}
