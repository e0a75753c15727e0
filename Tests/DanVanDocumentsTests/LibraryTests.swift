import DanVanApp
import DanVanCore
import DanVanDocuments
import DanVanTasks
import DanVanTestSupport
import Fluent
import Foundation
import Testing
import SQLKit
import Vapor

@Suite("Library filters and document files")
struct LibraryTests {
    @Test("filter by issuer and by follow-up status (overdue, open, all done)")
    func filters() async throws {
        let clock = FixedClock(Date(timeIntervalSince1970: 1_773_100_000))
        try await withTestApp(clock: clock) { app in
            try await TestProvince.load(app)
            let board = try await unit("TU-BTGDV", on: app)
            let (plan, tasks) = try await TaskService.registerFromText(demoDirective, unitID: board.requireID(), actor: .system, at: clock.now(), on: app.db)
            let (other, otherTasks) = try await TaskService.registerFromText(
                demoDirective.replacingOccurrences(of: "15-KH/TU", with: "16-KH/TU").replacingOccurrences(of: "T/M BAN THƯỜNG VỤ", with: "T/M BAN CHẤP HÀNH"),
                unitID: board.requireID(), actor: .system, at: clock.now(), on: app.db
            )
            for task in otherTasks where task.recurrence == nil {
                try await TaskService.cancel(task, reason: "Thử", expectedVersion: task.version, actor: .system, at: clock.now(), on: app.db)
            }
            #expect(!tasks.isEmpty)
            let client = WebClient(app)
            try await client.login("lanhdao")
            let byIssuer = try await client.get("/documents?issuer=Ban%20Ch%E1%BA%A5p%20h%C3%A0nh")
            #expect(byIssuer.body.contains("16-KH/TU"))
            #expect(!byIssuer.body.contains("15-KH/TU"))
            // The filter keeps the chosen issuer selected (options written in Swift).
            #expect(byIssuer.body.contains("<option value=\"Ban Chấp hành\" selected>Ban Chấp hành</option>"))
            #expect(try await TaskService.documentIDs(status: "done", now: clock.now(), on: app.db) == [other.id!])
            #expect(try await TaskService.documentIDs(status: "open", now: clock.now(), on: app.db) == [plan.id!])
            #expect(try await TaskService.documentIDs(status: "overdue", now: clock.now(), on: app.db).isEmpty)
            clock.advance(by: 120 * 86_400)
            #expect(try await TaskService.documentIDs(status: "overdue", now: clock.now(), on: app.db) == [plan.id!])
            try await client.login("lanhdao") // the session expired meanwhile
            let overdue = try await client.get("/documents?status=open")
            #expect(overdue.body.contains("15-KH/TU"))
            #expect(!overdue.body.contains("16-KH/TU"))
        }
    }

    @Test("the uploaded original is kept with the document; staff add files; downloads are checked")
    func documentFiles() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("chuyenvien")
            try await client.get("/documents/new")
            let preview = try await client.postMultipart("/documents/preview", fields: [:], file: ("file", "ke-hoach-15.txt", demoDirective))
            #expect(preview.body.contains("id=\"original-file\""))
            var fields = formFields(preview.body)
            fields = fields.filter { !$0.key.contains("[#") }
            var pairs = fields.map { ($0.key, $0.value) }
            for match in preview.body.matches(of: /name="assignments\[(\d+)\]\[leads\]\[\]"[^>]*>[\s\S]*?<option value="([^"]+)" selected>/) {
                pairs.append(("assignments[\(match.output.1)][leads][]", String(match.output.2)))
            }
            let saved = try await client.post("/documents", pairs: pairs)
            #expect(saved.status == .seeOther)
            let document = try #require(try await Document.query(on: app.db).first())
            let original = try #require(try await DocumentAttachment.query(on: app.db).filter(\.$document.$id == document.id!).first())
            #expect(original.filename == "ke-hoach-15.txt")
            let download = try await client.get("/documents/\(document.id!)/files/\(original.id!)")
            #expect(download.body.contains("15-KH/TU"))
            try await client.get("/documents/\(document.id!)")
            let added = try await client.postMultipart("/documents/\(document.id!)/files", fields: [:], file: ("file", "bao-cao.pdf", "%PDF-1.4 báo cáo"))
            #expect(added.status == .seeOther)
            #expect(try await DocumentAttachment.query(on: app.db).count() == 2)
            let refused = try await client.postMultipart("/documents/\(document.id!)/files", fields: [:], file: ("file", "virus.exe", "MZ"))
            #expect(refused.status == .seeOther)
            #expect(try await DocumentAttachment.query(on: app.db).count() == 2)
            let focal = WebClient(app)
            try await focal.login("daumoi")
            try await focal.get("/documents/\(document.id!)")
            #expect(try await focal.postMultipart("/documents/\(document.id!)/files", fields: [:], file: ("file", "x.pdf", "%PDF")).status == .forbidden)
        }
    }
}

@Suite("Document labels")
struct DocumentLabelTests {
    init() { L10n.register(DocumentsModule().localization) }

    @Test("the issuers, the cited-but-unregistered list and the unfiltered rows are kept under the documents' fingerprint: any write to the table, by any writer, shows on the next visit")
    func listsFollowTheTable() async throws {
        let clock = FixedClock(Date(timeIntervalSince1970: 1_773_100_000))
        try await withTestApp(clock: clock) { app in
            // setup
            try await TestProvince.load(app)
            let board = try await unit("TU-BTGDV", on: app)
            let (plan, _) = try await TaskService.registerFromText(demoDirective, unitID: board.requireID(), actor: .system, at: clock.now(), on: app.db)
            let client = WebClient(app)
            try await client.login("lanhdao")
            let before = try await client.get("/documents").body
            // act: written beside the page's cache (as another instance or a command would)
            plan.issuer = "Ban Chấp hành"
            try await plan.save(on: app.db)
            let renamed = try await client.get("/documents").body
            _ = try await TaskService.registerFromText(
                demoDirective.replacingOccurrences(of: "Số: 15-KH/TU", with: "Số: 43-KL/TW"), unitID: board.requireID(), actor: .system, at: clock.now(), on: app.db
            )
            let registered = try await client.get("/documents").body
            // check
            #expect(before.contains("<option value=\"Ban Thường vụ\">Ban Thường vụ</option>") && before.contains("<strong>43-KL/TW</strong>"), "\(before)")
            #expect(renamed.contains("<option value=\"Ban Chấp hành\">Ban Chấp hành</option>") && !renamed.contains("<option value=\"Ban Thường vụ\">"))
            #expect(registered.contains("<option value=\"Ban Thường vụ\">") && !registered.contains("<strong>43-KL/TW</strong>"))
            // The unfiltered list (kept under the same fingerprint) shows the new document too.
            #expect(!before.contains(">43-KL/TW</a>") && registered.contains(">43-KL/TW</a>") && registered.contains(">15-KH/TU</a>"))
            #expect(try await DocumentService.unresolvedCitations(on: app.db).allSatisfy { $0.symbol != "43-KL/TW" })
        }
    }

    @Test("the library's rows are its documents read without models, newest first; a title shows as text, a document without a number says so")
    func rowsAsDocuments() async throws {
        let clock = FixedClock(Date(timeIntervalSince1970: 1_773_100_000))
        try await withTestApp(clock: clock) { app in
            // setup
            try await TestProvince.load(app)
            let board = try await unit("TU-BTGDV", on: app)
            let (plan, _) = try await TaskService.registerFromText(demoDirective, unitID: board.requireID(), actor: .system, at: clock.now(), on: app.db)
            _ = try await TaskService.registerFromText(demoDirective.replacingOccurrences(of: "15-KH/TU", with: "16-KH/TU"), unitID: board.requireID(), actor: .system, at: clock.now(), on: app.db)
            plan.title = #"<b>Kế hoạch "dân vận" & 'khéo'</b>"#
            plan.symbol = nil
            plan.symbolKey = nil
            try await plan.save(on: app.db)
            let client = WebClient(app)
            try await client.login("lanhdao")
            // act
            let documents = try await Document.query(on: app.db).sort(\.$issuedOn, .descending).sort(\.$createdAt, .descending).all()
            let rows = try await DocumentService.rows(.init(), locale: .vi, on: app.db)
            let page = try await client.get("/documents").body
            // check
            // (Both were registered at the same instant from the same date: compared by id.)
            #expect(rows.count == 2 && Set(rows.map(\.id)) == Set(documents.map { $0.id!.uuidString }))
            for row in rows {
                let whole = DocumentRow(try #require(documents.first { $0.id?.uuidString == row.id }))
                #expect(row.label == whole.label && row.symbol == whole.symbol && row.title == whole.title && row.kind == whole.kind && row.issuedOn == whole.issuedOn && row.issuer == whole.issuer && row.href == whole.href)
            }
            #expect(page.contains("&lt;b&gt;Kế hoạch &quot;dân vận&quot; &amp; &#39;khéo&#39;&lt;/b&gt;") && !page.contains("<b>Kế hoạch"))
            #expect(page.contains("<a href=\"/documents/\(plan.id!.uuidString)\">\(L10n.text("documents.chua_co_so"))</a>"))
            #expect(page.contains(">16-KH/TU</a>"))
        }
    }

    @Test("a document is named as officials write it, in the reader's language; without a number by its subject")
    func labels() {
        // act, check
        #expect(DocumentLabel.text(kind: "Kế hoạch", symbol: "12-KH/TU") == "Kế hoạch số 12-KH/TU")
        #expect(DocumentLabel.text(kind: "Kế hoạch", symbol: "12-KH/TU", .en) == "Plan no. 12-KH/TU")
        #expect(DocumentLabel.text(kind: "Chương trình hành động", symbol: "05-CTr/TU", .en) == "Action programme no. 05-CTr/TU")
        #expect(DocumentLabel.text(kind: nil, symbol: "7-CV/BDV") == "Văn bản số 7-CV/BDV")
        #expect(DocumentLabel.text(kind: "Lời kêu gọi", symbol: "1-LKG/TU", .en) == "Lời kêu gọi no. 1-LKG/TU")
        #expect(DocumentLabel.text(kind: "Kế hoạch", symbol: nil, title: "thực hiện công tác dân vận năm 2026") == "thực hiện công tác dân vận năm 2026")
    }
}
