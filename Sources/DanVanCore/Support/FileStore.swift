import DanVanText
import Foundation
import Vapor

/// Files kept outside the database: content-addressed by SHA-256 under a folder
/// (`DANVAN_FILES`, default `./data/files`), with a size limit and an allow-list of types
/// checked by extension and by the file's first bytes.
public struct FileStore: Sendable {
    /// Where files live.
    public let root: String
    /// Largest file accepted, in bytes.
    public let maximumBytes: Int

    /// A stored file.
    public struct Stored: Sendable, Equatable {
        public let sha256: String
        public let size: Int
        public let contentType: String
        public let key: String
    }

    /// Why a file was refused, in Vietnamese.
    public struct Refusal: Error, Sendable, Equatable {
        public let message: String
    }

    /// Types officials exchange, by extension, with a check of the first bytes where the
    /// format has a signature.
    static let allowed: [String: (type: String, magic: [UInt8]?)] = [
        "pdf": ("application/pdf", Array("%PDF".utf8)),
        "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", [0x50, 0x4B, 0x03, 0x04]),
        "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", [0x50, 0x4B, 0x03, 0x04]),
        "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", [0x50, 0x4B, 0x03, 0x04]),
        "jpg": ("image/jpeg", [0xFF, 0xD8, 0xFF]),
        "jpeg": ("image/jpeg", [0xFF, 0xD8, 0xFF]),
        "png": ("image/png", [0x89, 0x50, 0x4E, 0x47]),
        "txt": ("text/plain; charset=utf-8", nil),
        "csv": ("text/csv; charset=utf-8", nil),
    ]

    /// The store of `app` (folder from `DANVAN_FILES` or `./data/files`).
    public init(root: String, maximumBytes: Int = 10 * 1024 * 1024) {
        self.root = root.hasSuffix("/") ? root : root + "/"
        self.maximumBytes = maximumBytes
    }

    /// Checks and stores `data` named `filename`; returns where and what.
    public func store(_ data: Data, filename: String) throws -> Stored {
        let type = try check(data, filename: filename)
        return try write(data, contentType: type)
    }

    /// Checks a file as `store` would (kind by extension and first bytes, size) without
    /// storing it; returns its content type.
    public func check(_ data: Data, filename: String) throws -> String {
        // A name is a name: no folder, no way up ("../../etc/passwd.txt"), nothing hidden.
        guard !filename.contains("/"), !filename.contains("\\"), !filename.contains(".."), !filename.hasPrefix("."),
              !filename.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw Refusal(message: L10n.format("core.ten_tep_khong_hop_le", [String(filename.prefix(80))]))
        }
        let ext = (filename as NSString).pathExtension.lowercased()
        guard let rule = Self.allowed[ext] else {
            throw Refusal(message: L10n.format("core.loai_tep_khong_duoc_nhan_chi", ["\(ext.isEmpty ? "?" : ext)"]))
        }
        guard !data.isEmpty else { throw Refusal(message: L10n.format("core.tep_rong", ["\(filename)"])) }
        guard data.count <= maximumBytes else {
            throw Refusal(message: L10n.format("core.tep_qua_lon_mb_toi_da", ["\(filename)", "\(data.count / 1_048_576)", "\(maximumBytes / 1_048_576)"]))
        }
        if let magic = rule.magic, !data.starts(with: magic) {
            throw Refusal(message: L10n.format("core.noi_dung_tep_khong_dung_dinh", ["\(filename)", "\(ext)"]))
        }
        return rule.type
    }

    /// Stores bytes sealed by the caller (an encrypted file: its plaintext was `check`ed first).
    public func storeSealed(_ data: Data) throws -> Stored {
        try write(data, contentType: "application/octet-stream")
    }

    private func write(_ data: Data, contentType: String) throws -> Stored {
        let sha = Hex.string(SHA256.hash(data: data))
        let key = "\(sha.prefix(2))/\(sha.dropFirst(2).prefix(2))/\(sha)"
        let path = root + key
        if !FileManager.default.fileExists(atPath: path) {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let temporary = path + ".tmp-" + UUID().uuidString
            try data.write(to: URL(fileURLWithPath: temporary), options: .atomic)
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        }
        return Stored(sha256: sha, size: data.count, contentType: contentType, key: key)
    }

    /// The bytes stored under `key`, verified against their checksum.
    public func read(_ key: String, sha256: String) throws -> Data {
        guard !key.contains(".."), let data = FileManager.default.contents(atPath: root + key) else {
            throw Refusal(message: L10n.text("core.khong_tim_thay_tep_da_luu"))
        }
        let actual = Hex.string(SHA256.hash(data: data))
        guard actual == sha256 else { throw Refusal(message: L10n.text("core.tep_da_luu_bi_hong_sai")) }
        return data
    }
}

extension Application {
    private struct FileStoreKey: StorageKey { typealias Value = FileStore }

    /// The app's file store.
    public var files: FileStore {
        get { storage[FileStoreKey.self] ?? FileStore(root: directory.workingDirectory + "data/files") }
        set { storage[FileStoreKey.self] = newValue }
    }
}

extension Request {
    /// Stores the files of a multipart form (names cleaned; empty file fields skipped); throws
    /// the first `FileStore.Refusal` so the form can be shown again with its message.
    public func storeUploads(_ files: [File]) throws -> [(filename: String, stored: FileStore.Stored)] {
        var stored: [(filename: String, stored: FileStore.Stored)] = []
        for file in files where file.data.readableBytes > 0 || !file.filename.isEmpty {
            let name = VietnameseText.clean(file.filename)
            stored.append((name, try application.files.store(Data(buffer: file.data), filename: name)))
        }
        return stored
    }

    /// A stored file as a download (checksum verified; 404 when missing or corrupted, so a
    /// damaged copy is never served).
    public func download(key: String, sha256: String, filename: String, contentType: String) throws -> Response {
        let data: Data
        do { data = try application.files.read(key, sha256: sha256) } catch { throw AppError.notFound }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: contentType)
        headers.contentDisposition = .init(.attachment, filename: filename)
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
}
