import Foundation
import ZIPFoundation

/// Opens an uploaded zip (.docx, .xlsx) for reading. ZIPFoundation's in-memory archive traps
/// when a damaged file makes it seek past the end of the data (a `Range` with its bounds the
/// wrong way round — found by `scripts/fuzz` with a mangled .docx), which would stop the whole
/// server. Read from a file, the same seek just reads nothing and the archive is refused as
/// broken. The file is unlinked at once: the open archive keeps reading it, nothing is left.
public enum ZipReading {
    /// An archive over a private temporary copy of `data`.
    public static func archive(_ data: Data) throws -> Archive {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("danvan-zip-\(UUID().uuidString)")
        try data.write(to: url, options: .atomic)
        defer { try? FileManager.default.removeItem(at: url) }
        return try Archive(url: url, accessMode: .read)
    }
}
