import Foundation
import Synchronization

/// A one-line progress indicator on standard error for long searches: shown only when standard
/// error is a terminal and the work has run for more than half a second, redrawn at most ten
/// times a second, and erased when the work ends, so piped and captured output never sees it.
final class ProgressLine: Sendable {
    let isActive = isatty(2) == 1
    let start = Date()
    let lastDraw = Mutex<Date?>(nil)

    func update(done: Int, total: Int) {
        guard isActive else { return }
        let now = Date()
        guard now.timeIntervalSince(start) > 0.5 else { return }
        let draw = lastDraw.withLock { last -> Bool in
            if let last, now.timeIntervalSince(last) < 0.1, done < total { return false }
            last = now
            return true
        }
        guard draw else { return }
        FileHandle.standardError.write(Data("\rsearching plans: \(done) of \(total)".utf8))
    }

    func finish() {
        guard isActive, lastDraw.withLock({ $0 != nil }) else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
