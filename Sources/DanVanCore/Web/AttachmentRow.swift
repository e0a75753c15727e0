import Foundation

/// A stored file as every attachment list shows it (`partials/attachment.leaf`): its name
/// linked to its download, its size, who added it and when.
public struct AttachmentRow: Encodable, Sendable {
    let id: String
    let filename: String
    let size: String
    let uploadedBy: String
    let at: String
    let href: String

    /// A row for a file of `bytes` bytes, downloaded from `href`.
    public init(id: UUID?, filename: String, bytes: Int, uploadedBy: String, at: Date, href: String) {
        self.id = id?.uuidString ?? ""
        self.filename = filename
        self.size = VNFormat.fileSize(bytes)
        self.uploadedBy = uploadedBy
        self.at = VNFormat.dateTime(at)
        self.href = href
    }
}
