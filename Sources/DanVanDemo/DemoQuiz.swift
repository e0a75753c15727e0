import DanVanCore
import DanVanQuiz
import DanVanText
import Fluent
import Foundation
import Vapor

/// The demo contest: a bank of questions on "Dân vận khéo", a closed and ranked first week, an
/// open second week with submissions (three participants tie on every answer and are told
/// apart by prediction and time), a draft third week, participants across the communes and
/// headcounts so participation rates and laggards show.
enum DemoQuiz {
    /// The public address of the demo contest.
    static let slug = "dan-van-kheo-2026"
    /// A participant a newcomer can sign in as on the public pages.
    static let participantPhone = "0912345678"
    /// The staff contest: one week that closed an hour ago and waits for the organiser to
    /// close and rank it (three participants tie on every answer).
    static let staffSlug = "quy-che-dan-chu-can-bo-2026"

    static let questions: [(String, [String], [Int])] = [
        ("Phong trào thi đua \"Dân vận khéo\" được phát động trong cả nước từ năm nào?", ["2009", "2012", "2015", "2019"], [0]),
        ("Phương châm \"Dân biết, dân bàn, dân làm, dân kiểm tra\" thể hiện nội dung nào?", ["Thực hiện dân chủ ở cơ sở", "Cải cách hành chính", "Phát triển kinh tế tập thể", "Xây dựng nông thôn mới"], [0]),
        ("Về sau phương châm trên được bổ sung thêm những nội dung nào?", ["Dân giám sát", "Dân thụ hưởng", "Dân quyết định", "Dân đóng góp"], [0, 1]),
        ("Cơ quan tham mưu của cấp ủy về công tác dân vận ở cấp tỉnh hiện nay là:", ["Ban Tuyên giáo và Dân vận Tỉnh ủy", "Văn phòng Tỉnh ủy", "Ban Tổ chức Tỉnh ủy", "Sở Nội vụ"], [0]),
        ("Ngày truyền thống công tác dân vận của Đảng là ngày nào?", ["15/10", "3/2", "19/5", "2/9"], [0]),
        ("Bài báo \"Dân vận\" của Chủ tịch Hồ Chí Minh được đăng năm nào?", ["1949", "1945", "1954", "1969"], [0]),
        ("\"Dân vận khéo\" được hiểu là:", ["Vận động Nhân dân bằng cách làm phù hợp, hiệu quả, được Nhân dân đồng tình", "Chỉ tuyên truyền qua loa phát thanh", "Giao chỉ tiêu cho từng hộ", "Tổ chức hội nghị thật nhiều"], [0]),
        ("Lực lượng nào có trách nhiệm làm công tác dân vận?", ["Cả hệ thống chính trị", "Chỉ Ban Dân vận", "Chỉ Mặt trận Tổ quốc", "Chỉ chính quyền"], [0]),
        ("Mô hình \"Dân vận khéo\" được công nhận cần có yếu tố nào?", ["Hiệu quả thực tế, được Nhân dân đồng thuận", "Có kinh phí lớn", "Do cấp tỉnh thực hiện", "Có ít nhất 10 năm hoạt động"], [0]),
        ("Những lĩnh vực nào có thể xây dựng mô hình \"Dân vận khéo\"?", ["Kinh tế", "Văn hóa – xã hội", "Quốc phòng – an ninh", "Xây dựng hệ thống chính trị"], [0, 1, 2]),
        ("Tổ chức nào giữ vai trò nòng cốt tập hợp khối đại đoàn kết toàn dân tộc?", ["Mặt trận Tổ quốc Việt Nam", "Hội Nông dân", "Liên đoàn Lao động", "Hội Cựu chiến binh"], [0]),
        ("Cán bộ làm công tác dân vận cần thực hiện phương châm nào khi tiếp xúc Nhân dân?", ["Trọng dân, gần dân, hiểu dân, học dân, có trách nhiệm với dân", "Ra lệnh cho nhanh", "Chỉ làm việc qua văn bản", "Chờ dân đến phản ánh"], [0]),
        ("Công tác dân vận chính quyền chú trọng nội dung nào?", ["Cải cách thủ tục hành chính, phục vụ Nhân dân", "Tăng số cuộc họp", "Giảm tiếp công dân", "Tăng các khoản đóng góp"], [0]),
        ("Người đứng đầu cấp ủy, chính quyền có trách nhiệm gì với việc đối thoại với Nhân dân?", ["Trực tiếp đối thoại, lắng nghe và giải quyết kiến nghị", "Ủy quyền hoàn toàn cho cấp phó", "Chỉ trả lời bằng văn bản", "Không bắt buộc"], [0]),
        ("Quy chế dân chủ ở cơ sở hiện nay được quy định chủ yếu trong văn bản nào?", ["Luật Thực hiện dân chủ ở cơ sở", "Luật Đất đai", "Luật Ngân sách", "Bộ luật Lao động"], [0]),
        ("Hình thức nào giúp Nhân dân giám sát hoạt động của chính quyền cơ sở?", ["Ban Thanh tra nhân dân", "Ban Giám sát đầu tư của cộng đồng", "Hội đồng thi đua", "Tổ hòa giải"], [0, 1]),
        ("Khi có vụ việc khiếu kiện đông người, việc cần làm trước tiên là:", ["Nắm tình hình, tiếp xúc, đối thoại, giải quyết ngay từ cơ sở", "Chờ cấp trên chỉ đạo", "Bỏ qua nếu chưa có đơn", "Chuyển ngay cho cơ quan báo chí"], [0]),
        ("Người có uy tín trong đồng bào dân tộc thiểu số có vai trò gì?", ["Cầu nối giữa cấp ủy, chính quyền với Nhân dân", "Thay thế chính quyền xã", "Thu thuế", "Quản lý đất đai"], [0]),
        ("Tổ chức nào dưới đây là tổ chức chính trị – xã hội?", ["Hội Liên hiệp Phụ nữ", "Đoàn Thanh niên Cộng sản Hồ Chí Minh", "Hợp tác xã", "Câu lạc bộ dưỡng sinh"], [0, 1]),
        ("Công tác dân vận của lực lượng vũ trang gắn với phong trào nào?", ["\"Dân vận khéo\" và xây dựng thế trận lòng dân", "Chỉ huấn luyện", "Chỉ tăng gia sản xuất", "Không liên quan"], [0]),
        ("Việc tôn vinh, nhân rộng mô hình \"Dân vận khéo\" nhằm mục đích gì?", ["Lan tỏa cách làm hay, tạo động lực thi đua", "Tăng số giấy khen", "Giảm trách nhiệm của cơ sở", "Thay thế báo cáo định kỳ"], [0]),
        ("Ở thôn, ai là người trực tiếp vận động Nhân dân thực hiện chủ trương?", ["Bí thư chi bộ, trưởng thôn, trưởng ban công tác Mặt trận", "Chỉ cán bộ tỉnh", "Doanh nghiệp", "Khách du lịch"], [0]),
        ("Phản ánh, kiến nghị của Nhân dân sau khi tiếp nhận cần:", ["Được phân loại, chuyển đúng nơi và theo dõi đến khi có kết quả", "Lưu vào hồ sơ", "Trả lại người gửi", "Chỉ báo cáo cuối năm"], [0]),
        ("Cuộc thi trắc nghiệm trực tuyến về \"Dân vận khéo\" nhằm:", ["Nâng cao hiểu biết, lan tỏa phong trào trong cán bộ và Nhân dân", "Thay thế học tập nghị quyết", "Xếp loại đảng viên", "Tuyển dụng công chức"], [0]),
    ]

    static let names = [
        "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang", "Đặng Văn Hải", "Bùi Thị Hoa",
        "Đỗ Văn Hùng", "Hồ Thị Lan", "Ngô Văn Long", "Dương Thị Mai", "Lý Văn Nam", "Đinh Thị Oanh", "Trịnh Văn Phúc", "Mai Thị Quyên",
        "Cao Văn Sơn", "Phan Thị Thảo", "Lương Văn Tuấn", "Tạ Thị Uyên", "Y Bhăm Niê", "H'Linh Êban", "Lò Văn Pấng", "Quàng Thị Xuân",
        "Nguyễn Thị Yến", "Trần Văn Bảo", "Lê Thị Cúc", "Phạm Văn Đức", "Hoàng Thị Hạnh", "Vũ Văn Khánh", "Đặng Thị Liên", "Bùi Văn Minh",
    ]

    /// Which of the two demo contests to build.
    enum Scenario { case publicContest, staffContest }

    static func load(app: Application) async throws {
        try await load(.publicContest, app: app)
        try await load(.staffContest, app: app)
    }

    static func load(_ scenario: Scenario, app: Application) async throws {
        let db = app.db
        let now = app.clock.now()
        guard let board = try await OrgUnit.query(on: db).filter(\.$code == "TU-BTGDV").first() else { return }
        let communes = try await OrgUnit.query(on: db).filter(\.$kind == .commune).filter(\.$status == .active).filter(\.$level == .commune).sort(\.$path).all()
            .filter { $0.code.hasPrefix("X-") || $0.code.hasPrefix("P-") }
        guard !communes.isEmpty else { return }
        let contest = QuizContest()
        contest.slug = scenario == .publicContest ? slug : staffSlug
        contest.title = scenario == .publicContest
            ? "Cuộc thi trắc nghiệm trực tuyến tìm hiểu phong trào thi đua \"Dân vận khéo\" tỉnh Thanh Bình năm 2026"
            : "Hội thi trắc nghiệm tìm hiểu Quy chế dân chủ ở cơ sở dành cho cán bộ, công chức năm 2026"
        contest.rules = L10n.text("quiz.admin.defaultRules") + "\nMỗi tuần có 10 câu hỏi, thời gian làm bài 15 phút, mỗi người được thi tối đa 3 lượt, lượt có kết quả tốt nhất được tính."
        contest.$unit.id = try board.requireID()
        contest.status = .published
        contest.minAge = 14
        contest.requireIDNumber = false
        contest.occupations = L10n.text("quiz.admin.defaultOccupations")
        contest.prizes = "Nhất:1, Nhì:2, Ba:3, Khuyến khích:5"
        contest.unitPrizes = true
        contest.graceSeconds = 15
        contest.minSecondsPerQuestion = 2
        try await contest.create(on: db)
        let contestID = try contest.requireID()
        let rows = [CSV.Row(line: 1, fields: ["Câu hỏi", "A", "B", "C", "D", "Đáp án"])] + questions.enumerated().map { index, item in
            CSV.Row(line: index + 2, fields: [item.0] + item.1 + [item.2.map { ["A", "B", "C", "D"][$0] }.joined(separator: ", ")])
        }
        _ = try await QuizAdmin.importBank(rows, contest: contest, skipBad: false, actor: .system, now: now, on: db)

        func makeRound(_ number: Int, opens: Date, closes: Date) async throws -> QuizRound {
            let round = QuizRound()
            round.$contest.id = contestID
            round.number = number
            round.title = L10n.format("quiz.round.defaultTitle", [String(number)])
            round.opensAt = opens
            round.closesAt = closes
            round.questionCount = 10
            round.timeLimitSeconds = 15 * 60
            round.maxAttempts = 3
            round.predictionQuestion = L10n.text("quiz.round.defaultPrediction")
            round.status = .draft
            try await round.create(on: db)
            try await QuizAdmin.draw(round, actor: .system, now: now, on: db)
            return round
        }
        let week: TimeInterval = 7 * 86_400
        var rounds: [QuizRound] = []
        switch scenario {
        case .publicContest:
            let first = try await makeRound(1, opens: now.addingTimeInterval(-8 * 86_400), closes: now.addingTimeInterval(-86_400 - 3600))
            let second = try await makeRound(2, opens: now.addingTimeInterval(-86_400), closes: now.addingTimeInterval(week - 86_400 - 3600))
            _ = try await makeRound(3, opens: second.closesAt.addingTimeInterval(3600), closes: second.closesAt.addingTimeInterval(week))
            rounds = [first, second]
        case .staffContest:
            rounds = [try await makeRound(1, opens: now.addingTimeInterval(-week), closes: now.addingTimeInterval(-3600))]
        }
        for round in rounds {
            round.status = .published
            try await round.update(on: db)
        }

        // Participants: the newcomer's demo participant first, then names spread over the communes (some communes left empty).
        let secretHash = try QuizService.SecretHash.make(DemoProvince.password, key: app.config.key(for: "quiz-secret"), cost: QuizService.secretCost(app))
        var participants: [QuizParticipant] = []
        for (index, name) in names.enumerated() {
            let unit = communes[(index * 3) % max(1, communes.count - 2)]
            let participant = QuizParticipant()
            participant.$contest.id = contestID
            participant.fullName = name
            participant.birthDate = VNFormat.parseDate("\(1 + index % 27)/\(1 + index % 12)/\(1960 + index)")
            participant.phone = index == 0 ? participantPhone : String(format: "09%08d", 10_000_000 + index * 7_919)
            participant.$unit.id = try unit.requireID()
            participant.unitPath = unit.path
            participant.occupation = contest.occupationList[index % contest.occupationList.count]
            participant.secretHash = secretHash
            participant.address = "demo"
            participant.day = VNFormat.dayKey(now.addingTimeInterval(-Double(8 - index % 8) * 86_400))
            participant.disqualified = false
            participant.searchKey = VietnameseText.fold(name + " " + participant.phone)
            try await participant.create(on: db)
            participants.append(participant)
        }
        for (index, unit) in communes.enumerated() {
            let headcount = QuizHeadcount()
            headcount.$contest.id = contestID
            headcount.$unit.id = try unit.requireID()
            headcount.headcount = 40 + index * 15
            try await headcount.create(on: db)
        }

        // Seeded: the demo is the same on every machine (layouts of the seeded attempts).
        var generator = SeededGenerator(seed: scenario == .publicContest ? 2026 : 2027)
        func seed(_ round: QuizRound, participant: QuizParticipant, correct wanted: Int, prediction: Int?, seconds: Double, startedAt: Date) async throws {
            let pool = try await QuizRoundQuestion.query(on: db).filter(\.$round.$id == round.requireID()).with(\.$question).all()
            let layout = QuizRules.layout(questions: pool.map { ($0.question.number, $0.question.options.count) }, using: &generator)
            var answers: [Int: [Int]] = [:]
            for (index, slot) in layout.enumerated() {
                let key = pool.first { $0.question.number == slot.number }!.question
                let correctPositions = QuizRules.indexes(of: key.correctMask).compactMap { slot.order.firstIndex(of: $0) }
                answers[slot.number] = index < wanted ? correctPositions : [correctPositions.first == 0 ? 1 : 0]
            }
            let scored = try QuizRules.score(answers: answers, layout: layout, keys: Dictionary(pool.map { ($0.question.number, $0.question.key) }, uniquingKeysWith: { a, _ in a }))
            let attempt = QuizAttempt()
            attempt.$round.id = try round.requireID()
            attempt.$participant.id = try participant.requireID()
            attempt.attemptNo = 1
            attempt.startedAt = startedAt
            attempt.deadlineAt = startedAt.addingTimeInterval(TimeInterval(round.timeLimitSeconds))
            attempt.layout = QuizRules.encode(layout)
            attempt.status = .submitted
            attempt.submittedAt = startedAt.addingTimeInterval(seconds)
            attempt.answers = scored.chosen.map(String.init).joined(separator: ",")
            attempt.correct = scored.correct
            attempt.prediction = prediction
            attempt.timeMs = Int(seconds * 1000)
            attempt.address = "demo"
            attempt.day = VNFormat.dayKey(startedAt)
            try await attempt.create(on: db)
        }
        // The week with three all-correct participants that only prediction and time separate.
        func seedTies(_ round: QuizRound) async throws {
            let ties: [(Int, Int, Double)] = [(1, 3, 200.4), (2, 5, 100.2), (3, 3, 150.7)]
            for (offset, prediction, seconds) in ties {
                try await seed(round, participant: participants[offset], correct: 10, prediction: prediction, seconds: seconds, startedAt: round.opensAt.addingTimeInterval(Double(offset) * 600))
            }
            for index in 4..<16 {
                try await seed(round, participant: participants[index], correct: 4 + index % 6, prediction: index, seconds: 300 + Double(index * 7), startedAt: round.opensAt.addingTimeInterval(Double(index) * 1_800))
            }
        }
        switch scenario {
        case .publicContest:
            // Week 1: everyone took part; ranked by the real closing code. Week 2 is under way.
            let first = rounds[0]
            for (index, participant) in participants.enumerated() {
                let start = first.opensAt.addingTimeInterval(Double(index) * 9_000)
                try await seed(first, participant: participant, correct: 10 - index % 5, prediction: 3 + index % 6, seconds: 120 + Double(index * 13 % 300), startedAt: start)
            }
            try await QuizService.close(first, actor: .system, now: now, app: app)
            try await seedTies(rounds[1])
        case .staffContest:
            // Past its deadline, not yet closed: the organiser closes and ranks it.
            try await seedTies(rounds[0])
        }
        try await AuditLog.record(on: db, actor: .system, at: now, action: "import", entityType: "quizContest", entityID: contestID, summary: "Nạp cuộc thi mẫu")
    }
}
