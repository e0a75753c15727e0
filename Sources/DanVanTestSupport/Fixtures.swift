import Foundation

/// A directive written for the tests, naming units of the demo province.
public let demoDirective = """
TỈNH ỦY THANH BÌNH
Số: 15-KH/TU
Thanh Bình, ngày 10 tháng 3 năm 2026

KẾ HOẠCH
thực hiện công tác dân vận năm 2026

Căn cứ Kết luận số 43-KL/TW, ngày 07/01/2019 của Ban Bí thư, Ban Thường vụ Tỉnh ủy ban hành Kế hoạch như sau:

I. NHIỆM VỤ

1. Giao Ban Tuyên giáo và Dân vận Tỉnh ủy chủ trì, phối hợp với Sở Nội vụ theo dõi việc thực hiện Kế hoạch. Hoàn thành trong quý II/2026.

2. Hội Nông dân tỉnh vận động hội viên tham gia xây dựng nông thôn mới. Thực hiện hàng năm.

3. Giao Phường Hòa Lạc tổ chức đối thoại với Nhân dân về giải phóng mặt bằng. Hoàn thành trước ngày 30/6/2026.

Nơi nhận:
- Các đảng bộ trực thuộc,
- Lưu VPTU.

T/M BAN THƯỜNG VỤ
BÍ THƯ

Nguyễn Văn An
"""

/// A second plan of the same province, for tests that need two documents: one recurring
/// task and two one-off tasks.
public let secondDirective = """
TỈNH ỦY THANH BÌNH
Số: 16-KH/TU
Thanh Bình, ngày 20 tháng 3 năm 2026

KẾ HOẠCH
tổ chức đối thoại giữa người đứng đầu cấp ủy với Nhân dân năm 2026

I. NHIỆM VỤ

1. Ban Tuyên giáo và Dân vận Tỉnh ủy tổng hợp kết quả đối thoại. Định kỳ 6 tháng báo cáo Ban Thường vụ Tỉnh ủy.

2. Giao Xã Tân Lập tổ chức đối thoại với Nhân dân về chuyển đổi cây trồng. Hoàn thành trong quý II/2026.

3. Ủy ban MTTQ Việt Nam tỉnh giám sát việc giải quyết kiến nghị sau đối thoại. Hoàn thành trước ngày 30/9/2026.

Nơi nhận:
- Các đảng bộ trực thuộc,
- Lưu VPTU.

T/M BAN THƯỜNG VỤ
PHÓ BÍ THƯ

Trần Văn Bình
"""

/// The name/value pairs a browser would submit from the first form with method post whose
/// action is /documents: inputs, selected options, checked boxes, textareas.
public func formFields(_ html: String) -> [String: String] {
    guard let start = html.range(of: "<form method=\"post\" action=\"/documents\""),
          let end = html.range(of: "</form>", range: start.upperBound..<html.endIndex) else { return [:] }
    let form = String(html[start.lowerBound..<end.lowerBound])
    var fields: [String: String] = [:]
    func attribute(_ name: String, in tag: Substring) -> String? {
        guard let range = tag.range(of: " \(name)=\"") else { return nil }
        let rest = tag[range.upperBound...]
        return rest.firstIndex(of: "\"").map { decode(String(rest[..<$0])) }
    }
    func decode(_ value: String) -> String {
        value.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }
    var multiCounter: [String: Int] = [:]
    for match in form.matches(of: /<input[^>]*>/) {
        let tag = match.output[...]
        guard let name = attribute("name", in: tag) else { continue }
        let type = attribute("type", in: tag) ?? "text"
        if type == "checkbox" || type == "radio" {
            if tag.contains(" checked") { fields[name] = attribute("value", in: tag) ?? "on" }
        } else if type != "file" {
            fields[name] = attribute("value", in: tag) ?? ""
        }
    }
    for match in form.matches(of: /<textarea[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/) {
        fields[String(match.output.1)] = decode(String(match.output.2))
    }
    for match in form.matches(of: /<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/) {
        let name = String(match.output.1)
        for option in match.output.2.matches(of: /<option value="([^"]*)"( selected)?>/) where option.output.2 != nil {
            if name.hasSuffix("[]") {
                let index = multiCounter[name, default: 0]
                multiCounter[name] = index + 1
                fields[String(name.dropLast(2)) + "[#\(index)]"] = String(option.output.1)
            } else {
                fields[name] = String(option.output.1)
            }
        }
    }
    return fields
}

extension WebClient {
    /// Registers `text` through the real pages (paste, preview, confirm), as the signed-in
    /// user; `edit` may change the preview's fields first. Returns the preview page and the
    /// confirmation's response (a redirect to the document when it worked).
    @discardableResult
    public func registerDirective(_ text: String = demoDirective, edit: (inout [String: String]) -> Void = { _ in }) async throws -> (preview: Reply, confirm: Reply) {
        try await get("/documents/new")
        let preview = try await postMultipart("/documents/preview", fields: ["text": text], file: nil)
        var fields = formFields(preview.body)
        edit(&fields)
        var pairs: [(String, String)] = []
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            if let bracket = name.range(of: "[#", options: .backwards) {
                pairs.append((String(name[..<bracket.lowerBound]) + "[]", value))
            } else {
                pairs.append((name, value))
            }
        }
        let confirm = try await post("/documents", pairs: pairs)
        return (preview, confirm)
    }
}

/// A one-page PDF that only draws a rectangle: what a scanner without OCR gives (no text layer).
public func scannedPDF() -> Data {
    let content = "0 0 0 rg 100 100 300 400 re f\n"
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        "<< /Length \(content.utf8.count) >>\nstream\n\(content)endstream",
    ]
    var pdf = "%PDF-1.4\n"
    var offsets: [Int] = []
    for (index, object) in objects.enumerated() {
        offsets.append(pdf.utf8.count)
        pdf += "\(index + 1) 0 obj\n\(object)\nendobj\n"
    }
    let xref = pdf.utf8.count
    pdf += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
    for offset in offsets { pdf += String(format: "%010d 00000 n \n", offset) }
    pdf += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
    return Data(pdf.utf8)
}

/// A plan whose assignments are in an annex's table (pasted as pipe rows), one led by a
/// person, one with a time that needs a date.
public let tableDirective = """
TỈNH ỦY THANH BÌNH
Số: 41-KH/TU
Thanh Bình, ngày 20 tháng 10 năm 2026

KẾ HOẠCH
thực hiện công tác dân vận năm 2027

I. NHIỆM VỤ
1. Đồng chí Chủ tịch UBND tỉnh chỉ đạo các sở rà soát thủ tục hành chính liên quan đến người dân.

Nơi nhận:
- Lưu VP.
T/M BAN THƯỜNG VỤ
BÍ THƯ
Nguyễn Văn An

PHỤ LỤC PHÂN CÔNG
(Kèm theo Kế hoạch số 41-KH/TU ngày 20/10/2026)
| STT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành | Sản phẩm |
| 1 | Tuyên truyền Luật Thực hiện dân chủ ở cơ sở | Sở Nội vụ | Tỉnh đoàn; Hội Nông dân tỉnh | Quý II/2027 | Báo cáo kết quả |
| 2 | Thăm hỏi gia đình chính sách | Giám đốc Sở Y tế | | Trước Tết Nguyên đán | |
| 3 | Tổng kết phong trào thi đua | Tỉnh đoàn | | Trước kỳ họp | |
"""
