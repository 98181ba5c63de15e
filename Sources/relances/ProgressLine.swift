import Foundation
import Gateway
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Redraws a batch's progress on one terminal line a few times a second, from a task
/// (no thread of its own: it only sleeps and writes a line); prints nothing when
/// standard error is not a terminal (logs, CI).
final class ProgressLine: Sendable {
    private struct State {
        var redraw: Task<Void, Never>?
        var finished = false
    }

    private let progress: BatchProgress
    private let label: String
    /// Drawing happens under this lock, so the last line drawn is `finish()`'s.
    private let state = Mutex(State())

    init(_ progress: BatchProgress, label: String) {
        self.progress = progress
        self.label = label
    }

    func start() {
        guard isatty(STDERR_FILENO) == 1 else { return }
        let redraw = Task { [self] in
            while !Task.isCancelled {
                let drawn = state.withLock { s -> Bool in
                    if s.finished { return false }
                    draw()
                    return true
                }
                if !drawn { return }
                try? await Task.sleep(nanoseconds: 250_000_000)
            }
        }
        state.withLock { $0.redraw = redraw }
    }

    /// Stops redrawing and leaves the final figures on the line.
    func finish() {
        state.withLock { s in
            s.finished = true
            guard let redraw = s.redraw else { return }
            redraw.cancel()
            draw()
            FileHandle.standardError.write(Data("\n".utf8))
        }
    }

    private func draw() {
        FileHandle.standardError.write(Data("\r\u{1B}[K\(label) \(progress.snapshot.line)".utf8))
    }
}
