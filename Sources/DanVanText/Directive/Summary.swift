import Foundation

extension DirectiveParse {
    /// A readable Vietnamese summary for the command line.
    public var summary: String {
        var lines: [String] = []
        lines.append("Tệp: \(file ?? "(không tên)")")
        lines.append("Loại văn bản: \(kind ?? "không rõ")" + (symbol.map { " · Số \($0)" } ?? "") + (date.map { " · ngày \(Self.vietnameseDate($0))" } ?? ""))
        if let title { lines.append("Trích yếu: \(title)") }
        if signer.name != nil || signer.title != nil {
            let behalf = signer.onBehalfOf.map { "T/M \($0) · " } ?? ""
            lines.append("Người ký: \(behalf)\(signer.title ?? "") \(signer.name ?? "")".trimmingCharacters(in: .whitespaces))
        }
        if !addressees.isEmpty { lines.append("Kính gửi: \(addressees.joined(separator: "; "))") }
        lines.append("Văn bản được dẫn (\(references.count)):")
        for reference in references {
            lines.append("  - \(reference.kind ?? "Văn bản") số \(reference.symbol)" + (reference.date.map { ", ngày \(Self.vietnameseDate($0))" } ?? ""))
        }
        if !namedLaws.isEmpty { lines.append("Luật được nêu tên: \(namedLaws.joined(separator: "; "))") }
        lines.append("Nhiệm vụ được giao (\(assignments.count)):")
        for (number, assignment) in assignments.enumerated() {
            var line = "  \(number + 1). [\(assignment.section ?? "—")] Chủ trì: \(assignment.lead)"
            if !assignment.coordinators.isEmpty { line += " · Phối hợp: \(assignment.coordinators.joined(separator: ", "))" }
            line += " · Thời hạn: \(assignment.due.map(Self.describe) ?? "không nêu")"
            lines.append(line)
            lines.append("     “\(assignment.quote)…”")
        }
        if !recipients.isEmpty { lines.append("Nơi nhận: \(recipients.count) nơi") }
        for warning in warnings { lines.append("Lưu ý: \(warning)") }
        return lines.joined(separator: "\n")
    }

    static func describe(_ due: Due) -> String {
        switch due.kind {
        case "quarter": return "quý \(due.quarter ?? 0)/\(due.year ?? 0)"
        case "year": return "năm \(due.year ?? 0)"
        case "date": return due.date.map { "ngày \(vietnameseDate($0))" } ?? "?"
        case "recurring":
            switch due.every {
            case "year": return "hằng năm"
            case "month": return "hằng tháng"
            case "quarter": return "hằng quý"
            case "6months": return "6 tháng một lần"
            case "6months+year": return "6 tháng và hằng năm"
            default: return "định kỳ"
            }
        default: return due.kind
        }
    }

    static func vietnameseDate(_ iso: String) -> String {
        let parts = iso.split(separator: "-")
        guard parts.count == 3 else { return iso }
        return "\(parts[2])/\(parts[1])/\(parts[0])"
    }
}
