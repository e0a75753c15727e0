import DanVanCore
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor

@Suite("Core support: JSON reader, hex, time-ordered ids, public files")
struct SupportTests {
    @Test("the JSON reader reads documents as JSONSerialization does and refuses what is not JSON")
    func jsonReader() throws {
        let text = #"{"answers": {"17": [0, 2], "3": []}, "prediction": 1234, "name": "Đặng \"Văn\" \u0110\ud83d\ude00", "ok": true, "none": null, "x": -1.5e3}"#
        let value = try JSON.parse(Array(text.utf8))
        #expect(value["answers"] == .object(["17": .array([.number(0), .number(2)]), "3": .array([])]))
        #expect(value["prediction"]?.integer == 1234)
        #expect(value["name"] == .string("Đặng \"Văn\" Đ😀"))
        #expect(value["ok"] == .bool(true) && value["none"] == .null && value["x"] == .number(-1500))
        #expect(value["x"]?.integer == -1500 && JSON.number(1.5).integer == nil)
        #expect(try JSON.parse(Array(" [ ] ".utf8)) == .array([]))
        for bad in ["", "{", "{\"a\" 1}", "{\"a\":1,}", "[1 2]", "01", "1.", "-", "\"abc", "\"a\u{01}b\"", "tru", "{} x", "\"\\x\"", "\"\\ud83d\"", "[1e]", "{\"a\":}"] {
            #expect(throws: JSON.SyntaxError.self, "\(bad)") { try JSON.parse(Array(bad.utf8)) }
        }
        // Invalid UTF-8 inside a string is refused, not repaired.
        #expect(throws: JSON.SyntaxError.self) { try JSON.parse([0x22, 0xC3, 0x28, 0x22]) }
        // Deep nesting is refused instead of exhausting the stack.
        #expect(throws: JSON.SyntaxError.self) { try JSON.parse(Array((String(repeating: "[", count: 100) + String(repeating: "]", count: 100)).utf8)) }
        #expect(try JSON.parse(Array((String(repeating: "[", count: 10) + String(repeating: "]", count: 10)).utf8)) != .null)
        // The offset names where reading stopped.
        #expect(throws: JSON.SyntaxError(offset: 5)) { try JSON.parse(Array("[1, 2".utf8)) }
    }

    @Test("hex text of bytes, and token hashes keep their old form")
    func hex() {
        #expect(Hex.string([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(Hex.string([UInt8]()) == "")
        // SHA-256("abc"), as every earlier stored token hash was written.
        #expect(APIToken.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("time-ordered UUIDs: version 7, sorted by time, unique")
    func timeOrdered() {
        let earlier = UUID.timeOrdered(at: Date(timeIntervalSince1970: 1_795_000_000))
        let later = UUID.timeOrdered(at: Date(timeIntervalSince1970: 1_795_000_000.002))
        #expect(earlier.uuidString < later.uuidString)
        #expect(Array(earlier.uuidString)[14] == "7")
        #expect(["8", "9", "A", "B"].contains(Array(earlier.uuidString)[19]))
        // 1_795_000_000_000 ms = 0x01A1EE565E00.
        #expect(earlier.uuidString.hasPrefix("01A1EE56-5E00-7"))
        let many = (0..<1000).map { _ in UUID.timeOrdered() }
        #expect(Set(many).count == 1000)
    }

    @Test("only GET/HEAD of a file-like path outside the API is looked up on disk")
    func publicFiles() {
        #expect(PublicFilesMiddleware.mayBeFile(method: .GET, path: "/css/app.css"))
        #expect(PublicFilesMiddleware.mayBeFile(method: .HEAD, path: "/images/favicon.svg"))
        #expect(!PublicFilesMiddleware.mayBeFile(method: .POST, path: "/css/app.css"))
        #expect(!PublicFilesMiddleware.mayBeFile(method: .GET, path: "/tasks"))
        #expect(!PublicFilesMiddleware.mayBeFile(method: .GET, path: "/"))
        #expect(!PublicFilesMiddleware.mayBeFile(method: .GET, path: "/api/openapi.json"))
        #expect(!PublicFilesMiddleware.mayBeFile(method: .POST, path: "/api/v1/quiz/attempts/x/submission"))
    }

    @Test("the server's secret: made once in a 0600 key file outside the database, read back the same; the variable wins; short secrets are refused")
    func secretKey() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("danvan-key-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try AppConfig.loadSecretKey([:], workingDirectory: folder)
        let path = folder + "/data/secret.key"
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let again = try AppConfig.loadSecretKey([:], workingDirectory: folder)
        #expect(first == again)
        let fromVariable = try AppConfig.loadSecretKey(["DANVAN_SECRET_KEY": String(repeating: "k", count: 40)], workingDirectory: folder)
        #expect(fromVariable != first)
        #expect(throws: ConfigError.self) { try AppConfig.loadSecretKey(["DANVAN_SECRET_KEY": "short"], workingDirectory: folder) }
        var config = AppConfig(database: .sqliteMemory)
        config.secretKey = first
        #expect(config.key(for: "csrf") != config.key(for: "quiz-secret"), "one key per purpose")
    }

    @Test("the client address: a forwarded address is believed only from a trusted proxy, read from the right")
    func clientAddress() {
        let local: Set<String> = ["127.0.0.1", "::1"]
        // Straight from a client: its own address, whatever header it sends.
        #expect(ClientAddress.resolve(peer: "203.0.113.9", forwardedFor: ["1.2.3.4"], trusted: local) == "203.0.113.9")
        // Through the local proxy: the hop the proxy added (the right-most), not what the client wrote.
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["1.2.3.4", "198.51.100.7"], trusted: local) == "198.51.100.7")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["198.51.100.7"], trusted: local) == "198.51.100.7")
        // Two trusted proxies in a row are skipped.
        let chain: Set<String> = ["127.0.0.1", "10.0.0.5"]
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["1.2.3.4", "198.51.100.7", " 10.0.0.5 "], trusted: chain) == "198.51.100.7")
        // A trusted peer without the header is the client itself; no peer at all is unknown.
        #expect(ClientAddress.resolve(peer: "::1", forwardedFor: [], trusted: local) == "::1")
        #expect(ClientAddress.resolve(peer: nil, forwardedFor: ["1.2.3.4"], trusted: local) == "?")
        // Nobody trusted: the header is never read.
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["1.2.3.4"], trusted: []) == "127.0.0.1")
    }
}

@Suite("File store: what an upload may be")
struct FileStoreCheckTests {
    @Test("names with a folder, a way up, a leading dot or a control character are refused; a wrong type, an empty or an oversized file too; the rest is stored by its hash")
    func uploads() throws {
        let store = FileStore(root: FileManager.default.temporaryDirectory.appendingPathComponent("danvan-files-\(UUID().uuidString)").path, maximumBytes: 1_000)
        let text = Data("biên bản".utf8)
        for name in ["../../etc/passwd.txt", "a/b.txt", "..\\x.txt", ".hidden.txt", "x..txt", "bien\u{0}ban.txt", "C:\\bien-ban.txt"] {
            #expect(throws: FileStore.Refusal.self, "\(name)") { try store.check(text, filename: name) }
        }
        #expect(throws: FileStore.Refusal.self) { try store.check(Data("MZ".utf8), filename: "setup.exe") }
        #expect(throws: FileStore.Refusal.self) { try store.check(Data(), filename: "rong.txt") }
        #expect(throws: FileStore.Refusal.self) { try store.check(Data(repeating: 65, count: 1_001), filename: "lon.txt") }
        #expect(throws: FileStore.Refusal.self) { try store.check(Data("not a pdf".utf8), filename: "gia.pdf") }
        let stored = try store.store(text, filename: "Biên bản họp.txt")
        #expect(stored.key.hasSuffix(stored.sha256) && !stored.key.contains("Biên"))
        #expect(try store.read(stored.key, sha256: stored.sha256) == text)
    }
}

