import DanVanText
import Foundation
import Vapor

/// Table exports that open cleanly in Excel: `.xlsx`, or `.csv` with a BOM and CRLF.
public enum SpreadsheetFormat: String, Sendable {
    /// Office Open XML workbook.
    case xlsx
    /// Comma-separated values for Excel.
    case csv
}

extension Request {
    /// A download of `rows` (first row = header) named `<baseName>.<format>`.
    public func spreadsheet(_ rows: [[String]], format: SpreadsheetFormat, baseName: String, sheetName: String, widths: [Int] = []) throws -> Response {
        var headers = HTTPHeaders()
        headers.contentDisposition = .init(.attachment, filename: "\(baseName).\(format.rawValue)")
        switch format {
        case .xlsx:
            headers.contentType = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            return Response(status: .ok, headers: headers, body: .init(data: try XLSX.write(sheetName: sheetName, rows: rows, widths: widths)))
        case .csv:
            headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
            return Response(status: .ok, headers: headers, body: .init(string: CSV.write(rows)))
        }
    }
}

extension Request {
    /// The urlencoded body as name/value pairs in order, names repeated as sent (a group of
    /// checkboxes, fields named by id). Vapor's form decoder keeps one value per plain name.
    /// A multipart form gives its text fields (files left out) in name order.
    public func formPairs() -> [(name: String, value: String)] {
        if headers.contentType?.type == "multipart" {
            let fields = (try? content.decode(MultipartFields.self))?.values ?? [:]
            return fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        return (body.string ?? "").split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                .map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }
    }
}

extension Request {
    /// The posted form as typed, NFC, one value per name (kept to fill the form again).
    public func typedForm() -> [String: String] {
        var typed: [String: String] = [:]
        for (name, value) in formPairs() { typed[name] = VietnameseText.nfc(value) }
        return typed
    }

    /// The files of a multipart form's `files[]` field (none for a plain form).
    public func formFiles() -> [File] {
        struct Files: Decodable { var files: [File]? }
        guard headers.contentType?.type == "multipart" else { return [] }
        return (try? content.decode(Files.self))?.files ?? []
    }
}

/// The text fields of a multipart form, whatever their names.
private struct MultipartFields: Decodable {
    var values: [String: String]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        var values: [String: String] = [:]
        for key in container.allKeys {
            if let value = try? container.decode(String.self, forKey: key) { values[key.stringValue] = value }
        }
        self.values = values
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension Request {
    /// A download of a Word document named `<baseName>.docx`.
    public func wordDocument(_ data: Data, baseName: String) -> Response {
        var headers = HTTPHeaders()
        headers.contentDisposition = .init(.attachment, filename: "\(baseName).docx")
        headers.contentType = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.wordprocessingml.document")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
}
