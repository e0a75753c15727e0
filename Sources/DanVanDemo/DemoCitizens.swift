import DanVanCitizens
import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// Demo citizens' work: four months of submissions in every state (one overdue on land, one
/// reopened by its sender, a mass complaint, a protected denunciation, a cluster of land
/// disputes that has raised a warning), reception days and a dialogue whose commitments are
/// tasks, two hot spots, and a coastal road whose refusals are rising in one commune.
public enum DemoCitizens {
    struct Case {
        let daysAgo: Int
        let commune: String
        let kind: PetitionKind
        let field: PetitionField
        let channel: PetitionChannel
        let sender: String
        let summary: String
        let content: String
        /// What happened: nil = just received; "accept" with the day offset; "resolve" offsets…
        let acceptAfter: Int?
        let resolveAfter: Int?
        var senderCount = 1
        var representatives = ""
        var complexity: PetitionComplexity = .normal
        var remote = false
    }

    static let cases: [Case] = [
        Case(daysAgo: 118, commune: "X-TL", kind: .petition, field: .infrastructure, channel: .votersMeeting, sender: "Cử tri thôn Tân Thành", summary: "Kiến nghị nâng cấp đường bê tông thôn Tân Thành bị xuống cấp", content: "Cử tri thôn Tân Thành kiến nghị nâng cấp tuyến đường bê tông dài 1,2 km đã xuống cấp, mùa mưa ngập, học sinh đi lại khó khăn.", acceptAfter: 3, resolveAfter: 20),
        Case(daysAgo: 110, commune: "P-HL", kind: .feedback, field: .environment, channel: .online, sender: "Trần Văn Lộc", summary: "Phản ánh cơ sở chế biến hải sản xả nước thải ra cống chung", content: "Cơ sở chế biến hải sản ở khu phố Chợ xả nước thải chưa qua xử lý ra cống chung, bốc mùi hôi nhiều tháng nay.", acceptAfter: 2, resolveAfter: 35),
        Case(daysAgo: 96, commune: "X-DT", kind: .complaint, field: .compensation, channel: .reception, sender: "Nguyễn Thị Hoa", summary: "Khiếu nại đơn giá bồi thường cây trồng khi thu hồi đất làm kênh thủy lợi", content: "Bà Hoa khiếu nại Quyết định bồi thường vì đơn giá cây ăn quả thấp hơn giá thị trường, đề nghị áp giá theo bảng giá năm 2026.", acceptAfter: 8, resolveAfter: 28),
        Case(daysAgo: 80, commune: "X-ES", kind: .complaint, field: .compensation, channel: .dialogue, sender: "Đại diện 42 hộ buôn Krông", summary: "Khiếu nại giá bồi thường, tái định cư dự án hồ chứa nước Ea Sô", content: "42 hộ dân buôn Krông khiếu nại giá đất bồi thường và vị trí khu tái định cư xa nương rẫy, đề nghị đối thoại với UBND tỉnh.", acceptAfter: 9, resolveAfter: nil, senderCount: 42, representatives: "Y Blong Niê\nH'Nga Êban\nY Thuột Mlô", complexity: .complex, remote: true),
        Case(daysAgo: 74, commune: "P-DS", kind: .petition, field: .socialPolicy, channel: .letter, sender: "Lê Thị Ngọc", summary: "Đề nghị xem xét hưởng trợ cấp người cao tuổi cho mẹ 82 tuổi", content: "Gia đình đã nộp hồ sơ từ tháng 5 nhưng chưa được xét hưởng trợ cấp xã hội cho mẹ 82 tuổi sống một mình.", acceptAfter: 1, resolveAfter: 12),
        Case(daysAgo: 66, commune: "X-PH", kind: .feedback, field: .administration, channel: .online, sender: "Võ Minh Tâm", summary: "Phản ánh chậm cấp giấy chứng nhận quyền sử dụng đất", content: "Hồ sơ cấp giấy chứng nhận nộp từ tháng 3 đã quá hạn giải quyết, bộ phận một cửa hẹn nhiều lần.", acceptAfter: 4, resolveAfter: 40),
        Case(daysAgo: 58, commune: "X-TL", kind: .complaint, field: .land, channel: .reception, sender: "Phạm Văn Sáu", summary: "Khiếu nại việc đo đạc lại ranh giới thửa đất giáp kênh", content: "Ông Sáu khiếu nại kết quả đo đạc làm thửa đất của gia đình hụt 120 m² so với giấy chứng nhận cấp năm 2004.", acceptAfter: 6, resolveAfter: nil),
        Case(daysAgo: 51, commune: "X-ML", kind: .petition, field: .ethnicReligious, channel: .votersMeeting, sender: "Cử tri bản Nà Hạ", summary: "Kiến nghị hỗ trợ sửa nhà văn hóa bản Nà Hạ", content: "Nhà văn hóa bản Nà Hạ dột nát, bà con kiến nghị hỗ trợ kinh phí sửa chữa để sinh hoạt cộng đồng và lễ hội.", acceptAfter: 5, resolveAfter: 30),
        Case(daysAgo: 44, commune: "P-HL", kind: .feedback, field: .infrastructure, channel: .press, sender: "Báo Thanh Bình phản ánh", summary: "Đèn chiếu sáng đường Lạc Long Quân hư hỏng kéo dài", content: "Báo Thanh Bình phản ánh 14 cột đèn chiếu sáng trên đường Lạc Long Quân không sáng hơn hai tháng, gây mất an toàn giao thông.", acceptAfter: 2, resolveAfter: 9),
        Case(daysAgo: 37, commune: "X-DT", kind: .petition, field: .land, channel: .reception, sender: "Đỗ Văn Khánh", summary: "Đề nghị giải quyết tranh chấp lối đi chung giữa hai hộ", content: "Hộ ông Khánh và hộ liền kề tranh chấp lối đi chung rộng 2 m, hòa giải ở thôn không thành.", acceptAfter: 3, resolveAfter: nil),
        Case(daysAgo: 30, commune: "X-PH", kind: .complaint, field: .compensation, channel: .letter, sender: "Huỳnh Văn Út", summary: "Khiếu nại việc chưa được hỗ trợ chuyển đổi nghề khi thu hồi đất làm đường ven biển", content: "Gia đình bị thu hồi 80% diện tích đất nông nghiệp làm đường ven biển nhưng chưa được hỗ trợ đào tạo, chuyển đổi nghề.", acceptAfter: 5, resolveAfter: nil),
        Case(daysAgo: 21, commune: "X-TL", kind: .petition, field: .land, channel: .reception, sender: "Hộ bà Trần Thị Lành", summary: "Tranh chấp ranh giới đất vườn với hộ liền kề ở thôn Bãi Giữa", content: "Hộ bà Lành và hộ liền kề tranh chấp 35 m² đất vườn, hai bên đã xảy ra xô xát.", acceptAfter: nil, resolveAfter: nil),
        Case(daysAgo: 14, commune: "X-TL", kind: .petition, field: .land, channel: .reception, sender: "Hộ ông Lê Văn Bảy", summary: "Đề nghị xác định lại mốc giới đất bãi bồi ven sông", content: "Nhiều hộ ở thôn Bãi Giữa sử dụng đất bãi bồi ven sông không rõ mốc giới, phát sinh mâu thuẫn khi thả bè.", acceptAfter: 2, resolveAfter: nil),
        Case(daysAgo: 9, commune: "X-TL", kind: .feedback, field: .land, channel: .online, sender: "Nguyễn Văn Tư", summary: "Phản ánh san lấp đất nông nghiệp trái phép ở thôn Đồng Sen", content: "Một số hộ thuê xe san lấp ruộng lúa để làm nhà xưởng, chưa được chuyển mục đích sử dụng đất.", acceptAfter: nil, resolveAfter: nil),
        Case(daysAgo: 5, commune: "P-TB", kind: .petition, field: .administration, channel: .online, sender: "Lâm Thị Thu", summary: "Đề nghị hướng dẫn thủ tục đăng ký thường trú cho con", content: "Chị Thu đề nghị phường hướng dẫn thủ tục đăng ký thường trú cho con mới sinh khi cha mẹ ở hai tỉnh khác nhau.", acceptAfter: nil, resolveAfter: nil),
        Case(daysAgo: 2, commune: "X-DT", kind: .feedback, field: .environment, channel: .votersMeeting, sender: "Cử tri thôn Gò Cao", summary: "Phản ánh trại heo gây ô nhiễm nguồn nước giếng", content: "Trại heo quy mô 500 con xả thải xuống mương, nước giếng các hộ xung quanh có mùi.", acceptAfter: nil, resolveAfter: nil),
    ]

    /// Loads the citizens' demo on the demo province.
    public static func load(app: Application) async throws {
        let db = app.db
        let now = app.clock.now()
        let today = VNFormat.calendar.startOfDay(for: now)
        let units = Dictionary(try await OrgUnit.query(on: db).all().map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        let users = Dictionary(try await User.query(on: db).all().map { ($0.username, $0) }, uniquingKeysWith: { a, _ in a })
        guard let board = units["TU-BTGDV-P2"], let specialist = users["chuyenvien"], let focal = users["daumoi.tanlap"] else { return }
        let keys = CitizenKeys.of(app)
        let clerk = AuditActor(id: specialist.id, name: specialist.username, address: nil)
        func day(_ offset: Int) -> Date { VNFormat.calendar.date(byAdding: .day, value: -offset, to: today)! }
        var created: [String: Petition] = [:]
        for item in cases {
            guard let commune = units[item.commune] else { continue }
            var input = PetitionInput()
            input.kind = item.kind
            input.channel = item.channel
            input.field = item.field
            input.complexity = item.complexity
            input.remote = item.remote
            input.senderName = item.sender
            input.senderAddress = commune.name
            input.senderCount = item.senderCount
            input.representatives = item.representatives
            input.communeID = commune.id
            input.unitID = commune.id
            input.summary = item.summary
            input.content = item.content
            input.receivedOn = day(item.daysAgo)
            let at = day(item.daysAgo).addingTimeInterval(9 * 3600)
            let (petition, _) = try await PetitionService.create(input, receivingUnitID: board.id!, keys: keys, actor: clerk, at: at, on: db)
            try await EarlyWarning.evaluate(after: petition, at: at, on: db)
            if let accept = item.acceptAfter {
                let accepted = day(item.daysAgo - accept)
                try await PetitionService.apply(.accept(on: accepted), to: petition, expectedVersion: petition.version, actor: clerk, at: accepted.addingTimeInterval(10 * 3600), on: db)
                if let resolve = item.resolveAfter {
                    let resolved = day(item.daysAgo - resolve)
                    try await PetitionService.apply(
                        .resolve(result: "Đã kiểm tra, xác minh và giải quyết theo thẩm quyền; trả lời bằng văn bản cho người gửi.", publicAnswer: "Đơn vị đã xem xét và giải quyết nội dung ông/bà nêu; chi tiết tại văn bản trả lời.", decision: "Văn bản trả lời số \(petition.number)/UBND", on: resolved),
                        to: petition, expectedVersion: petition.version, actor: clerk, at: resolved.addingTimeInterval(15 * 3600), on: db
                    )
                }
            }
            created[item.summary] = petition
        }
        // The sender of the street-lights petition says it is not solved: reopened.
        if let lights = created.values.first(where: { $0.summary.hasPrefix("Đèn chiếu sáng") }) {
            try await PetitionService.citizenAnswer(lights, satisfied: false, comment: "Mới sửa 6 cột, còn 8 cột vẫn tối.", at: day(20), on: db)
        }
        // A denunciation whose sender is protected; the commune's focal point handles it.
        var denunciation = PetitionInput()
        denunciation.kind = .denunciation
        denunciation.channel = .letter
        denunciation.field = .officials
        denunciation.complexity = .complex
        denunciation.senderName = "Người tố cáo giấu tên theo đơn"
        denunciation.senderAddress = "Thôn Lập Thạch, xã Tân Lập"
        denunciation.senderContact = "0905 000 000"
        denunciation.communeID = units["X-TL"]?.id
        denunciation.unitID = units["X-TL"]?.id
        denunciation.handlerID = focal.id
        denunciation.summary = "Tố cáo cán bộ địa chính xã nhận tiền khi làm hồ sơ cấp giấy chứng nhận"
        denunciation.content = "Người tố cáo cho biết một cán bộ địa chính xã yêu cầu nộp thêm tiền ngoài quy định để đẩy nhanh hồ sơ cấp giấy chứng nhận quyền sử dụng đất. (Nội dung đã lược bỏ thông tin nhận diện người tố cáo.)"
        denunciation.receivedOn = day(25)
        let (denounced, _) = try await PetitionService.create(denunciation, receivingUnitID: board.id!, keys: keys, actor: clerk, at: day(25).addingTimeInterval(9 * 3600), on: db)
        try await PetitionService.apply(.accept(on: day(22)), to: denounced, expectedVersion: denounced.version, actor: clerk, at: day(22).addingTimeInterval(9 * 3600), on: db)

        // Reception days and a dialogue with its commitments (tasks where Tasks is present).
        let monthStart = VNFormat.calendar.date(from: VNFormat.calendar.dateComponents([.year, .month], from: today))!
        func meeting(_ kind: CitizenMeeting.Kind, host: String, role: CitizenMeeting.HostRole, unit: String, commune: String?, on heldOn: Date, place: String, participants: Int,
                     topics: String, petitions: [Petition] = [], commitments: [MeetingInput.Commitment] = []) async throws {
            var input = MeetingInput()
            input.kind = kind
            input.hostName = host
            input.hostRole = role
            input.unitID = units[unit]?.id
            input.communeID = commune.flatMap { units[$0]?.id }
            input.heldOn = heldOn
            input.place = place
            input.participants = participants
            input.topics = topics
            input.minutes = "Biên bản ghi đầy đủ ý kiến của công dân và trả lời của người chủ trì."
            input.status = heldOn <= today ? .held : .planned
            input.commitments = commitments
            _ = try await MeetingService.create(input, petitionIDs: petitions.compactMap(\.id), followUps: app.followUps, actor: clerk, at: min(now, heldOn.addingTimeInterval(17 * 3600)), on: db)
        }
        try await meeting(.reception, host: "Bí thư Tỉnh ủy", role: .provinceSecretary, unit: "TU", commune: nil, on: max(monthStart, day(3)), place: "Trụ sở Tiếp công dân tỉnh", participants: 9,
                          topics: "Bồi thường dự án hồ chứa nước Ea Sô; chậm cấp giấy chứng nhận quyền sử dụng đất.")
        try await meeting(.reception, host: "Đặng Quốc Cường", role: .communeSecretary, unit: "X-TL", commune: "X-TL", on: max(monthStart, day(4)), place: "Trụ sở Đảng ủy xã Tân Lập", participants: 6,
                          topics: "Tranh chấp đất bãi bồi ven sông thôn Bãi Giữa.")
        let eaSo = created.values.first { $0.summary.contains("hồ chứa nước Ea Sô") }
        try await meeting(.dialogue, host: "Phó Chủ tịch UBND tỉnh", role: .other, unit: "UB", commune: "X-ES", on: day(40), place: "Nhà văn hóa buôn Krông, xã Ea Sô", participants: 57,
                          topics: "Giá đất bồi thường, vị trí khu tái định cư, hỗ trợ chuyển đổi nghề.", petitions: [eaSo].compactMap { $0 },
                          commitments: [
                              .init(content: "Rà soát, điều chỉnh giá đất bồi thường theo bảng giá mới", unitID: units["UB"]?.id, dueOn: next(day(40), plus: 30)),
                              .init(content: "Khảo sát bổ sung quỹ đất sản xuất gần khu tái định cư", unitID: units["X-ES"]?.id, dueOn: next(day(40), plus: 60)),
                          ])

        // Hot spots: the reservoir (active), the riverside land (from the warning, calming).
        if let eaSoCommune = units["X-ES"]?.id {
            var input = HotSpotInput()
            input.communeID = eaSoCommune
            input.field = .compensation
            input.title = "Khiếu kiện đông người về bồi thường dự án hồ chứa nước Ea Sô"
            input.description = "42 hộ đồng bào Ê Đê buôn Krông không đồng ý giá bồi thường và vị trí tái định cư; đã tập trung đông người tại trụ sở xã hai lần."
            input.people = 42
            input.severity = 4
            input.teams = "Tổ công tác Ban Dân vận và UBMTTQ tỉnh\nTổ vận động của Hội Nông dân xã Ea Sô\nNgười có uy tín buôn Krông"
            let spot = try await HotSpotService.create(input, links: [eaSo?.id].compactMap { $0 }.map { ("petition", $0) }, actor: clerk, unitName: board.name, at: day(70), on: db)
            try await HotSpotService.addUpdate(spot, text: "Sau đối thoại, 15 hộ đồng ý nhận tiền bồi thường; số còn lại chờ điều chỉnh giá.", status: .active, severity: 3,
                                               expectedVersion: spot.version, actor: clerk, unitName: board.name, at: day(35), on: db)
        }
        // The land disputes in Tân Lập have raised a warning; it stays open for the board to decide.

        // The coastal road: three communes, refusals rising in Phước Hưng.
        let road = try await ClearanceService.createProject(name: "Đường ven biển phía Đông (đoạn qua 3 xã)", description: "Thu hồi đất nông nghiệp và đất ở của 412 hộ; khởi công dự kiến quý II năm sau.",
                                                           unitID: board.id!, startedOn: day(120), actor: clerk, at: day(120), on: db)
        for (code, households, steps) in [("X-PH", 180, [(90, 60, 4), (45, 95, 5), (20, 118, 7), (3, 124, 12)]), ("X-DT", 142, [(90, 70, 3), (30, 120, 2), (5, 131, 1)]), ("P-DS", 90, [(60, 40, 0), (10, 82, 0)])] {
            guard let commune = units[code]?.id else { continue }
            for (ago, agreed, refusing) in steps {
                try await ClearanceService.updateArea(road, communeID: commune, households: households, agreed: agreed, refusing: refusing,
                                                      teams: "Tổ vận động Mặt trận xã\nĐoàn Thanh niên, Hội Nông dân xã", expectedVersion: nil, actor: clerk, at: day(ago), on: db)
            }
            if let area = try await ClearanceArea.query(on: db).filter(\.$project.$id == road.id!).filter(\.$commune.$id == commune).first() {
                try await ClearanceService.addVisit(area, team: "Tổ vận động Mặt trận xã", visitedOn: day(6), householdsMet: min(households, 12),
                                                    note: "Các hộ đề nghị được bố trí tái định cư tại chỗ và hỗ trợ chuyển đổi nghề biển.", actor: clerk, at: day(6), on: db)
            }
        }
        if let out = created.values.first(where: { $0.summary.contains("đường ven biển") }), let area = try await ClearanceArea.query(on: db).filter(\.$project.$id == road.id!).filter(\.$commune.$id == units["X-PH"]!.id!).first() {
            try await ClearanceService.link(area, petition: out, actor: clerk, at: now, on: db)
        }
    }

    /// `plus` days after `start`, moved to a working day.
    static func next(_ start: Date, plus days: Int) -> Date {
        WorkingCalendar().addingCalendarDays(days, to: LunarCalendar.SolarDate(start)).start
    }
}
