import Foundation
import Leaf
import Vapor

/// The one localisation table. Core's keys are built in; every other module contributes its
/// own (`DanVanModule.localization`), registered when the app is configured. Vietnamese is
/// complete; another language has a table with the same keys and falls back to Vietnamese
/// for any key it lacks.
public enum L10n {
    /// A language the interface can be shown in.
    public enum Locale: String, Sendable, CaseIterable {
        /// Tiếng Việt (default).
        case vi
        /// English (the shell and the documents library; the rest falls back to Vietnamese).
        case en
    }

    /// Texts by key, for one language.
    public typealias Table = [String: String]
    /// A module's texts, by language.
    public typealias Tables = [Locale: Table]

    /// The text for `key` in `locale`, or the key itself when no table has it (a test checks
    /// that every key the views and the code use exists in the Vietnamese table).
    public static func text(_ key: String, _ locale: Locale = .vi) -> String {
        store.text(key, locale) ?? key
    }

    /// `text(key)` with `{0}`, `{1}`… replaced by `arguments`.
    public static func format(_ key: String, _ arguments: [String], _ locale: Locale = .vi) -> String {
        fill(text(key, locale), arguments)
    }

    /// `template` with each `{n}` (n < `arguments.count`) replaced by `arguments[n]`, in one
    /// pass over its bytes (Foundation's `replacingOccurrences` per argument showed in the
    /// home page's profile). Replaced texts are not scanned again.
    static func fill(_ template: String, _ arguments: [String]) -> String {
        guard !arguments.isEmpty, template.utf8.contains(UInt8(ascii: "{")) else { return template }
        let bytes = Array(template.utf8)
        var result = ""
        result.reserveCapacity(bytes.count + arguments.reduce(0) { $0 + $1.utf8.count })
        var start = 0, index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "{") {
                var end = index + 1, number = 0, digits = 0
                while end < bytes.count, bytes[end] >= UInt8(ascii: "0"), bytes[end] <= UInt8(ascii: "9"), digits < 4 {
                    number = number * 10 + Int(bytes[end] - UInt8(ascii: "0"))
                    end += 1
                    digits += 1
                }
                if digits > 0, end < bytes.count, bytes[end] == UInt8(ascii: "}"), number < arguments.count {
                    result += String(decoding: bytes[start..<index], as: UTF8.self)
                    result += arguments[number]
                    index = end + 1
                    start = index
                    continue
                }
            }
            index += 1
        }
        result += String(decoding: bytes[start..<bytes.count], as: UTF8.self)
        return result
    }

    /// Adds a module's texts. Registering the same texts again (each test app configures the
    /// modules anew) changes nothing; a key another module already gave a different text
    /// keeps the first text and is listed in `conflicts`.
    public static func register(_ tables: Tables) {
        store.register(tables)
    }

    /// Every Vietnamese text: Core's and the registered modules'.
    public static var vi: Table { store.table(.vi) }

    /// The texts of `locale` that exist (no fallback).
    public static func table(_ locale: Locale) -> Table { store.table(locale) }

    /// Keys two modules registered with different texts (a test keeps this empty).
    public static var conflicts: Set<String> { store.conflicts }

    private static let store = TableStore([.vi: viCore, .en: enCore])

    /// English for the shell: navigation, sign-in, common words, error pages.
    static let enCore: Table = [
        "app.name": "DanVan",
        "app.tagline": "Mass mobilisation work management",
        "app.demoBanner": "Demo: sample data, every account's password is demo1234.",
        "app.skip": "Skip to main content",
        "app.menu": "Menu",
        "app.viec_can_lam": "To do",
        "app.lang.vi": "Tiếng Việt",
        "app.lang.en": "English",
        "nav.home": "Home",
        "nav.documents": "Documents",
        "nav.tasks": "Tasks",
        "nav.reports": "Reports",
        "nav.emulation": "Skilful mobilisation",
        "nav.citizens": "Petitions – Dialogues",
        "nav.hotspots": "Hot spots",
        "nav.quiz": "Contests",
        "nav.units": "Units",
        "nav.users": "Users",
        "nav.audit": "Audit log",
        "nav.account": "Account",
        "nav.soon": "coming soon",
        "role.admin": "Administrator",
        "role.leader": "Leader",
        "role.specialist": "Mass Mobilisation specialist",
        "role.focal": "Focal officer",
        "auth.login": "Sign in",
        "auth.logout": "Sign out",
        "auth.username": "Username",
        "auth.password": "Password",
        "auth.loginTitle": "Sign in",
        "auth.invalid": "Wrong username or password.",
        "auth.disabled": "This account is locked. Contact an administrator.",
        "auth.throttled": "Too many failed sign-ins. Please try again in {0} minutes.",
        "error.reference": "Reference for support: {0}",
        "auth.required": "Please sign in to continue.",
        "auth.loggedOut": "You have signed out.",
        "auth.mustChange": "Please change the password you were given before you continue.",
        "common.save": "Save",
        "common.cancel": "Cancel",
        "picker.search": "Type a unit name, marks optional",
        "picker.none": "No unit matches",
        "picker.remove": "Remove {0}",
        "picker.typed": "Add a unit: type its name (several separated by ;)",
        "common.back": "Back",
        "common.search": "Search",
        "common.all": "All",
        "common.yes": "Yes",
        "common.no": "No",
        "common.actions": "Actions",
        "common.details": "Details",
        "common.previous": "Previous page",
        "common.next": "Next page",
        "common.page": "Page {0}",
        "common.required": "Required.",
        "common.fixErrors": "Please correct the fields marked below.",
        "common.tooLong": "Too long (at most {0} characters).",
        "common.invalidChoice": "Invalid value.",
        "common.invalidDate": "Invalid date (dd/mm/yyyy).",
        "error.title": "Something went wrong",
        "error.400": "The request is not valid.",
        "error.401": "Please sign in to continue.",
        "error.403": "You may not open this page.",
        "error.404": "The page or record was not found.",
        "error.409": "The data was changed by someone else or is a duplicate. Please reload and try again.",
        "error.413": "The file or data sent is too large.",
        "error.415": "This data format is not supported.",
        "error.429": "Too fast. Please try again in a few minutes.",
        "error.500": "Something unexpected went wrong. Your data is safe; please try again later.",
        "error.503": "The system is temporarily unavailable. Please try again later.",
        "error.csrf": "The form has expired or is not valid. Please reload the page and send it again.",
        "api.page.limit": "The limit parameter must be a whole number from 1 to {0}.",
        "core.secretKeyShort": "DANVAN_SECRET_KEY must be at least 32 characters long.",
        "core.secretKeyFileBad": "The secret key file {0} cannot be read or created (it needs at least 32 characters).",
        "api.page.offset": "The offset parameter must be a whole number, zero or more.",
        "api.page.limitDoc": "Items per page (25 by default, at most {0}).",
        "api.page.offsetDoc": "Items skipped from the start of the list.",
        "error.badForm": "The form data could not be read. Please check it and send it again.",
        "error.home": "Back to the home page",
    ]

    /// Vietnamese for Core, NFC.
    static let viCore: [String: String] = [
        "app.lang.vi": "Tiếng Việt",
        "app.lang.en": "English",
        "units.tao_don_vi": "Tạo đơn vị {0}",
        "units.chuyen_cap_nhat_don_vi": "Chuyển, cập nhật đơn vị ",
        "units.cap_nhat_don_vi": "Cập nhật đơn vị ",
        "units.tep_rong": "Tệp rỗng.",
        "units.thieu_cot": "Thiếu cột \"{0}\".",
        "units.co": "có",
        "units.ma_trung_voi_dong": "Mã \"{0}\" trùng với dòng {1}.",
        "units.khong_tim_thay_don_vi_cap": "Không tìm thấy đơn vị cấp trên có mã \"{0}\".",
        "units.quan_he_cap_tren_tao_thanh": "Quan hệ cấp trên tạo thành vòng lặp.",
        "units.nhap_csv_don_vi_moi_cap": "Nhập CSV: {0} đơn vị mới, {1} cập nhật",
        "units.ten": "Tên",
        "units.ma": "Mã",
        "units.loai": "Loại",
        "units.cap": "Cấp",
        "units.ten_viet_tat": "Tên viết tắt",
        "units.thu_tu": "Thứ tự",
        "units.cap_tren": "Cấp trên",
        "core.khong_tim_thay_hoac_nam_ngoai": "Không tìm thấy hoặc nằm ngoài phạm vi",
        "core.chua_dang_nhap_hoac_khoa_khong": "Chưa đăng nhập hoặc khóa không hợp lệ",
        "core.thanh_cong": "Thành công",
        "core.tai_khoan_dang_dang_nhap": "Tài khoản đang đăng nhập",
        "core.don_vi_trong_pham_vi_theo": "Đơn vị trong phạm vi (theo thứ tự cây)",
        "core.tim_khong_dau_theo_ten_ten": "Tìm không dấu theo tên, tên viết tắt, mã",
        "core.1_gom_ca_don_vi_da": "1 = gồm cả đơn vị đã kết thúc",
        "core.tao_don_vi_quan_tri": "Tạo đơn vị (quản trị)",
        "core.khong_co_quyen": "Không có quyền",
        "core.du_lieu_khong_hop_le": "Dữ liệu không hợp lệ",
        "core.mot_don_vi": "Một đơn vị",
        "core.nguoi_dung_trong_pham_vi": "Người dùng trong phạm vi",
        "core.mot_nguoi_dung": "Một người dùng",
        "cli.cach_dung_danvan_parse_tep_json": "Cách dùng: danvan parse TỆP… [--json]\n  Đọc văn bản chỉ đạo (.txt UTF-8 hoặc .docx): thông tin văn bản, văn bản được dẫn, nhiệm vụ được giao.",
        "cli.cach_dung_danvan_bench_parse_tep": "Cách dùng: danvan bench-parse [TỆP…] [--mb 10]\n  Đo tốc độ đọc (MB/giây) trên các tệp mẫu lặp lại đến ít nhất N MB.",
        "cli.loi_can_it_nhat_mot_tep": "Lỗi: cần ít nhất một tệp. Cách dùng: danvan parse TỆP… [--json]\n",
        "cli.loi_n": "Lỗi: {0}: {1}\n",
        "cli.khong_tim_thay_tep": "không tìm thấy tệp.",
        "cli.tep_qua_lon_mb_toi_da": "Tệp quá lớn ({0} MB): tối đa {1} MB.",
        "cli.khong_doc_duoc_tep": "không đọc được tệp.",
        "cli.loi_khong_co_tep_mau_nao": "Lỗi: không có tệp mẫu nào.\n",
        "cli.bench_pdf": "PDF {0}: {1} KB, trích chữ {2} ms (trung vị 5 lần; trong đó dựng lại bố cục {3} ms), {4} KB chữ",
        "cli.bench_parse_d_tep_mau_d": "bench-parse: %d tệp mẫu, %d văn bản, %.1f MB trong %.2f s = %.1f MB/s (một lõi), %.0f văn bản/s, %d nhiệm vụ",
        "cli.baseline_gap_chu_mot_luot_tren": "baseline (gấp chữ một lượt trên cùng dữ liệu): %.1f MB/s; đọc văn bản = %.0f%% tốc độ baseline (kiểm tra %d)",
        "users.ten_dang_nhap": "Tên đăng nhập",
        "users.ma_don_vi_cua_quan_tri": "Mã đơn vị của quản trị viên (mặc định: đơn vị gốc đầu tiên)",
        "users.ho_va_ten": "Họ và tên",
        "users.tao_tai_khoan_quan_tri_mat": "Tạo tài khoản quản trị; mật khẩu đọc từ đầu vào chuẩn.",
        "users.nhap_mat_khau_it_nhat_ky": "Nhập mật khẩu (ít nhất {0} ký tự) rồi Enter:",
        "users.khong_co_don_vi_ma": "Không có đơn vị mã {0}",
        "users.don_vi_goc": "Đơn vị gốc",
        "users.da_dat_lai_mat_khau_va": "Đã đặt lại mật khẩu và quyền quản trị cho {0}.",
        "users.quan_tri_he_thong": "Quản trị hệ thống",
        "users.tao_quan_tri_vien_bang_dong": "Tạo quản trị viên {0} bằng dòng lệnh",
        "users.da_tao_quan_tri_vien_thuoc": "Đã tạo quản trị viên {0} thuộc {1}.",
        "users.dang_nhap_sai": "Đăng nhập sai: {0}",
        "users.dang_nhap": "Đăng nhập",
        "users.tao_tai_khoan": "Tạo tài khoản {0}",
        "users.cap_nhat_tai_khoan": "Cập nhật tài khoản {0}",
        "users.mo_khoa": "Mở khóa ",
        "users.khoa": "Khóa ",
        "users.dat_lai_mat_khau_cho": "Đặt lại mật khẩu cho {0}",
        "users.doi_mat_khau": "Đổi mật khẩu",
        "core.ten_tep_khong_hop_le": "Tên tệp \"{0}\" không hợp lệ: đổi tên tệp (không có thư mục, không có \"..\") rồi chọn lại.",
        "core.loai_tep_khong_duoc_nhan_chi": "Loại tệp .{0} không được nhận. Chỉ nhận: PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), ảnh JPG/PNG, .txt, .csv.",
        "core.tep_rong": "Tệp {0} rỗng.",
        "core.tep_qua_lon_mb_toi_da": "Tệp {0} quá lớn ({1} MB): tối đa {2} MB mỗi tệp.",
        "core.noi_dung_tep_khong_dung_dinh": "Nội dung tệp {0} không đúng định dạng .{1}.",
        "core.khong_tim_thay_tep_da_luu": "Không tìm thấy tệp đã lưu.",
        "core.tep_da_luu_bi_hong_sai": "Tệp đã lưu bị hỏng (sai mã kiểm tra).",
        "core.dang_xuat": "Đăng xuất",
        "core.tao_khoa_api": "Tạo khóa API {0}",
        "core.thu_hoi_khoa_api": "Thu hồi khóa API {0}",
        "core.doctype_html_html_lang_vi_meta": "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>{0}</title><p>{1}</p><p><a href=\"/\">Về trang chủ</a></p></html>",
        "cli.chep_nhat_ky_ghi_wal_vao": "Chép nhật ký ghi (WAL) vào tệp cơ sở dữ liệu",
        "cli.api_cua_he_thong_quan_ly": "API của hệ thống quản lý công tác dân vận. Xác thực bằng phiên đăng nhập (kèm X-CSRF-Token khi ghi) hoặc khóa API cá nhân: Authorization: Bearer dv_…",
        "core.viec_can_lam": "Việc cần làm",
        "core.da_danh_dau_tat_ca_la": "Đã đánh dấu tất cả là đã đọc.",
        "core.he_thong": "hệ thống",
        "layout.sign.head": "Thủ trưởng đơn vị",
        "layout.sign.standing_party": "T/M Ban Thường vụ",
        "layout.sign.secretary": "Bí thư",
        "layout.sign.chair": "Chủ tịch",
        "layout.sign.standing_front": "TM. Ban Thường trực",
        "layout.sign.director": "Giám đốc",
        "layout.sign.head_board": "Trưởng ban",
        "core.khach": "khách",
        "core.database_url_phai_la_duong_dan": "DATABASE_URL phải là đường dẫn tuyệt đối: sqlite:///duong/dan/tep.sqlite",
        "core.database_url_khong_hop_le_dung": "DATABASE_URL không hợp lệ: dùng sqlite:///duong/dan.sqlite hoặc postgres://user:pass@host:port/db",
        "units.tep_khong_phai_van_ban_utf": "Tệp không phải văn bản UTF-8. Trong Excel, chọn Lưu dưới dạng “CSV UTF-8”.",
        "cli.loi_n_2": "Lỗi: {0}\n",
        "inbox.viec_can_lam": "Việc cần làm",
        "inbox.danh_dau_tat_ca_da_doc": "Đánh dấu tất cả đã đọc",
        "inbox.khong_co_viec_nao_can_lam": "Không có việc nào cần làm.",
        "units.dong": "Dòng {0}: {1}",
        "units.hoac_dan_noi_dung_csv": "… hoặc dán nội dung CSV",
        "app.viec_can_lam": "Việc cần làm",
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
        "error.reference": "Mã tra cứu khi cần báo lỗi: {0}",
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
        "home.modulesSoon": "Các phân hệ Dân vận khéo, Đơn thư và Điểm nóng đang được triển khai; việc cần làm của chúng sẽ hiện tại đây như báo cáo cần gửi và báo cáo chờ tiếp nhận.",

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
        "backup.help": "Sao lưu cơ sở dữ liệu và tệp đính kèm vào một thư mục (kèm manifest có checksum)",
        "backup.restore_help": "Khôi phục từ một thư mục sao lưu (kiểm tra lược đồ, dung lượng, checksum)",
        "backup.xong": "Đã sao lưu vào {0}: {1} bảng, {2} dòng, {3} tệp.",
        "backup.da_khoi_phuc": "Đã khôi phục từ {0}: mọi bảng khớp với bản sao lưu.",
        "backup.thu_muc_khong_trong": "Thư mục {0} đã có dữ liệu: hãy chọn một thư mục mới hoặc rỗng.",
        "backup.tep_hong": "Tệp {0} trong kho tệp không khớp với checksum của nó: kho tệp có tệp hỏng.",
        "backup.khong_chay_duoc": "Không chạy được {0}: hãy cài gói postgresql-client.",
        "backup.cong_cu_loi": "{0} báo lỗi: {1}",
        "backup.khong_co_manifest": "Không thấy manifest.json trong {0}: đây không phải thư mục sao lưu của DanVan.",
        "backup.manifest_hong": "manifest.json hỏng hoặc của một phiên bản DanVan mới hơn.",
        "backup.luoc_do_moi_hon": "Bản sao lưu có lược đồ mới hơn chương trình này (migration chưa biết: {0}): hãy cài phiên bản DanVan mới hơn rồi khôi phục.",
        "backup.sai_checksum": "Tệp {0} của bản sao lưu bị thiếu hoặc sai checksum: không khôi phục.",
        "backup.khac_loai_csdl": "Bản sao lưu là của {0}, còn cơ sở dữ liệu đang dùng là {1}.",
        "backup.khong_du_cho": "Không đủ dung lượng đĩa: cần khoảng {0} MB trống.",
        "backup.csdl_khong_trong": "Cơ sở dữ liệu đích đang có dữ liệu: khôi phục sẽ ghi đè. Dừng máy chủ, kiểm tra lại, rồi chạy với --force.",
        "backup.khong_khop": "Khôi phục xong nhưng các bảng sau không khớp với bản sao lưu: {0}.",
        "picker.search": "Gõ tên đơn vị, không cần dấu",
        "picker.none": "Không có đơn vị nào khớp",
        "picker.remove": "Bỏ {0}",
        "picker.typed": "Thêm đơn vị: gõ tên (nhiều đơn vị cách nhau bởi dấu ;)",
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
        "api.page.limit": "Tham số limit phải là số nguyên từ 1 đến {0}.",
        "core.secretKeyShort": "DANVAN_SECRET_KEY phải dài ít nhất 32 ký tự.",
        "core.secretKeyFileBad": "Không đọc hoặc tạo được tệp khoá bí mật {0} (cần ít nhất 32 ký tự).",
        "api.page.offset": "Tham số offset phải là số nguyên không âm.",
        "api.page.limitDoc": "Số mục mỗi trang (mặc định 25, tối đa {0}).",
        "api.page.offsetDoc": "Số mục bỏ qua từ đầu danh sách.",
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
            throw Abort(.internalServerError, reason: "#t() needs a key")
        }
        let locale = (ctx.userInfo["request"] as? Request)?.locale ?? .vi
        let arguments = ctx.parameters.dropFirst().map { $0.string ?? "" }
        return .string(L10n.format(key, Array(arguments), locale))
    }
}

extension Request {
    /// The interface language: `?lang=en` or the `lang` cookie, else Vietnamese.
    public var locale: L10n.Locale {
        // Read once per request: every #t() in a page asks, and parsing the Cookie header
        // each time showed in the profile.
        if let known = storage[LocaleKey.self] { return known }
        let locale = incomingCookies["lang"].flatMap { L10n.Locale(rawValue: $0.string) } ?? .vi
        storage[LocaleKey.self] = locale
        return locale
    }

    /// Shorthand for `L10n.text(key, locale)`.
    public func t(_ key: String, _ arguments: String...) -> String {
        L10n.format(key, arguments, locale)
    }
}

private struct LocaleKey: StorageKey { typealias Value = L10n.Locale }

/// The registered tables, behind a lock: written while the app is configured, read on every page.
private final class TableStore: @unchecked Sendable {
    private let lock = NSLock()
    private var tables: L10n.Tables
    private var conflicting: Set<String> = []

    init(_ tables: L10n.Tables) { self.tables = tables }

    func text(_ key: String, _ locale: L10n.Locale) -> String? {
        lock.lock(); defer { lock.unlock() }
        if locale != .vi, let value = tables[locale]?[key] { return value }
        return tables[.vi]?[key]
    }

    func table(_ locale: L10n.Locale) -> L10n.Table {
        lock.lock(); defer { lock.unlock() }
        return tables[locale] ?? [:]
    }

    var conflicts: Set<String> {
        lock.lock(); defer { lock.unlock() }
        return conflicting
    }

    func register(_ added: L10n.Tables) {
        lock.lock(); defer { lock.unlock() }
        for (locale, table) in added {
            var merged = tables[locale] ?? [:]
            for (key, value) in table {
                if let existing = merged[key] {
                    if existing != value { conflicting.insert(key) }
                } else {
                    merged[key] = value
                }
            }
            tables[locale] = merged
        }
    }
}
