import Foundation

/// The `<form method="post">`s of a page, read the way a browser would submit them: the route
/// tests replay them with hostile values (stored markup) or against another unit's record (the
/// access matrix).
public enum HTMLForms {
    /// A post form: its action, whether it is multipart, and a value for each field.
    public struct Form: Sendable {
        public let action: String
        public let multipart: Bool
        public let fields: [String: String]
    }

    /// The post forms of `html`, each field with a value: text fields get `payload` (numeric ones
    /// "1"), dates their value or a date, selects their first real option, hidden fields keep
    /// theirs; files, checkboxes, radios, buttons and passwords are left out.
    public static func postForms(in html: String, payload: String) -> [Form] {
        var forms: [Form] = []
        var rest = Substring(html)
        while let start = rest.range(of: "<form"), let end = rest[start.upperBound...].range(of: "</form>") {
            let form = rest[start.lowerBound..<end.upperBound]
            rest = rest[end.upperBound...]
            let head = form.prefix { $0 != ">" }
            guard head.contains("method=\"post\""), let action = attribute("action", in: head), action.hasPrefix("/") else { continue }
            var fields: [String: String] = [:]
            for tag in tags("input", in: form) {
                guard let name = attribute("name", in: tag) else { continue }
                let type = attribute("type", in: tag) ?? "text"
                switch type {
                case "hidden": fields[name] = attribute("value", in: tag) ?? ""
                case "file", "checkbox", "radio", "submit", "button", "password": continue
                case "date": fields[name] = attribute("value", in: tag) ?? "2026-11-10"
                default: fields[name] = attribute("inputmode", in: tag) == "numeric" ? "1" : payload
                }
            }
            for tag in tags("textarea", in: form) { if let name = attribute("name", in: tag) { fields[name] = payload } }
            var selects = Substring(form)
            while let open = selects.range(of: "<select"), let close = selects[open.upperBound...].range(of: "</select>") {
                let select = selects[open.lowerBound..<close.upperBound]
                selects = selects[close.upperBound...]
                guard let name = attribute("name", in: select.prefix { $0 != ">" }) else { continue }
                fields[name] = tags("option", in: select).compactMap { attribute("value", in: $0) }.first { !$0.isEmpty } ?? ""
            }
            forms.append(Form(action: action.replacingOccurrences(of: "&amp;", with: "&"), multipart: head.contains("multipart/form-data"), fields: fields))
        }
        return forms
    }

    /// The opening tags named `name` in `text`.
    public static func tags(_ name: String, in text: Substring) -> [Substring] {
        var found: [Substring] = []
        var rest = text
        while let start = rest.range(of: "<\(name)"), let end = rest[start.upperBound...].firstIndex(of: ">") {
            found.append(rest[start.lowerBound...end])
            rest = rest[rest.index(after: end)...]
        }
        return found
    }

    /// The value of the attribute `name` in an opening tag, entities for `"` and `&` read back.
    public static func attribute(_ name: String, in tag: Substring) -> String? {
        guard let start = tag.range(of: " \(name)=\"") else { return nil }
        return String(tag[start.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }
}
