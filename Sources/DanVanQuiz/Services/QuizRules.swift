import DanVanCore
import DanVanText
import Foundation

/// The contest's pure rules: phone numbers, answer layouts, scoring, ranking, bank rows.
/// Nothing here touches the database, so every rule is unit-tested on its own.
public enum QuizRules {

    // MARK: Phone numbers

    /// A Vietnamese phone number in its one stored form, `0` + 9 digits, from any common
    /// writing: `0912 345 678`, `0912.345.678`, `+84 912 345 678`, `84912345678`,
    /// `(+84) 912-345-678`, `912345678`. Nil when it is not a Vietnamese mobile or landline
    /// number of 10 digits.
    public static func normalizePhone(_ raw: String) -> String? {
        var digits = ""
        var sawPlus = false
        for scalar in raw.unicodeScalars {
            switch scalar {
            case "0"..."9": digits.unicodeScalars.append(scalar)
            case "+": if digits.isEmpty { sawPlus = true } else { return nil }
            case " ", ".", "-", "(", ")", "\u{00A0}", "\t": continue
            default:
                // Full-width digits typed on some phones.
                if (0xFF10...0xFF19).contains(scalar.value), let ascii = Unicode.Scalar(scalar.value - 0xFF10 + 48) {
                    digits.unicodeScalars.append(ascii)
                } else {
                    return nil
                }
            }
        }
        if digits.hasPrefix("0084") { digits = String(digits.dropFirst(4)) }
        else if digits.hasPrefix("84"), digits.count == 11 { digits = String(digits.dropFirst(2)) }
        else if sawPlus { return nil }
        if digits.count == 9, !digits.hasPrefix("0") { digits = "0" + digits }
        guard digits.count == 10, digits.hasPrefix("0"), digits.dropFirst().first != "0" else { return nil }
        return digits
    }

    /// `0912345678` → `0912***678`: enough for a winner to recognise, not enough to call.
    public static func maskPhone(_ phone: String) -> String {
        guard phone.count >= 7 else { return String(repeating: "*", count: phone.count) }
        return String(phone.prefix(4)) + "***" + String(phone.suffix(3))
    }

    /// A citizen ID number (CCCD, 12 digits) or an old ID card (9 digits), digits only.
    public static func normalizeIDNumber(_ raw: String) -> String? {
        let digits = raw.unicodeScalars.filter { !($0 == " " || $0 == "." || $0 == "-") }
        guard digits.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
        let text = String(String.UnicodeScalarView(digits))
        return text.count == 12 || text.count == 9 ? text : nil
    }

    /// Age in whole years on `day`.
    public static func age(born: Date, on day: Date, calendar: Calendar = VNFormat.calendar) -> Int {
        calendar.dateComponents([.year], from: born, to: day).year ?? 0
    }

    // MARK: Attempt layout

    /// One question as an attempt shows it: the bank number and the order its options are
    /// shown in (`order[k]` = original option index shown at position k).
    public struct Slot: Equatable, Sendable {
        /// The question's number in the contest's bank.
        public var number: Int
        /// Display order of the original options.
        public var order: [Int]

        /// Creates a slot.
        public init(number: Int, order: [Int]) {
            self.number = number
            self.order = order
        }
    }

    /// A random layout: questions in random order, each with its options shuffled.
    public static func layout<G: RandomNumberGenerator>(questions: [(number: Int, optionCount: Int)], using generator: inout G) -> [Slot] {
        questions.shuffled(using: &generator).map { Slot(number: $0.number, order: Array(0..<$0.optionCount).shuffled(using: &generator)) }
    }

    /// `"17:2031,5:102"`: compact enough to keep on every attempt row.
    public static func encode(_ layout: [Slot]) -> String {
        layout.map { "\($0.number):" + $0.order.map(String.init).joined() }.joined(separator: ",")
    }

    /// The inverse of `encode`; nil for text that is not a layout.
    public static func decode(_ text: String) -> [Slot]? {
        // Read byte by byte: this runs on every submission.
        guard !text.isEmpty else { return [] }
        var slots: [Slot] = []
        var number = 0, digits = 0, order: [Int] = [], seen = 0, inOrder = false
        func finishSlot() -> Bool {
            // Each option position 0..<n exactly once.
            guard inOrder, !order.isEmpty, seen == (1 << order.count) - 1 else { return false }
            slots.append(Slot(number: number, order: order))
            number = 0; digits = 0; order = []; seen = 0; inOrder = false
            return true
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let value = Int(byte - UInt8(ascii: "0"))
                if inOrder {
                    guard seen & (1 << value) == 0 else { return nil }
                    seen |= 1 << value
                    order.append(value)
                } else {
                    guard digits < 9 else { return nil }
                    number = number * 10 + value
                    digits += 1
                }
            case UInt8(ascii: ":"):
                guard !inOrder, digits > 0 else { return nil }
                inOrder = true
            case UInt8(ascii: ","):
                guard finishSlot() else { return nil }
            default:
                return nil
            }
        }
        return finishSlot() ? slots : nil
    }

    /// Answer-key bit mask of original option indexes: options 0 and 2 → 0b101.
    public static func mask(_ indexes: [Int]) -> Int {
        indexes.reduce(0) { $0 | (1 << $1) }
    }

    /// The original option indexes of a mask.
    public static func indexes(of mask: Int) -> [Int] {
        (0..<16).filter { mask & (1 << $0) != 0 }
    }

    /// What went wrong with submitted answers.
    public enum AnswerError: Error, Equatable, Sendable {
        /// A question number that is not in this attempt.
        case notInAttempt(Int)
        /// A position outside the question's options.
        case noSuchOption(question: Int, position: Int)
        /// Several options chosen on a single-answer question.
        case severalOnSingle(Int)
    }

    /// The answer key of one question.
    public struct Key: Sendable, Equatable {
        /// Number of options.
        public var optionCount: Int
        /// Correct original options as a mask.
        public var correctMask: Int
        /// Whether several options may be correct (several may then be chosen).
        public var multiple: Bool

        /// Creates a key.
        public init(optionCount: Int, correctMask: Int, multiple: Bool) {
            self.optionCount = optionCount
            self.correctMask = correctMask
            self.multiple = multiple
        }
    }

    /// Scores `answers` (question number → chosen display positions) against `layout`.
    ///
    /// Returns the number of questions answered exactly right (every correct option chosen and
    /// no other) and the chosen original options in the layout's order, as stored masks.
    /// Unanswered questions count as wrong. Answers to questions not in the layout, positions
    /// that do not exist, or several positions on a single-answer question are errors.
    public static func score(answers: [Int: [Int]], layout: [Slot], keys: [Int: Key]) throws(AnswerError) -> (correct: Int, chosen: [Int]) {
        let inLayout = Set(layout.map(\.number))
        for number in answers.keys.sorted() where !inLayout.contains(number) { throw .notInAttempt(number) }
        var correct = 0
        var chosen: [Int] = []
        for slot in layout {
            let positions = answers[slot.number] ?? []
            let key = keys[slot.number]
            if let key, !key.multiple, Set(positions).count > 1 { throw .severalOnSingle(slot.number) }
            var picked = 0
            for position in positions {
                guard slot.order.indices.contains(position) else { throw .noSuchOption(question: slot.number, position: position) }
                picked |= 1 << slot.order[position]
            }
            chosen.append(picked)
            if let key, picked != 0, picked == key.correctMask { correct += 1 }
        }
        return (correct, chosen)
    }

    // MARK: Ranking

    /// One submitted attempt, as the ranking sees it.
    public struct Entry: Equatable, Sendable {
        /// The attempt.
        public var attemptID: UUID
        /// The participant.
        public var participantID: UUID
        /// Questions answered right.
        public var correct: Int
        /// The prediction of how many answer everything right (nil: none given).
        public var prediction: Int?
        /// Time taken in milliseconds (server clock).
        public var timeMs: Int
        /// When the server received it.
        public var submittedAt: Date

        /// Creates an entry.
        public init(attemptID: UUID, participantID: UUID, correct: Int, prediction: Int?, timeMs: Int, submittedAt: Date) {
            self.attemptID = attemptID
            self.participantID = participantID
            self.correct = correct
            self.prediction = prediction
            self.timeMs = timeMs
            self.submittedAt = submittedAt
        }
    }

    /// A participant's place in a round.
    public struct Placed: Equatable, Sendable {
        /// 1-based rank.
        public var rank: Int
        /// The counting attempt.
        public var entry: Entry
        /// |prediction − true number of all-correct participants| (a missing prediction is
        /// treated as the farthest possible).
        public var distance: Int
    }

    /// A prediction that was not given sorts after every real one.
    public static let missingPredictionDistance = 1_000_000_000

    /// The ranking of a round, by the contest rules:
    /// 1. each participant's counting attempt is the best score, then the earliest submitted;
    /// 2. participants are ordered by correct answers (desc), then by the distance of that
    ///    attempt's prediction from the number of participants who answered every question
    ///    right (asc), then by time taken in ms (asc), then by submission time (asc).
    ///
    /// The database computes the same order with window functions when a round closes; a
    /// test checks the two agree.
    public static func rank(_ entries: [Entry], questionCount: Int) -> (perfect: Int, placed: [Placed]) {
        var best: [UUID: Entry] = [:]
        for entry in entries {
            if let current = best[entry.participantID] {
                if entry.correct > current.correct
                    || (entry.correct == current.correct && (entry.submittedAt, entry.attemptID.uuidString) < (current.submittedAt, current.attemptID.uuidString)) {
                    best[entry.participantID] = entry
                }
            } else {
                best[entry.participantID] = entry
            }
        }
        let perfect = best.values.filter { $0.correct >= questionCount }.count
        let placed = best.values.map { entry in
            Placed(rank: 0, entry: entry, distance: entry.prediction.map { abs($0 - perfect) } ?? missingPredictionDistance)
        }.sorted { a, b in
            if a.entry.correct != b.entry.correct { return a.entry.correct > b.entry.correct }
            if a.distance != b.distance { return a.distance < b.distance }
            if a.entry.timeMs != b.entry.timeMs { return a.entry.timeMs < b.entry.timeMs }
            if a.entry.submittedAt != b.entry.submittedAt { return a.entry.submittedAt < b.entry.submittedAt }
            return a.entry.attemptID.uuidString < b.entry.attemptID.uuidString
        }
        return (perfect, placed.enumerated().map { index, item in
            var item = item
            item.rank = index + 1
            return item
        })
    }

    // MARK: Prizes

    /// A prize level and how many winners it has.
    public struct Prize: Equatable, Sendable {
        /// "Giải Nhất".
        public var name: String
        /// Number of winners.
        public var count: Int
    }

    /// Parses the prize list as organisers write it: `"Nhất:1, Nhì:2, Ba:5, Khuyến khích:8"`,
    /// or just counts `"1,2,5,8"` (named Nhất, Nhì, Ba, Khuyến khích in that order).
    public static func prizes(_ text: String) -> [Prize]? {
        let defaultNames = [L10n.text("quiz.giai_nhat"), L10n.text("quiz.giai_nhi"), L10n.text("quiz.giai_ba"), L10n.text("quiz.giai_khuyen_khich"), L10n.text("quiz.giai_phu")]
        var result: [Prize] = []
        for (index, part) in text.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "\n" }).enumerated() {
            let piece = part.trimmingCharacters(in: .whitespaces)
            if piece.isEmpty { continue }
            let pieces = piece.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let countText = pieces.last ?? ""
            guard let count = Int(countText), (0...1000).contains(count) else { return nil }
            var name = pieces.count == 2 ? pieces[0] : (index < defaultNames.count ? defaultNames[index] : L10n.format("quiz.giai", ["\(index + 1)"]))
            if pieces.count == 2, !VietnameseText.fold(name).hasPrefix("giai") { name = L10n.text("quiz.giai_2") + name }
            guard !name.isEmpty, name.count <= 60 else { return nil }
            result.append(Prize(name: name, count: count))
        }
        return result.isEmpty ? nil : result
    }

    /// The prize of each of the first ranks, in order.
    public static func prizeNames(_ prizes: [Prize]) -> [String] {
        prizes.flatMap { Array(repeating: $0.name, count: $0.count) }
    }

    // MARK: Question bank rows

    /// A question read from an import file.
    public struct BankQuestion: Equatable, Sendable {
        /// The question text, NFC.
        public var text: String
        /// Options in the file's order.
        public var options: [String]
        /// Correct option indexes.
        public var correct: [Int]
        /// Optional topic.
        public var topic: String
        /// Optional explanation shown with the answer key.
        public var explanation: String
    }

    /// A row of an import file that cannot become a question.
    public struct RowError: Equatable, Sendable, Encodable {
        /// The file's line (CSV) or row number (Excel).
        public var line: Int
        /// What is wrong, in Vietnamese.
        public var message: String
    }

    /// The longest question or option text accepted.
    public static let maxQuestionLength = 1_000
    /// Options a question may have.
    public static let optionRange = 2...6

    /// Reads question rows. The first row is a header naming the columns (any order, any case,
    /// with or without diacritics): `Câu hỏi`, `A`/`Phương án A`…`F`, `Đáp án` (e.g. `B` or
    /// `A, C`), optional `Chủ đề`, `Giải thích`. Every row is checked; each bad row gives one
    /// message with its line. `existing` holds folded texts already in the bank (duplicates).
    public static func readBank(_ rows: [CSV.Row], existing: Set<String> = []) -> (questions: [(line: Int, question: BankQuestion)], errors: [RowError]) {
        guard let header = rows.first else { return ([], [RowError(line: 1, message: L10n.text("quiz.tep_trong_can_mot_dong_tieu"))]) }
        var questionColumn: Int?
        var answerColumn: Int?
        var topicColumn: Int?
        var explanationColumn: Int?
        var optionColumns: [(letter: Int, column: Int)] = []
        for (column, title) in header.fields.enumerated() {
            let key = VietnameseText.fold(title).trimmingCharacters(in: .whitespaces)
            let compact = key.replacingOccurrences(of: " ", with: "")
            switch compact {
            case "cauhoi", "noidung", "noidungcauhoi", "question": questionColumn = column
            case "dapan", "dapandung", "answer", L10n.text("quiz.dapandung"): answerColumn = column
            case "chude", "topic": topicColumn = column
            case "giaithich", "explanation": explanationColumn = column
            default:
                let letter = compact.hasPrefix("phuongan") ? String(compact.dropFirst("phuongan".count)) : (compact.hasPrefix("option") ? String(compact.dropFirst(6)) : compact)
                if letter.count == 1, let scalar = letter.unicodeScalars.first, ("a"..."f").contains(scalar) {
                    optionColumns.append((Int(scalar.value) - 97, column))
                }
            }
        }
        var missing: [String] = []
        if questionColumn == nil { missing.append(L10n.text("quiz.cau_hoi")) }
        if answerColumn == nil { missing.append(L10n.text("quiz.public.answerKey")) }
        if optionColumns.count < 2 { missing.append(L10n.text("quiz.cac_phuong_an_a_b_c")) }
        if !missing.isEmpty {
            return ([], [RowError(line: header.line, message: L10n.format("quiz.dong_tieu_de_thieu_cot_can", ["\(missing.joined(separator: ", "))"]))])
        }
        optionColumns.sort { $0.letter < $1.letter }
        var questions: [(line: Int, question: BankQuestion)] = []
        var errors: [RowError] = []
        var seen = existing
        for row in rows.dropFirst() {
            func field(_ column: Int?) -> String {
                guard let column, row.fields.indices.contains(column) else { return "" }
                return VietnameseText.clean(row.fields[column])
            }
            let text = field(questionColumn)
            var options: [String] = []
            var letterToIndex: [Int: Int] = [:]
            var gap = false
            for (letter, column) in optionColumns {
                let value = field(column)
                if value.isEmpty { gap = true; continue }
                if gap { options.append(""); }
                letterToIndex[letter] = options.count
                options.append(value)
            }
            if text.isEmpty {
                errors.append(RowError(line: row.line, message: L10n.text("quiz.thieu_noi_dung_cau_hoi")))
                continue
            }
            if text.count > maxQuestionLength {
                errors.append(RowError(line: row.line, message: L10n.format("quiz.cau_hoi_dai_ky_tu_toi", ["\(text.count)", "\(maxQuestionLength)"])))
                continue
            }
            if options.contains("") {
                errors.append(RowError(line: row.line, message: L10n.text("quiz.cac_phuong_an_phai_lien_nhau")))
                continue
            }
            if !optionRange.contains(options.count) {
                errors.append(RowError(line: row.line, message: L10n.format("quiz.co_phuong_an_can_tu_den", ["\(options.count)", "\(optionRange.lowerBound)", "\(optionRange.upperBound)"])))
                continue
            }
            if let long = options.first(where: { $0.count > maxQuestionLength }) {
                errors.append(RowError(line: row.line, message: L10n.format("quiz.phuong_an_qua_dai_toi_da", ["\(long.prefix(30))", "\(maxQuestionLength)"])))
                continue
            }
            if Set(options.map { VietnameseText.fold($0) }).count != options.count {
                errors.append(RowError(line: row.line, message: L10n.text("quiz.co_hai_phuong_an_trung_nhau")))
                continue
            }
            let answer = field(answerColumn)
            var correct: [Int] = []
            var answerError: String?
            for piece in answer.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " || $0 == "/" || $0 == "+" }) {
                let token = VietnameseText.fold(piece)
                if token.count == 1, let scalar = token.unicodeScalars.first, ("a"..."f").contains(scalar), let index = letterToIndex[Int(scalar.value) - 97] {
                    correct.append(index)
                } else if let number = Int(token), (1...options.count).contains(number) {
                    correct.append(number - 1)
                } else {
                    answerError = L10n.format("quiz.dap_an_khong_ung_voi_phuong", ["\(piece)"])
                    break
                }
            }
            if let answerError {
                errors.append(RowError(line: row.line, message: answerError))
                continue
            }
            if correct.isEmpty {
                errors.append(RowError(line: row.line, message: L10n.text("quiz.thieu_dap_an_dung_vi_du")))
                continue
            }
            if correct.count == options.count {
                errors.append(RowError(line: row.line, message: L10n.text("quiz.moi_phuong_an_deu_dung_cau")))
                continue
            }
            let folded = VietnameseText.fold(text)
            if !seen.insert(folded).inserted {
                errors.append(RowError(line: row.line, message: L10n.text("quiz.cau_hoi_trung_voi_mot_cau")))
                continue
            }
            questions.append((row.line, BankQuestion(
                text: text, options: options, correct: Array(Set(correct)).sorted(), topic: field(topicColumn), explanation: field(explanationColumn)
            )))
        }
        if questions.isEmpty, errors.isEmpty {
            errors.append(RowError(line: header.line, message: L10n.text("quiz.tep_chi_co_dong_tieu_de")))
        }
        return (questions, errors)
    }
}
