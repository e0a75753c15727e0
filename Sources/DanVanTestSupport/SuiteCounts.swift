import Foundation

/// What a generated suite tried (routes × roles, payloads, posts), printed and, when
/// `DANVAN_SUITE_COUNTS` names a file, appended to it: `scripts/test` sets it and prints every
/// suite's counts together at the end of the run (issue 16: the counts in one place).
public enum SuiteCounts {
    private static let lock = NSLock()

    /// Records one line, `suite: what`, tagged with the database the run used.
    public static func record(_ suite: String, _ what: String) {
        let database = ProcessInfo.processInfo.environment["DATABASE_URL"] == nil ? "SQLite" : "PostgreSQL"
        let line = "\(suite) [\(database)]: \(what)\n"
        print(line, terminator: "")
        guard let path = ProcessInfo.processInfo.environment["DANVAN_SUITE_COUNTS"], !path.isEmpty else { return }
        lock.withLock {
            if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
            guard let handle = FileHandle(forWritingAtPath: path) else { return }
            defer { try? handle.close() }
            _ = try? handle.seekToEnd()
            try? handle.write(contentsOf: Data(line.utf8))
        }
    }
}
