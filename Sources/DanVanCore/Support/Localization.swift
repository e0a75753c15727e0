import Foundation
import Leaf
import Vapor

/// The one localisation table. Vietnamese is complete; another language adds a table with
/// the same keys and falls back to Vietnamese for any key it lacks.
public enum L10n {
    /// A language the interface can be shown in.
    public enum Locale: String, Sendable, CaseIterable {
        /// Tiếng Việt (default).
        case vi
        /// English (partial; falls back to Vietnamese).
        case en
    }

    /// The text for `key` in `locale`, or the key itself when no table has it (a test checks
    /// that every key used by the views exists in the Vietnamese table).
    public static func text(_ key: String, _ locale: Locale = .vi) -> String {
        if locale != .vi, let value = tables[locale]?[key] { return value }
        return vi[key] ?? key
    }

    /// `text(key)` with `{0}`, `{1}`… replaced by `arguments`.
    public static func format(_ key: String, _ arguments: [String], _ locale: Locale = .vi) -> String {
        var result = text(key, locale)
        for (index, argument) in arguments.enumerated() {
            result = result.replacingOccurrences(of: "{\(index)}", with: argument)
        }
        return result
    }

    static let tables: [Locale: [String: String]] = [.vi: vi, .en: en]

    /// English starts with the shell so the mechanism is exercised; the rest falls back.
    static let en: [String: String] = [
        "app.name": "DanVan",
        "nav.home": "Home",
        "nav.units": "Units",
        "nav.users": "Users",
        "auth.login": "Sign in",
        "auth.logout": "Sign out",
    ]

    /// Vietnamese, NFC.
    public static let vi: [String: String] = viCore.merging(viQuiz) { core, _ in core }.merging(viQuizAdmin) { core, _ in core }

    static let viCore: [String: String] = [
        "app.name": "DanVan",
        "app.tagline": "Hệ thống quản lý công tác dân vận",
        "app.demoBanner": "Bản trình diễn: dữ liệu mẫu, mọi tài khoản có mật khẩu demo1234.",
        "app.skip": "Bỏ qua, tới nội dung chính",
        "app.menu": "Danh mục",

        "nav.home": "Trang chủ",
        "nav.documents": "Văn bản",
        "nav.tasks": "Nhiệm vụ",
        "nav.reports": "Báo cáo",
        "nav.emulation": "Dân vận khéo",
        "nav.citizens": "Đơn thư – Đối thoại",
        "nav.hotspots": "Điểm nóng",
        "nav.quiz": "Cuộc thi",
        "nav.units": "Đơn vị",
        "nav.users": "Người dùng",
        "nav.audit": "Nhật ký",
        "nav.account": "Tài khoản",
        "nav.soon": "sắp có",

        "role.admin": "Quản trị",
        "role.leader": "Lãnh đạo",
        "role.specialist": "Chuyên viên Ban Dân vận",
        "role.focal": "Cán bộ đầu mối",

        "auth.login": "Đăng nhập",
        "auth.logout": "Đăng xuất",
        "auth.username": "Tên đăng nhập",
        "auth.password": "Mật khẩu",
        "auth.loginTitle": "Đăng nhập hệ thống",
        "auth.invalid": "Tên đăng nhập hoặc mật khẩu không đúng.",
        "auth.disabled": "Tài khoản đã bị khóa. Liên hệ quản trị viên.",
        "auth.throttled": "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {0} phút.",
        "auth.required": "Vui lòng đăng nhập để tiếp tục.",
        "auth.loggedOut": "Bạn đã đăng xuất.",
        "auth.mustChange": "Bạn cần đổi mật khẩu trước khi tiếp tục làm việc.",

        "account.title": "Tài khoản của tôi",
        "account.changePassword": "Đổi mật khẩu",
        "account.currentPassword": "Mật khẩu hiện tại",
        "account.newPassword": "Mật khẩu mới",
        "account.confirmPassword": "Nhập lại mật khẩu mới",
        "account.passwordChanged": "Đã đổi mật khẩu.",
        "account.wrongCurrent": "Mật khẩu hiện tại không đúng.",
        "account.tooShort": "Mật khẩu phải có ít nhất 8 ký tự.",
        "account.mismatch": "Hai lần nhập mật khẩu mới không khớp.",
        "account.sameAsOld": "Mật khẩu mới phải khác mật khẩu hiện tại.",
        "account.tokens": "Khóa truy cập API",
        "account.tokensHelp": "Dùng cho phần mềm khác gọi API /api/v1 thay mặt bạn. Khóa chỉ hiện một lần khi tạo.",
        "account.tokenName": "Tên gợi nhớ",
        "account.createToken": "Tạo khóa",
        "account.tokenCreated": "Khóa mới (sao chép ngay, sẽ không hiện lại):",
        "account.revoke": "Thu hồi",
        "account.revoked": "Đã thu hồi khóa.",
        "account.noTokens": "Chưa có khóa nào.",
        "account.profile": "Thông tin",

        "home.title": "Trang chủ",
        "home.greeting": "Xin chào, {0}",
        "home.scope": "Phạm vi dữ liệu",
        "home.scopeAll": "Toàn tỉnh",
        "home.todo": "Việc cần làm",
        "home.nothingToDo": "Không có việc tồn đọng.",
        "home.units": "Đơn vị đang hoạt động",
        "home.unitsEnded": "Đơn vị đã giải thể, sáp nhập",
        "home.users": "Tài khoản đang hoạt động",
        "home.usersDisabled": "Tài khoản bị khóa",
        "home.failedLogins": "Đăng nhập sai (24 giờ)",
        "home.recentAudit": "Thao tác gần đây",
        "home.todoNoFocal": "{0} đơn vị chưa có cán bộ đầu mối",
        "home.todoMustChange": "{0} tài khoản chưa đổi mật khẩu được cấp",
        "home.todoOwnPassword": "Đổi mật khẩu được cấp cho bạn",
        "home.myUnit": "Đơn vị của tôi",
        "home.subunits": "Đơn vị trực thuộc",
        "home.colleagues": "Cán bộ cùng đơn vị",
        "home.modulesSoon": "Các phân hệ Văn bản, Nhiệm vụ, Báo cáo, Dân vận khéo, Đơn thư, Điểm nóng và Cuộc thi đang được triển khai; số liệu của chúng sẽ hiện tại đây.",

        "unit.title": "Đơn vị",
        "unit.tree": "Cây tổ chức",
        "unit.name": "Tên đơn vị",
        "unit.shortName": "Tên viết tắt",
        "unit.code": "Mã đơn vị",
        "unit.kind": "Loại đơn vị",
        "unit.level": "Cấp",
        "unit.parent": "Đơn vị cấp trên",
        "unit.noParent": "(Không có — cấp cao nhất)",
        "unit.sortOrder": "Thứ tự hiển thị",
        "unit.status": "Trạng thái",
        "unit.oversight": "Lãnh đạo, chuyên viên của đơn vị này theo dõi toàn tỉnh",
        "unit.successor": "Đơn vị kế thừa",
        "unit.predecessors": "Tiếp nhận từ",
        "unit.endedOn": "Ngày kết thúc",
        "unit.new": "Thêm đơn vị",
        "unit.newChild": "Thêm đơn vị trực thuộc",
        "unit.edit": "Sửa",
        "unit.dissolve": "Giải thể / sáp nhập",
        "unit.reactivate": "Khôi phục hoạt động",
        "unit.children": "Đơn vị trực thuộc",
        "unit.members": "Tài khoản thuộc đơn vị",
        "unit.history": "Lịch sử thay đổi",
        "unit.search": "Tìm đơn vị (gõ không dấu cũng được)",
        "unit.showEnded": "Hiện cả đơn vị đã kết thúc",
        "unit.export": "Xuất CSV",
        "unit.import": "Nhập CSV",
        "unit.importHelp": "Tệp CSV (UTF-8, dấu phẩy hoặc chấm phẩy) với các cột: code, name, short_name, kind, level, parent_code, sort_order, oversight. Đơn vị có mã đã tồn tại sẽ được cập nhật; nếu có dòng lỗi thì không dòng nào được lưu.",
        "unit.importFile": "Tệp CSV",
        "unit.importDone": "Đã nhập: {0} đơn vị mới, {1} đơn vị cập nhật.",
        "unit.importErrors": "Tệp có lỗi, chưa lưu dòng nào:",
        "unit.childrenActive": "Còn {0} đơn vị trực thuộc đang hoạt động: chuyển hoặc kết thúc các đơn vị đó trước.",
        "unit.saved": "Đã lưu đơn vị.",
        "unit.dissolved": "Đã cập nhật trạng thái đơn vị.",
        "unit.path": "Trực thuộc",
        "unit.count": "{0} đơn vị",
        "unit.none": "Không tìm thấy đơn vị nào.",
        "unit.endedNote": "Đơn vị đã kết thúc hoạt động; hồ sơ của đơn vị vẫn được lưu giữ và tra cứu.",
        "unit.dissolveHelp": "Đơn vị kết thúc hoạt động không bị xóa: hồ sơ cũ vẫn thuộc về đơn vị này. Khi sáp nhập, chọn đơn vị kế thừa để công việc mới chuyển về đó.",

        "unit.status.active": "Đang hoạt động",
        "unit.status.dissolved": "Đã giải thể",
        "unit.status.merged": "Đã sáp nhập",

        "unit.kind.partyCommittee": "Cấp ủy đảng",
        "unit.kind.partyBoard": "Ban, cơ quan tham mưu của cấp ủy",
        "unit.kind.partyDelegation": "Ban cán sự đảng, Đảng đoàn",
        "unit.kind.peoplesCouncil": "Hội đồng nhân dân",
        "unit.kind.government": "Ủy ban nhân dân (chính quyền)",
        "unit.kind.department": "Sở, ban, ngành",
        "unit.kind.fatherlandFront": "Mặt trận Tổ quốc",
        "unit.kind.socioPolitical": "Tổ chức chính trị - xã hội",
        "unit.kind.armedForces": "Lực lượng vũ trang",
        "unit.kind.press": "Báo chí",
        "unit.kind.commune": "Xã, phường",
        "unit.kind.village": "Thôn, ấp, khu phố",
        "unit.kind.other": "Khác",

        "unit.level.province": "Cấp tỉnh",
        "unit.level.district": "Cấp huyện (trước 01/7/2025)",
        "unit.level.commune": "Cấp xã",
        "unit.level.village": "Thôn, khu phố",

        "user.title": "Người dùng",
        "user.username": "Tên đăng nhập",
        "user.fullName": "Họ và tên",
        "user.role": "Vai trò",
        "user.unit": "Đơn vị",
        "user.email": "Thư điện tử",
        "user.phone": "Điện thoại",
        "user.status": "Trạng thái",
        "user.active": "Đang hoạt động",
        "user.disabled": "Đã khóa",
        "user.lastLogin": "Đăng nhập gần nhất",
        "user.new": "Thêm người dùng",
        "user.initialPassword": "Mật khẩu ban đầu",
        "user.disable": "Khóa tài khoản",
        "user.enable": "Mở khóa",
        "user.resetPassword": "Đặt lại mật khẩu",
        "user.resetHelp": "Người dùng sẽ phải đổi mật khẩu này ở lần đăng nhập tiếp theo.",
        "user.saved": "Đã lưu người dùng.",
        "user.disabledDone": "Đã khóa tài khoản.",
        "user.enabledDone": "Đã mở khóa tài khoản.",
        "user.passwordReset": "Đã đặt lại mật khẩu.",
        "user.cannotDisableSelf": "Không thể tự khóa tài khoản của chính mình.",
        "user.mustChange": "Phải đổi mật khẩu",
        "user.none": "Không có người dùng nào.",
        "user.search": "Tìm theo tên, tên đăng nhập",

        "audit.title": "Nhật ký thao tác",
        "audit.at": "Thời điểm",
        "audit.actor": "Người thực hiện",
        "audit.action": "Thao tác",
        "audit.entity": "Đối tượng",
        "audit.entityID": "Mã bản ghi",
        "audit.summary": "Nội dung",
        "audit.before": "Trước",
        "audit.after": "Sau",
        "audit.from": "Từ ngày",
        "audit.to": "Đến ngày",
        "audit.filter": "Lọc",
        "audit.none": "Không có bản ghi nhật ký phù hợp.",
        "audit.address": "Địa chỉ IP",
        "audit.action.create": "Tạo mới",
        "audit.action.update": "Cập nhật",
        "audit.action.delete": "Xóa",
        "audit.action.login": "Đăng nhập",
        "audit.action.loginFailed": "Đăng nhập thất bại",
        "audit.action.logout": "Đăng xuất",
        "audit.action.import": "Nhập dữ liệu",
        "audit.action.move": "Chuyển cấp trên",
        "audit.action.dissolve": "Giải thể, sáp nhập",
        "audit.action.password": "Đổi mật khẩu",

        "document.duplicate": "Văn bản có số hiệu này đã được đăng ký. Mở văn bản đã có, hoặc đánh dấu “Vẫn đăng ký” nếu đây là văn bản khác.",
        "document.rowErrors": "Một số nhiệm vụ còn thiếu thông tin: xem các dòng được đánh dấu.",
        "api.progressInvalid": "Cần nội dung (text), tiến độ 0–100 (progress) và phiên bản hiện tại (version).",
        "api.textRequired": "Cần nội dung văn bản (text).",
        "common.save": "Lưu",
        "common.cancel": "Hủy",
        "common.back": "Quay lại",
        "common.search": "Tìm",
        "common.all": "Tất cả",
        "common.yes": "Có",
        "common.no": "Không",
        "common.actions": "Thao tác",
        "common.details": "Chi tiết",
        "common.previous": "Trang trước",
        "common.next": "Trang sau",
        "common.page": "Trang {0}",
        "common.required": "Bắt buộc nhập.",
        "common.fixErrors": "Vui lòng sửa các mục được đánh dấu bên dưới.",
        "common.tooLong": "Quá dài (tối đa {0} ký tự).",
        "common.invalidChoice": "Giá trị không hợp lệ.",
        "common.invalidDate": "Ngày không hợp lệ (dd/mm/yyyy).",

        "error.title": "Có lỗi xảy ra",
        "error.400": "Yêu cầu không hợp lệ.",
        "error.401": "Vui lòng đăng nhập để tiếp tục.",
        "error.403": "Bạn không có quyền truy cập trang này.",
        "error.404": "Không tìm thấy trang hoặc bản ghi được yêu cầu.",
        "error.409": "Dữ liệu đã bị thay đổi hoặc bị trùng. Vui lòng tải lại và thử lại.",
        "error.413": "Tệp hoặc dữ liệu gửi lên quá lớn.",
        "error.415": "Định dạng dữ liệu gửi lên không được hỗ trợ.",
        "error.429": "Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút.",
        "error.500": "Hệ thống gặp sự cố ngoài ý muốn. Dữ liệu của bạn không bị mất; vui lòng thử lại sau.",
        "error.503": "Hệ thống tạm thời không sẵn sàng. Vui lòng thử lại sau.",
        "error.csrf": "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và gửi lại.",
        "error.badForm": "Dữ liệu biểu mẫu không đọc được. Vui lòng kiểm tra và gửi lại.",
        "error.home": "Về trang chủ",
        "error.duplicateCode": "Mã đơn vị này đã được dùng.",
        "error.duplicateUsername": "Tên đăng nhập này đã được dùng.",
        "error.cycle": "Không thể chuyển đơn vị vào chính nó hoặc đơn vị trực thuộc của nó.",
        "error.successorSelf": "Đơn vị kế thừa phải là đơn vị khác, đang hoạt động.",
        "error.unitEnded": "Đơn vị này đã kết thúc hoạt động.",
        "error.usernameFormat": "Chỉ dùng chữ không dấu, số, dấu chấm, gạch dưới, gạch ngang (3–40 ký tự).",
        "error.outOfScope": "Đơn vị này nằm ngoài phạm vi của bạn.",
    ]
}

/// `#t("key")` in a view: the localised text of `key` for the request's language.
public struct TranslateTag: LeafTag {
    /// Creates the tag.
    public init() {}

    /// Renders the text; extra parameters fill `{0}`, `{1}`….
    public func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string else {
            throw Abort(.internalServerError, reason: "#t() cần một khóa")
        }
        let locale = (ctx.userInfo["request"] as? Request)?.locale ?? .vi
        let arguments = ctx.parameters.dropFirst().map { $0.string ?? "" }
        return .string(L10n.format(key, Array(arguments), locale))
    }
}

extension Request {
    /// The interface language: `?lang=en` or the `lang` cookie, else Vietnamese.
    public var locale: L10n.Locale {
        if let value = cookies["lang"]?.string, let locale = L10n.Locale(rawValue: value) { return locale }
        return .vi
    }

    /// Shorthand for `L10n.text(key, locale)`.
    public func t(_ key: String, _ arguments: String...) -> String {
        L10n.format(key, arguments, locale)
    }
}
