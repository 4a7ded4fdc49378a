public import Foundation

/// One temporary folder for the whole test run, removed when the process exits, so that the files
/// tests write for the code under test to read leave nothing behind.
public enum Scratch {
    public static let root: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "parity-tests-\(ProcessInfo.processInfo.processIdentifier)"
        )
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: Scratch.root) }
        return url
    }()

    /// A fresh, empty folder inside the run's folder.
    public static func folder() throws -> URL {
        let url = root.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
