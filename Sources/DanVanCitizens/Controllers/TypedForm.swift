import DanVanCore
import DanVanText
import Foundation
import Vapor

extension Request {
    /// The posted form as typed, NFC, one value per name (kept to fill the form again).
    func typedForm() -> [String: String] {
        var typed: [String: String] = [:]
        for (name, value) in formPairs() { typed[name] = VietnameseText.nfc(value) }
        return typed
    }
}
