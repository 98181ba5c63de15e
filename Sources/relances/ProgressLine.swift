import Foundation
import Gateway
#if canImport(Glibc)
import Glibc
#endif

/// Redraws a batch's progress on one terminal line a few times a second, on a thread
/// of its own; prints nothing when standard error is not a terminal (logs, CI).
final class ProgressLine: @unchecked Sendable {
    private let progress: BatchProgress
    private let label: String
    private let stopped = NSCondition()
    private var finished = false
    private var thread: Thread?

    init(_ progress: BatchProgress, label: String) {
        self.progress = progress
        self.label = label
    }

    func start() {
        guard isatty(STDERR_FILENO) == 1 else { return }
        let thread = Thread { [self] in
            stopped.lock()
            while !finished {
                draw()
                _ = stopped.wait(until: Date().addingTimeInterval(0.25))
            }
            stopped.unlock()
        }
        self.thread = thread
        thread.start()
    }

    /// Stops redrawing and leaves the final figures on the line.
    func finish() {
        stopped.lock()
        finished = true
        stopped.signal()
        stopped.unlock()
        if thread != nil {
            draw()
            FileHandle.standardError.write(Data("\n".utf8))
        }
    }

    private func draw() {
        FileHandle.standardError.write(Data("\r\u{1B}[K\(label) \(progress.snapshot.line)".utf8))
    }
}
