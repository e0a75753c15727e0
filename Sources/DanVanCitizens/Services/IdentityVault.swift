import DanVanCore
import DanVanText
import Foundation
import Vapor

/// A denouncer's identity (Luật Tố cáo Art. 56): what is sealed, never stored in the clear.
public struct DenouncerIdentity: Codable, Sendable, Equatable {
    public var name: String
    public var address: String
    public var contact: String
    /// The scanned letter, itself sealed in the file store (handwriting identifies).
    public var letter: SealedFile?

    public struct SealedFile: Codable, Sendable, Equatable {
        public var storageKey: String
        public var sha256: String
        public var filename: String
        public var contentType: String
        public var size: Int
    }

    public init(name: String, address: String, contact: String, letter: SealedFile? = nil) {
        self.name = name
        self.address = address
        self.contact = contact
        self.letter = letter
    }

    public var isEmpty: Bool { name.isEmpty && address.isEmpty && contact.isEmpty && letter == nil }
}

/// Seals and opens identities with AES-GCM under a key that lives only in configuration
/// (derived from the server's secret: `DANVAN_SECRET_KEY` or the 0600 key file), so a copy
/// of the database — a dump, a backup — holds ciphertext only.
public struct IdentityVault: Sendable {
    let key: SymmetricKey
    /// Names the key, so a rotation can tell old rows from new ones.
    public let keyID: String

    /// A vault with `key`.
    public init(key: SymmetricKey, keyID: String = "s1") {
        self.key = key
        self.keyID = keyID
    }

    /// The app's vault.
    public static func of(_ app: Application) -> IdentityVault {
        IdentityVault(key: app.config.key(for: "citizens.identity"))
    }

    /// Nonce, ciphertext and tag as base64, bound to the submission it belongs to.
    public func seal(_ identity: DenouncerIdentity, petitionID: UUID) throws -> String {
        let plain = try JSONEncoder().encode(identity)
        let box = try AES.GCM.seal(plain, using: key, authenticating: Data(petitionID.uuidString.utf8))
        guard let combined = box.combined else { throw AppError.unavailable }
        return combined.base64EncodedString()
    }

    /// Opens a sealed identity; a wrong key, another submission's row or a changed byte fail.
    public func open(_ sealed: String, petitionID: UUID) throws -> DenouncerIdentity {
        guard let data = Data(base64Encoded: sealed) else { throw AppError.unavailable }
        let box = try AES.GCM.SealedBox(combined: data)
        let plain = try AES.GCM.open(box, using: key, authenticating: Data(petitionID.uuidString.utf8))
        return try JSONDecoder().decode(DenouncerIdentity.self, from: plain)
    }

    /// Seals file bytes (the scanned letter).
    public func sealFile(_ data: Data) throws -> Data {
        guard let combined = try AES.GCM.seal(data, using: key).combined else { throw AppError.unavailable }
        return combined
    }

    /// Opens sealed file bytes.
    public func openFile(_ data: Data) throws -> Data {
        try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: key)
    }
}

/// Tracking codes, sender keys and text likeness: plain functions.
public enum PetitionText {
    /// Letters and digits that cannot be misread (no 0/O, 1/I/L, U).
    static let alphabet = Array("ABCDEFGHJKMNPQRSTVWXYZ23456789")

    /// A new tracking code: 12 symbols from a 30-letter alphabet (about 59 bits), shown in
    /// groups of four — not guessable, and wrong guesses are rate-limited.
    public static func newCode() -> String {
        var generator = SystemRandomNumberGenerator()
        let symbols = (0..<12).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] }
        return stride(from: 0, to: 12, by: 4).map { String(symbols[$0..<$0 + 4]) }.joined(separator: "-")
    }

    /// A typed code as compared: upper case, without spaces, dashes or dots; a symbol outside
    /// the alphabet becomes "?", so it can match nothing.
    public static func normalizedCode(_ typed: String) -> String {
        String(typed.uppercased().prefix(64).compactMap { character -> Character? in
            switch character {
            case "-", " ", "\t", ".": nil
            default: alphabet.contains(character) ? character : "?"
            }
        })
    }

    /// The key the code is looked up by: an HMAC under the server's key, so the table holds no code.
    public static func codeHash(_ code: String, key: SymmetricKey) -> String {
        let normalized = normalizedCode(code)
        return Hex.string(Array(HMAC<SHA256>.authenticationCode(for: Array(normalized.utf8), using: key)))
    }

    /// A keyed hash of the folded name (and contact digits), so a repeat sender is found
    /// without storing the name of a denouncer in the clear. Empty for an empty name.
    public static func senderKey(name: String, key: SymmetricKey) -> String {
        let folded = VietnameseText.fold(name).split(whereSeparator: { !$0.isLetter }).joined(separator: " ")
        guard !folded.isEmpty else { return "" }
        return String(Hex.string(Array(HMAC<SHA256>.authenticationCode(for: Array(folded.utf8), using: key))).prefix(32))
    }

    /// Words of a text for likeness: folded, without the shortest function words.
    public static func words(_ text: String) -> Set<String> {
        Set(VietnameseText.fold(text).split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init).filter { $0.count > 1 && !stopWords.contains($0) })
    }

    /// Words that say nothing about the matter.
    static let stopWords: Set<String> = ["va", "cua", "cho", "cac", "nhung", "la", "co", "khong", "duoc", "da", "tai", "voi", "ve", "de", "mot", "trong", "nay", "theo", "nguoi", "dan", "don"]

    /// Likeness of two word sets, 0…1 (Dice's coefficient).
    public static func likeness(_ a: Set<String>, _ b: Set<String>) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        return 2 * Double(a.intersection(b).count) / Double(a.count + b.count)
    }
}
