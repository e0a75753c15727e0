@testable import DanVanCore
import Foundation
import Testing

@Suite("Markup written in Swift")
struct HTMLTests {
    @Test("interpolated text is escaped, literal markup is kept, HTML is not escaped twice")
    func escaping() {
        // setup
        let hostile = #"<script>alert("x")</script> & 'Hòa'"#
        let inner: HTML = "<em>\(hostile)</em>"
        // act
        let html: HTML = "<p title=\"\(hostile)\">\(inner)\(if: true, " class")\(if: false, "<b>")\(42)\(nil as String?)</p>"
        // check
        #expect(html.rendered == "<p title=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Hòa&#39;\"><em>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Hòa&#39;</em> class42</p>")
        #expect(HTML(text: "a<b").rendered == "a&lt;b")
        #expect(HTML.joined(["<li>1</li>", "<li>2</li>"] as [HTML]).rendered == "<li>1</li><li>2</li>")
    }

    // `HTML.escape` against Leaf's escaping on 2,000 random texts: `LocalizedTemplatesTests.escaping`
    // (`EscapeTag.escaped` is `HTML.escape`).

    @Test("the menu's items: a link, the current page marked, a module still to come without a link")
    func menuItems() {
        // act
        let link = Shell.Item(label: "Nhiệm vụ", href: "/tasks", active: false, soon: false).html(soonLabel: "sắp có")
        let current = Shell.Item(label: "Trang chủ", href: "/", active: true, soon: false).html(soonLabel: "sắp có")
        let soon = Shell.Item(label: "Hỏi & đáp", href: nil, active: false, soon: true).html(soonLabel: "sắp có")
        // check
        #expect(link.rendered == "<li><a href=\"/tasks\">Nhiệm vụ</a></li>\n")
        #expect(current.rendered == "<li><a href=\"/\" class=\"active\" aria-current=\"page\">Trang chủ</a></li>\n")
        #expect(soon.rendered == "<li><span class=\"nav-soon\" aria-disabled=\"true\" title=\"sắp có\">Hỏi &amp; đáp <em>sắp có</em></span></li>\n")
    }

    @Test("a select's options: value and label escaped, the chosen one selected")
    func options() {
        // act
        let html = SelectOption.html([SelectOption(value: "a\"b", label: "Sở <Nội vụ>", selected: false), SelectOption(value: "2026", label: "2026", selected: true)])
        // check
        #expect(html.rendered == "<option value=\"a&quot;b\">Sở &lt;Nội vụ&gt;</option><option value=\"2026\" selected>2026</option>")
    }
}
