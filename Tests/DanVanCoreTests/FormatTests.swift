@testable import DanVanCore
import Foundation
import Leaf
import LeafKit
import Testing
import Vapor

/// Dates and links formatted without Foundation's formatters (issue 12) read as they did.
@Suite("Formatting: dates in the province, link segments")
struct FormatTests {
    /// What the formatting functions wrote before, through the calendar and `String(format:)`.
    static func reference(_ date: Date) -> (date: String, dateTime: String, iso: String, isoDateTime: String) {
        let c = VNFormat.calendar.dateComponents([.day, .month, .year, .hour, .minute], from: date)
        let (y, m, d, h, mi) = (c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
        return (
            String(format: "%02d/%02d/%04d", d, m, y), String(format: "%02d/%02d/%04d %02d:%02d", d, m, y, h, mi),
            String(format: "%04d-%02d-%02d", y, m, d), String(format: "%04d-%02d-%02dT%02d:%02d", y, m, d, h, mi)
        )
    }

    @Test("day and time in the province read as the calendar reads them, at day, month, year and leap-day edges and at random instants from 1900 to 2200")
    func civilDates() {
        // setup: midnights and their neighbours in the province around month ends, 29 February
        // in 2000, 2024 and 2100, the 1975/1976 switch, and random instants
        var instants: [Date] = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 189_302_399), Date(timeIntervalSince1970: 189_302_400)]
        for (year, month, day) in [(2000, 2, 29), (2000, 3, 1), (2024, 2, 29), (2100, 2, 28), (2100, 3, 1), (2026, 12, 31), (2027, 1, 1), (1976, 1, 1), (1975, 12, 31), (2199, 12, 31)] {
            let midnight = VNFormat.calendar.date(from: DateComponents(year: year, month: month, day: day))!
            instants += [-61, -1, -0.5, 0, 0.25, 59, 60, 3_599, 86_399].map { midnight.addingTimeInterval($0) }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            instants.append(Date(timeIntervalSince1970: Double.random(in: -2_208_988_800...7_258_118_400, using: &generator)))
        }
        for instant in instants {
            // act
            let expected = Self.reference(instant)
            // check
            #expect(VNFormat.date(instant) == expected.date, "\(instant.timeIntervalSince1970)")
            #expect(VNFormat.dateTime(instant) == expected.dateTime, "\(instant.timeIntervalSince1970)")
            #expect(VNFormat.isoDate(instant) == expected.iso, "\(instant.timeIntervalSince1970)")
            #expect(VNFormat.isoDateTime(instant) == expected.isoDateTime, "\(instant.timeIntervalSince1970)")
        }
        #expect(VNFormat.date(nil) == "" && VNFormat.pad(7, 2) == "07" && VNFormat.pad(2026, 2) == "2026")
    }

    @Test("a link's parameter is percent-encoded only when it needs it")
    func linkSegments() {
        // setup
        let allowed: CharacterSet = {
            var set = CharacterSet.urlPathAllowed
            set.remove(charactersIn: "/?#")
            return set
        }()
        let values = ["0192F3A4-5B6C-7D8E-9F00-112233445566", "dan-van-kheo-2026", "12", "a.b_c~d", "Xã Tân Hòa", "a/b", "a?b#c", "50%", "", "đ"]
        for value in values {
            // act
            let escaped = escapedSegment(value)
            // check
            #expect(escaped == (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value), "\(value)")
        }
    }
}

@Suite("Cookies read in one pass")
struct CookieParseTests {
    /// Vapor's reading of the same Cookie headers.
    static func vapor(_ headers: [String]) -> [String: String] {
        var fields = HTTPHeaders()
        for header in headers { fields.add(name: .cookie, value: header) }
        return (fields.cookie?.all ?? [:]).mapValues(\.string)
    }

    @Test("the Cookie header is read as Vapor reads it, whenever the one-pass reading takes it; browsers' headers it always takes")
    func sameAsVapor() {
        // setup
        let browser = [
            "danvan_session=l4hP38/KQN7ddQs1RznBbV8nFGpE60/8+abc=; danvan_csrf=0a1b2c3d4e5f60718293a4b5c6d7e8f9.ffee; lang=vi",
            "lang=en", "danvan_session=abc%3D%3D;lang=vi", "a=1;  b=2 ;c=", "",
        ]
        for header in browser {
            // act
            let fast = Request.parseCookies([header])
            // check
            #expect(fast?.all.mapValues(\.string) == Self.vapor([header]), "\(header)")
        }
        let alphabet = Array("ab=; \t,\"/+%Đ0_-.")
        var generator = SystemRandomNumberGenerator()
        var taken = 0
        for _ in 0..<3_000 {
            let header = String((0..<Int.random(in: 0...24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            guard let fast = Request.parseCookies([header]) else { continue }
            taken += 1
            #expect(fast.all.mapValues(\.string) == Self.vapor([header]), "\(header)")
        }
        #expect(taken > 100)
    }
}

@Suite("The shell as Leaf data")
struct ShellDataTests {
    /// Leaf data written as the JSON it stands for.
    struct LeafJSON: Encodable {
        let data: LeafData

        struct Key: CodingKey {
            let stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: any Encoder) throws {
            switch data.celf {
            case .dictionary:
                var container = encoder.container(keyedBy: Key.self)
                for (key, value) in data.dictionary ?? [:] { try container.encode(LeafJSON(data: value), forKey: Key(stringValue: key)) }
            case .array:
                var container = encoder.unkeyedContainer()
                for value in data.array ?? [] { try container.encode(LeafJSON(data: value)) }
            case .bool:
                var container = encoder.singleValueContainer()
                try container.encode(data.bool ?? false)
            case .int:
                var container = encoder.singleValueContainer()
                try container.encode(data.int ?? 0)
            default:
                var container = encoder.singleValueContainer()
                try container.encode(data.string ?? "")
            }
        }
    }

    @Test("the province's day start is the calendar's, whichever day was asked before (the last day is kept)")
    func civilDay() {
        // setup: times around the province's midnights (UTC+7), back and forth, in random order.
        var generator = SystemRandomNumberGenerator()
        let midnight = VNFormat.calendar.startOfDay(for: Date(timeIntervalSince1970: 1_796_180_400))
        var times: [Date] = []
        for day in -3...3 {
            let start = midnight.addingTimeInterval(Double(day) * 86_400)
            times += [start, start.addingTimeInterval(-0.001), start.addingTimeInterval(0.001), start.addingTimeInterval(43_200), start.addingTimeInterval(86_399.999)]
        }
        times += (0..<500).map { _ in midnight.addingTimeInterval(Double.random(in: -400_000...400_000, using: &generator)) }
        for time in times + times.shuffled(using: &generator) {
            // act and check
            #expect(CivilDay.startOfDay(time) == VNFormat.calendar.startOfDay(for: time), "\(time)")
        }
    }

    @Test("the shell's Leaf data has the keys and values of its Encodable form, signed in or not", arguments: [true, false])
    func sameAsEncodable(signedIn: Bool) throws {
        // setup
        let shell = Shell(
            title: "Nhiệm vụ <&>", user: signedIn ? Shell.CurrentUser(id: "U1", username: "daumoi", fullName: "Lê Thị \"Hoa\"", role: "focal", roleLabel: "Cán bộ đầu mối", isAdmin: false) : nil,
            nav: signedIn ? HTML.joined([Shell.Item(label: "Trang chủ", href: "/", active: true, soon: false), Shell.Item(label: "Sắp có", href: nil, active: false, soon: true)].map { $0.html(soonLabel: "sắp có") }) : .empty,
            demo: signedIn, flashes: [Shell.Flash(kind: "success", message: "Đã lưu.")], lang: "vi", inboxUnread: signedIn ? 3 : 0
        )
        // act
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let direct = String(decoding: try encoder.encode(LeafJSON(data: shell.leafData)), as: UTF8.self)
        let encoded = String(decoding: try encoder.encode(shell), as: UTF8.self)
        // check
        #expect(direct == encoded)
        #expect(encoded.contains("inboxUnread") && encoded.contains("flashes") && encoded.contains("user") == signedIn)
    }
}

private struct Probe: SiteRoute {
    let value: String
    var segments: [RouteSegment] { [.parameter("x", value)] }
}

/// The escaping of one parameter, read through a route's link.
private func escapedSegment(_ value: String) -> String {
    String(Probe(value: value).path.dropFirst())
}
