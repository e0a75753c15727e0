import DanVanCore
import DanVanDocuments
import DanVanTasks
import Fluent
import Foundation
import Vapor

/// The demo's documents: four kinds the board really receives (a plan, a directive, a
/// conclusions notice, a letter), written for the fictional province, each registered by the
/// board and followed up so that the library, the calendar, the task list and the dashboard
/// show tasks in every state.
enum DemoDocuments {
    /// What a unit has done on its task by the time the demo starts.
    struct Step {
        /// The lead unit's code.
        let unit: String
        /// The reporting account.
        let by: String
        /// Progress reported; 100 asks for acceptance.
        let progress: Int
        /// What the unit wrote.
        let note: String
        /// Days before "now" when it reported.
        var daysAgo: Double = 3
        /// Whether the board accepted a completed task (a day after the report).
        var accepted = false
    }

    /// One document and its follow-up.
    struct Item {
        let text: String
        /// Days before "now" when the board registered it.
        let registeredDaysAgo: Double
        let steps: [Step]
    }

    static let items: [Item] = [
        Item(text: plan, registeredDaysAgo: 300, steps: [
            Step(unit: "MTTQ", by: "daumoi.mttq", progress: 40, note: "Đã xây dựng thể lệ, bộ câu hỏi; đang phát động.", daysAgo: 20),
            Step(unit: "X-TL", by: "daumoi.tanlap", progress: 100, note: "Mô hình đã đi vào hoạt động, gửi báo cáo kết quả.", daysAgo: 2),
        ]),
        Item(text: directive, registeredDaysAgo: 280, steps: [
            Step(unit: "UB", by: "chuyenvien", progress: 100, note: "UBND tỉnh đã ban hành Công văn chỉ đạo công khai thủ tục hành chính; gửi kèm báo cáo.", daysAgo: 40, accepted: true),
            Step(unit: "X-DT", by: "chuyenvien", progress: 60, note: "Đã dự thảo quy chế, đang lấy ý kiến Nhân dân ở 5 thôn.", daysAgo: 10),
        ]),
        Item(text: notice, registeredDaysAgo: 100, steps: [
            Step(unit: "X-TL", by: "daumoi.tanlap", progress: 100, note: "Đã đối thoại, thống nhất phương án giao đất sản xuất; 12/12 hộ đồng thuận.", daysAgo: 30, accepted: true),
            Step(unit: "MTTQ", by: "daumoi.mttq", progress: 100, note: "Đã hướng dẫn và tổ chức giám sát; gửi báo cáo kết quả giám sát.", daysAgo: 4),
        ]),
        Item(text: letter, registeredDaysAgo: 12, steps: [
            Step(unit: "P-HL", by: "daumoi", progress: 30, note: "Đang tổng hợp số liệu mô hình của các khu phố.", daysAgo: 1),
        ]),
    ]

    /// Registers every demo document and plays its follow-up, then runs the task jobs once
    /// (occurrences of recurring tasks, overdue marks, reminders), as the scheduler would.
    static func load(app: Application) async throws {
        guard let board = try await OrgUnit.query(on: app.db).filter(\.$code == "TU-BTGDV").first() else { return }
        let now = app.clock.now()
        let specialist = AuditActor(id: nil, name: "chuyenvien", address: nil)
        let codes = Dictionary(uniqueKeysWithValues: try await OrgUnit.query(on: app.db).all().map { ($0.id ?? UUID(), $0.code) })
        for item in items {
            let registeredAt = now.addingTimeInterval(-item.registeredDaysAgo * 86_400)
            let (_, tasks) = try await TaskService.registerFromText(item.text, unitID: try board.requireID(), actor: specialist, at: registeredAt, on: app.db)
            for step in item.steps {
                for task in tasks where codes[task.$leadUnit.id] == step.unit {
                    let at = max(registeredAt.addingTimeInterval(3600), now.addingTimeInterval(-step.daysAgo * 86_400))
                    try await TaskService.reportProgress(
                        task, text: step.note, progress: step.progress, expectedVersion: task.version,
                        actor: AuditActor(id: nil, name: step.by, address: nil), unitID: task.$leadUnit.id, at: at, on: app.db
                    )
                    if step.accepted {
                        try await TaskService.review(task, accept: true, comment: "Đạt yêu cầu.", expectedVersion: task.version, actor: specialist, at: min(now, at.addingTimeInterval(86_400)), on: app.db)
                    }
                }
            }
        }
        _ = try await TaskJobs.run(on: app.db, now: now, reminderDays: app.config.reminderDays)
    }

    /// The provincial plan for the year's mass-mobilisation work.
    static let plan = """
    TỈNH ỦY THANH BÌNH
    Số: 12-KH/TU
    Thanh Bình, ngày 15 tháng 01 năm 2026

    KẾ HOẠCH
    thực hiện công tác dân vận năm 2026

    Căn cứ Kết luận số 43-KL/TW, ngày 07/01/2019 của Ban Bí thư và Chỉ thị số 08-CT/TU, ngày 20/3/2022 của Ban Thường vụ Tỉnh ủy, Ban Thường vụ Tỉnh ủy ban hành Kế hoạch như sau:

    I. MỤC ĐÍCH, YÊU CẦU

    1. Nâng cao chất lượng công tác dân vận của cả hệ thống chính trị.

    II. NHIỆM VỤ

    1. Giao Ban Tuyên giáo và Dân vận Tỉnh ủy chủ trì, phối hợp với Sở Nội vụ theo dõi, đôn đốc việc thực hiện Kế hoạch này. Định kỳ 6 tháng, 01 năm báo cáo Ban Thường vụ Tỉnh ủy.

    2. Ủy ban MTTQ Việt Nam tỉnh chủ trì, phối hợp với Hội Nông dân tỉnh, Hội Liên hiệp Phụ nữ tỉnh tổ chức Cuộc thi trắc nghiệm về “Dân vận khéo”. Hoàn thành trong quý III/2026.

    3. Giao Phường Hòa Lạc tổ chức đối thoại với Nhân dân về bồi thường, giải phóng mặt bằng dự án đường ven sông. Hoàn thành trong quý I/2026.

    4. Giao Xã Tân Lập xây dựng mô hình “Dân vận khéo” trong phát triển kinh tế. Hoàn thành trước ngày 30/11/2026.

    5. Sở Dân tộc và Tôn giáo chủ động tham mưu thăm hỏi chức sắc tôn giáo nhân các ngày lễ lớn. Thực hiện hàng năm.

    6. Báo và Phát thanh, Truyền hình Thanh Bình đẩy mạnh tuyên truyền các mô hình, điển hình “Dân vận khéo”. Hoàn thành trong năm 2026.

    7. Giao Ban Tổ chức Tỉnh ủy tham mưu sơ kết 5 năm thực hiện Chỉ thị số 08-CT/TU. Thời gian sơ kết vào quý II/2027.

    Nơi nhận:
    - Các đảng bộ trực thuộc,
    - Các sở, ban, ngành tỉnh,
    - Lưu VPTU.

    T/M BAN THƯỜNG VỤ
    BÍ THƯ

    Nguyễn Văn An
    """

    /// A directive of the provincial standing committee.
    static let directive = """
    TỈNH ỦY THANH BÌNH
    Số: 05-CT/TU
    Thanh Bình, ngày 05 tháng 02 năm 2026

    CHỈ THỊ
    về tăng cường công tác dân vận trong thực hiện dân chủ ở cơ sở

    Thời gian qua, việc thực hiện dân chủ ở cơ sở trên địa bàn tỉnh có nhiều chuyển biến; tuy nhiên ở một số nơi việc công khai, đối thoại với Nhân dân còn hình thức. Để khắc phục, Ban Thường vụ Tỉnh ủy yêu cầu:

    1. Ban Tuyên giáo và Dân vận Tỉnh ủy chủ trì, phối hợp với Ban Tổ chức Tỉnh ủy hướng dẫn, kiểm tra việc thực hiện Chỉ thị này. Định kỳ hằng năm báo cáo Ban Thường vụ Tỉnh ủy.

    2. Đảng đoàn Hội đồng nhân dân tỉnh lãnh đạo Hội đồng nhân dân tỉnh giám sát chuyên đề việc thực hiện dân chủ ở cơ sở. Hoàn thành trong quý IV/2026.

    3. Ủy ban nhân dân tỉnh chỉ đạo các sở, ngành công khai thủ tục hành chính, tiếp nhận và trả lời phản ánh của Nhân dân. Hoàn thành trước ngày 30/9/2026.

    4. Sở Nội vụ tham mưu Ủy ban nhân dân tỉnh tổ chức hội nghị đối thoại giữa Chủ tịch Ủy ban nhân dân tỉnh với Nhân dân. Hoàn thành trong quý III/2026.

    5. Xã Đồng Tâm xây dựng quy chế dân chủ trong hoạt động của thôn, gắn với hương ước. Hoàn thành trước ngày 31/12/2026.

    Nơi nhận:
    - Các đảng bộ trực thuộc,
    - Các sở, ban, ngành tỉnh,
    - Lưu VPTU.

    T/M BAN THƯỜNG VỤ
    BÍ THƯ

    Nguyễn Văn An
    """

    /// The standing committee's conclusions after a working session with a commune.
    static let notice = """
    TỈNH ỦY THANH BÌNH
    Số: 88-TB/TU
    Thanh Bình, ngày 24 tháng 8 năm 2026

    THÔNG BÁO
    KẾT LUẬN CỦA THƯỜNG TRỰC TỈNH ỦY
    tại buổi làm việc với Ban Thường vụ Đảng ủy xã Tân Lập

    Ngày 20/8/2026, Thường trực Tỉnh ủy làm việc với Ban Thường vụ Đảng ủy xã Tân Lập về tình hình thực hiện nhiệm vụ chính trị và công tác dân vận. Sau khi nghe báo cáo và ý kiến của các đồng chí dự họp, Thường trực Tỉnh ủy kết luận như sau:

    1. Giao Xã Tân Lập tổ chức đối thoại, giải quyết dứt điểm kiến nghị của Nhân dân thôn Bãi Giữa về giao đất sản xuất. Hoàn thành trước ngày 31/12/2026.

    2. Ủy ban MTTQ Việt Nam tỉnh hướng dẫn Ủy ban MTTQ xã Tân Lập giám sát việc giải quyết kiến nghị sau đối thoại. Hoàn thành trong quý IV/2026.

    3. Giao Ban Tuyên giáo và Dân vận Tỉnh ủy theo dõi, đôn đốc việc thực hiện Thông báo này, báo cáo Thường trực Tỉnh ủy. Hoàn thành trước ngày 30/11/2026.

    Nơi nhận:
    - Ban Thường vụ Đảng ủy xã Tân Lập,
    - Ban Tuyên giáo và Dân vận Tỉnh ủy,
    - Lưu VPTU.

    T/L BAN THƯỜNG VỤ
    CHÁNH VĂN PHÒNG

    Lê Thị Thu
    """

    /// A letter of the board asking units for their "Dân vận khéo" reports.
    static let letter = """
    TỈNH ỦY THANH BÌNH
    BAN TUYÊN GIÁO VÀ DÂN VẬN
    Số: 215-CV/BTGDVTU
    Thanh Bình, ngày 20 tháng 11 năm 2026
    V/v báo cáo kết quả phong trào thi đua “Dân vận khéo” năm 2026

    Kính gửi:
    - Ban Thường vụ các đảng ủy xã, phường;
    - Ủy ban MTTQ Việt Nam tỉnh.

    Thực hiện Kế hoạch số 12-KH/TU, ngày 15/01/2026 của Ban Thường vụ Tỉnh ủy, Ban Tuyên giáo và Dân vận Tỉnh ủy đề nghị:

    1. Phường Hòa Lạc báo cáo kết quả xây dựng, nhân rộng mô hình “Dân vận khéo” năm 2026 trước ngày 10/12/2026.

    2. Xã Tân Lập báo cáo kết quả xây dựng, nhân rộng mô hình “Dân vận khéo” năm 2026 trước ngày 10/12/2026.

    3. Ủy ban MTTQ Việt Nam tỉnh tổng hợp các mô hình tiêu biểu của các tổ chức chính trị - xã hội trước ngày 15/12/2026.

    KT. TRƯỞNG BAN
    PHÓ TRƯỞNG BAN

    Nguyễn Thị Lan
    """
}
