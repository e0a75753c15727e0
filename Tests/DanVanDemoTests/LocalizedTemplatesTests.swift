@testable import DanVanCore
import DanVanDemo
import DanVanQuiz
import Fluent
import DanVanTestSupport
import Foundation
import Testing
import Vapor

/// The templates with their fixed texts written in (issue 12, `LocalizedTemplates`) must render
/// every page exactly as the tags did.
@Suite("Templates with their texts written in")
struct LocalizedTemplatesTests {
    static let links: LinkTable = {
        var table = LinkTable()
        table.add(["core.home": [], "core.language": [.constant("lang"), .parameter("lang", nil)], "tasks.show": [.constant("tasks"), .parameter("taskID", nil)]])
        return table
    }()

    @Test("fixed texts and links are written in, escaped as Leaf escapes them; the rest stays a tag")
    func rewrite() {
        let source = ##"""
        #extend("layouts/base"):<a href="#path("core.home")">#t("app.name")</a> \#t("app.name") #t("picker.remove", "{0}") #path("tasks.show", t.id) #t(page.key) #(page.x) #path("core.language", "en") #if(a):#t("app.menu")#endif#endextend
        """##
        let out = LocalizedTemplates.localize(source, locale: .vi, links: Self.links)
        let name = L10n.format("app.name", [], .vi).htmlEscaped()
        #expect(out.hasPrefix(#"#extend("@vi/layouts/base"):<a href="/">"# + name + "</a>"))
        #expect(out.contains(##"\#t("app.name")"##), "an escaped hash stays text")
        #expect(out.contains(#"#t("picker.remove", "{0}")"#) && out.contains(#"#path("tasks.show", t.id)"#) && out.contains("#t(page.key)") && out.contains("#esc(page.x)"))
        #expect(out.contains(" /lang/en ") && out.contains("#if(a):" + L10n.format("app.menu", [], .vi).htmlEscaped() + "#endif"))
        #expect(LocalizedTemplates.localize(source, locale: .en, links: Self.links).contains(L10n.format("app.name", [], .en).htmlEscaped()))
        // A `#` in a text (an entity, a number sign) must not open a tag.
        #expect(LocalizedTemplates.leafText("Giải #1 &#39;") == ##"Giải \#1 &\#39;"##)
        // Only a plain key path goes through `EscapeTag`; literals, functions and sums stay `#()`.
        let values = LocalizedTemplates.localize(##"#(t.content) #(index) #(":") #(count(page.days) * 22) #(d.barWidth + 96) #(a..b) #(t.lead): \#(page.x)"##, locale: .vi, links: Self.links)
        #expect(values == ##"#esc(t.content) #esc(index) #(":") #(count(page.days) * 22) #(d.barWidth + 96) #(a..b) #(t.lead): \#(page.x)"##)
        // A tag followed by a colon would be a block: left alone.
        #expect(LocalizedTemplates.localize(#"#t("app.name"):"#, locale: .vi, links: Self.links) == #"#t("app.name"):"#)
    }

    @Test("a page's content is the text of its one export inside the layout; anything else is not a page")
    func pageContent() throws {
        let page = "#extend(\"layouts/base\"):\n#export(\"content\"):\n<h1>#(page.x)</h1>#extend(\"partials/attachment\")\n#endexport\n#endextend\n"
        #expect(LocalizedTemplates.content(of: page) == "\n<h1>#(page.x)</h1>#extend(\"partials/attachment\")\n")
        for other in [
            "<p>#(a)</p>\n",
            "x" + page,
            page.replacingOccurrences(of: "#endextend\n", with: "#endextend\n<p>after</p>\n"),
            page.replacingOccurrences(of: "):\n#export", with: "):\n<p>between</p>#export"),
            page.replacingOccurrences(of: "#endexport\n", with: "#endexport\n#export(\"head\"):x#endexport\n"),
            "#extend(\"layouts/other\"):#export(\"content\"):x#endexport#endextend\n",
        ] {
            #expect(LocalizedTemplates.content(of: other) == nil, "\(other)")
        }
        // Every template a page renders has that shape (pieces are named `_x`, or live in
        // layouts/ and partials/, or are home/body, rendered alone).
        let views = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Resources/Views").standardized
        let files = try #require(FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil)).compactMap { $0 as? URL }
            .filter { $0.pathExtension == "leaf" }
        var pages = 0
        for file in files {
            let relative = file.path.replacingOccurrences(of: views.path + "/", with: "")
            if relative.hasPrefix("layouts/") || relative.hasPrefix("partials/") || file.lastPathComponent.hasPrefix("_") || relative == "home/body.leaf" { continue }
            #expect(LocalizedTemplates.content(of: try String(contentsOf: file, encoding: .utf8)) != nil, "\(relative) is not a page")
            pages += 1
        }
        #expect(pages > 70)
    }

    @Test("EscapeTag escapes as Leaf does, for any text")
    func escaping() {
        // setup
        let alphabet = Array("aăâđêôơư ÀỹĐ&\"'<>#;/\\\n\t{}0") + ["👩‍👩‍👧", "e\u{301}"]
        var generator = SystemRandomNumberGenerator()
        var texts = ["", "plain", "Xã Tân Hòa", "<script>alert('x')</script>", "a & b \"c\""]
        for _ in 0..<2_000 {
            texts.append(String((0..<Int.random(in: 0...30, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        for text in texts {
            // act
            let fast = EscapeTag.escaped(text)
            // check
            #expect(fast == text.htmlEscaped(), "\(text)")
        }
    }

    @Test("every page of the demo, for an administrator and a commune official, in both languages, is the same byte for byte as through the tags")
    func sameAsTags() async throws {
        try await withTestApp(clock: FixedClock(Date(timeIntervalSince1970: 1_796_180_400))) { app in
            #expect(try await DemoProvince.loadIfEmpty(app: app))
            var compared = 0
            var patterns: Set<String> = []
            let contest = try #require(try await QuizContest.query(on: app.db).filter(\.$status == .published).first()).slug
            let publicPages = ["/login", "/thi", "/thi/\(contest)", "/thi/\(contest)/dang-ky", "/thi/\(contest)/dang-nhap"]
            for username in ["admin", "daumoi", ""] {
                for language in ["vi", "en"] {
                    let client = WebClient(app)
                    if !username.isEmpty { _ = try await client.login(username, DemoProvince.password) }
                    _ = try await client.get("/lang/\(language)")
                    var queue: [String] = username.isEmpty ? publicPages : app.routes.all.compactMap { route in
                        guard route.method == .GET, !route.path.contains(where: { if case .parameter = $0 { true } else { false } }) else { return nil }
                        let path = "/" + route.path.map(\.description).joined(separator: "/")
                        return path.hasPrefix("/api") || path.contains(".") || ["/logout", "/metrics", "/livez", "/healthz"].contains(path) ? nil : path
                    }
                    var seen = Set(queue)
                    var linked: Set<String> = []
                    while let path = queue.popLast() {
                        // The first visit renders the layout (or finds it kept from a page with
                        // the same shell), the second finds it kept (LayoutFrames).
                        app.rendersLocalizedTemplates = true
                        let fast = try await client.get(path)
                        let kept = try await client.get(path)
                        app.rendersLocalizedTemplates = false
                        let tags = try await client.get(path)
                        app.rendersLocalizedTemplates = true
                        guard fast.headers.contentType?.subType == "html", fast.status == .ok else { continue }
                        for (visit, page) in [("first", fast), ("second", kept)] where page.body != tags.body {
                            let same = zip(page.body, tags.body).prefix { $0 == $1 }.count
                            Issue.record("\(username) \(language) \(path) (\(visit) visit) differs from the page through the tags at character \(same): "
                                + "\(page.body.dropFirst(max(0, same - 60)).prefix(140)) ≠ \(tags.body.dropFirst(max(0, same - 60)).prefix(140))")
                        }
                        #expect(kept.headers.contentType == fast.headers.contentType && kept.headers[.cacheControl] == ["no-store"])
                        compared += 1
                        patterns.insert(path)
                        // One record page per kind of link (a task, a document, a report…), never
                        // a link that writes when opened (the inbox marks an entry read).
                        for match in fast.body.matches(of: /href="(\/[a-z\-\/]+\/[0-9A-F\-]{36}[a-z\-\/]*)"/) {
                            let link = String(match.1)
                            let kind = link.replacing(/[0-9A-F\-]{36}/, with: ":id")
                            guard !link.hasPrefix("/inbox/"), !link.contains("/files/"), !linked.contains(kind), !seen.contains(link) else { continue }
                            linked.insert(kind)
                            seen.insert(link)
                            queue.insert(link, at: 0)
                        }
                    }
                }
            }
            #expect(compared > 150, "\(compared) pages compared")
            let frames = try #require(app.layoutFrames).count
            #expect(frames > 100, "\(frames) layouts kept")
            #expect(patterns.contains { $0.hasPrefix("/tasks/") } && patterns.contains("/") && patterns.isSuperset(of: publicPages))
        }
    }
}
