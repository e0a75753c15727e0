import DanVanCore
import DanVanText
import Fluent
import Foundation
import SQLKit
import Vapor

/// `/api/v1/quiz/…`: the public flow (a participant token in `X-Participant-Token`) and the
/// organiser's calls (staff session or bearer token).
struct QuizAPI {
    static let tokenHeader = "X-Participant-Token"

    struct RoundDTO: Content {
        let id: UUID
        let number: Int
        let title: String
        let phase: String
        let opensAt: Date
        let closesAt: Date
        let questionCount: Int
        let timeLimitSeconds: Int
        let maxAttempts: Int
        let perfectCount: Int?

        init(_ round: QuizRound, now: Date) throws {
            id = try round.requireID()
            number = round.number
            title = round.title
            phase = round.phase(at: now)
            opensAt = round.opensAt
            closesAt = round.closesAt
            questionCount = round.questionCount
            timeLimitSeconds = round.timeLimitSeconds
            maxAttempts = round.maxAttempts
            perfectCount = round.perfectCount
        }
    }

    struct ContestDTO: Content {
        let id: UUID
        let slug: String
        let title: String
        let rules: String
        let minAge: Int
        let requireIdNumber: Bool
        let occupations: [String]
        let prizes: String
        let rounds: [RoundDTO]
    }

    struct RegisterBody: Content {
        var fullName: String?
        var birthDate: String?
        var phone: String?
        var idNumber: String?
        var unitId: String?
        var occupation: String?
        var secret: String?
    }

    struct LoginBody: Content {
        var phone: String?
        var secret: String?
    }

    struct TokenDTO: Content {
        let participantId: UUID
        let token: String
    }

    struct OptionDTO: Content {
        let position: Int
        let text: String
    }

    struct QuestionDTO: Content {
        let number: Int
        let text: String
        let multiple: Bool
        let options: [OptionDTO]
    }

    struct AttemptDTO: Content {
        let id: UUID
        let roundId: UUID
        let attemptNo: Int
        let status: String
        let startedAt: Date
        let deadlineAt: Date
        let resumed: Bool?
        let questions: [QuestionDTO]?
        let predictionQuestion: String?
        let correct: Int?
        let questionCount: Int
        let timeMs: Int?
        let prediction: Int?
        let submittedAt: Date?
        let duplicate: Bool?
    }

    struct SubmitBody: Content {
        var answers: [String: [Int]]?
        var prediction: Int?

        /// The answers by question number and the prediction. A JSON body is read by hand
        /// (this is the route of the deadline rush; `JSONDecoder` into a dictionary was a
        /// tenth of its CPU); other content types go through Vapor's decoders.
        static func read(_ req: Request) throws -> (answers: [Int: [Int]], prediction: Int?) {
            let body = try decode(req)
            var answers: [Int: [Int]] = [:]
            for (key, positions) in body.answers ?? [:] {
                guard let number = Int(key) else { throw AppError.rejected(.badRequest, req.t("quiz.error.answerKey", key)) }
                answers[number] = positions
            }
            return (answers, body.prediction)
        }

        private static func decode(_ req: Request) throws -> SubmitBody {
            let contentType = req.headers.contentType
            guard contentType == nil || contentType == .json else { return try req.content.decode(SubmitBody.self) }
            var badBody: AppError { AppError.rejected(.badRequest, req.t("error.badForm")) }
            guard let buffer = req.body.data, let json = try? JSON.parse(buffer.readableBytesView), case .object(let fields) = json else { throw badBody }
            var body = SubmitBody()
            switch fields["answers"] ?? .null {
            case .null: break
            case .object(let items):
                body.answers = try items.mapValues { value in
                    guard case .array(let positions) = value else { throw badBody }
                    return try positions.map { position in
                        guard let index = position.integer else { throw badBody }
                        return index
                    }
                }
            default: throw badBody
            }
            switch fields["prediction"] ?? .null {
            case .null: break
            case let value:
                guard let number = value.integer else { throw badBody }
                body.prediction = number
            }
            return body
        }
    }

    struct StandingDTO: Content {
        let rank: Int
        let name: String
        let phone: String
        let unit: String
        let correct: Int
        let predictionDistance: Int?
        let timeMs: Int
        let submittedAt: Date
        let prize: String?
    }

    struct LeaderboardDTO: Content {
        let roundId: UUID
        let closed: Bool
        let perfectCount: Int?
        let total: Int
        let items: [StandingDTO]
    }

    // MARK: Public

    static func participant(_ req: Request) async throws -> QuizService.ParticipantRef {
        guard let token = req.headers.first(name: tokenHeader), !token.isEmpty,
              let participant = try await QuizService.participant(token: token, on: req.db)
        else { throw AppError.rejected(.unauthorized, req.t("quiz.error.tokenInvalid")) }
        return participant
    }

    func showContest(_ req: Request) async throws -> ContestDTO {
        let contest = try await QuizPublicController.contest(req)
        let rounds = try await QuizRound.query(on: req.db).filter(\.$contest.$id == contest.requireID()).filter(\.$status != .draft).sort(\.$number).all()
        let now = req.now
        return ContestDTO(
            id: try contest.requireID(), slug: contest.slug, title: contest.title, rules: contest.rules, minAge: contest.minAge,
            requireIdNumber: contest.requireIDNumber, occupations: contest.occupationList, prizes: contest.prizes,
            rounds: try rounds.map { try RoundDTO($0, now: now) }
        )
    }

    func register(_ req: Request) async throws -> Response {
        let contest = try await QuizPublicController.contest(req)
        let body = try req.content.decode(RegisterBody.self)
        let form = QuizService.Registration(
            fullName: body.fullName ?? "", birthDate: body.birthDate ?? "", phone: body.phone ?? "", idNumber: body.idNumber ?? "",
            unitID: body.unitId ?? "", occupation: body.occupation ?? "", secret: body.secret ?? ""
        )
        do {
            let (participant, token) = try await QuizService.register(
                form, contest: contest, address: req.clientAddress, now: req.now, issuingToken: true, app: req.application, on: req.db
            )
            return try await TokenDTO(participantId: participant.requireID(), token: token ?? "").encodeResponse(status: .created, for: req)
        } catch let errors as FormErrors {
            struct Invalid: Encodable, Sendable { let error: [String: String]; let fields: FormErrors }
            let response = Response(status: .unprocessableEntity)
            try response.content.encode(Invalid(error: ["status": "422", "message": req.t("quiz.error.registrationInvalid")], fields: errors), as: .json)
            return response
        }
    }

    func login(_ req: Request) async throws -> TokenDTO {
        let contest = try await QuizPublicController.contest(req)
        let body = try req.content.decode(LoginBody.self)
        let participant = try await QuizService.login(
            phone: body.phone ?? "", secret: body.secret ?? "", contest: contest, address: req.clientAddress, now: req.now, app: req.application, on: req.db
        )
        return TokenDTO(participantId: try participant.requireID(), token: try await QuizService.issueToken(for: participant, on: req.db))
    }

    static func dto(_ attempt: QuizService.AttemptView, info: RoundInfo?, includeQuestions: Bool, resumed: Bool? = nil, duplicate: Bool? = nil) -> AttemptDTO {
        let questions: [QuestionDTO]? = includeQuestions ? attempt.layout.map { slot in
            let text = info?.texts[slot.number]
            return QuestionDTO(
                number: slot.number, text: text?.text ?? "", multiple: text?.multiple ?? false,
                options: slot.order.enumerated().map { OptionDTO(position: $0.offset, text: text?.options[safe: $0.element] ?? "") }
            )
        } : nil
        return AttemptDTO(
            id: attempt.id, roundId: attempt.roundID, attemptNo: attempt.attemptNo, status: attempt.status.rawValue, startedAt: attempt.startedAt,
            deadlineAt: attempt.deadlineAt, resumed: resumed, questions: questions, predictionQuestion: includeQuestions ? info?.predictionQuestion : nil,
            correct: attempt.correct, questionCount: attempt.layout.count, timeMs: attempt.timeMs, prediction: attempt.prediction, submittedAt: attempt.submittedAt,
            duplicate: duplicate
        )
    }

    func start(_ req: Request) async throws -> Response {
        let participant = try await Self.participant(req)
        guard let roundID = req.parameters.get("roundID", as: UUID.self) else { throw AppError.notFound }
        let started = try await QuizService.start(round: roundID, participant: participant, address: req.clientAddress, now: req.now, app: req.application, on: req.db)
        let attempt = try await QuizService.attempt(started.id, of: participant.id, on: req.db)
        let info = try await req.application.quiz.round(roundID, on: req.db)
        return try await Self.dto(attempt, info: info, includeQuestions: true, resumed: started.resumed).encodeResponse(status: started.resumed ? .ok : .created, for: req)
    }

    func showAttempt(_ req: Request) async throws -> AttemptDTO {
        let participant = try await Self.participant(req)
        guard let id = req.parameters.get("attemptID", as: UUID.self) else { throw AppError.notFound }
        let attempt = try await QuizService.attempt(id, of: participant.id, on: req.db)
        let info = try await req.application.quiz.round(attempt.roundID, on: req.db)
        return Self.dto(attempt, info: info, includeQuestions: attempt.status == .started)
    }

    func submit(_ req: Request) async throws -> AttemptDTO {
        guard let token = req.headers.first(name: Self.tokenHeader), !token.isEmpty else { throw AppError.rejected(.unauthorized, req.t("quiz.error.tokenInvalid")) }
        guard let id = req.parameters.get("attemptID", as: UUID.self) else { throw AppError.notFound }
        let (answers, prediction) = try SubmitBody.read(req)
        let (attempt, participant) = try await QuizService.attempt(id, token: token, app: req.application)
        let result = try await QuizService.submit(
            attempt: attempt, participant: participant, answers: answers, prediction: prediction, address: req.clientAddress, now: req.now,
            app: req.application, on: req.db
        )
        return Self.dto(result.attempt, info: nil, includeQuestions: false, duplicate: result.duplicate)
    }

    func leaderboard(_ req: Request) async throws -> LeaderboardDTO {
        guard let roundID = req.parameters.get("roundID", as: UUID.self),
              let round = try await QuizRound.query(on: req.db).filter(\.$id == roundID).filter(\.$status != .draft).with(\.$contest).first(),
              round.contest.status != .draft
        else { throw AppError.notFound }
        return try await Self.standings(req, round: round, mask: true)
    }

    static func standings(_ req: Request, round: QuizRound, mask: Bool) async throws -> LeaderboardDTO {
        let roundID = try round.requireID()
        let offset = max(0, (try? req.query.get(Int.self, at: "offset")) ?? 0)
        let limit = min(1_000, max(1, (try? req.query.get(Int.self, at: "limit")) ?? 100))
        let closed = round.status == .closed
        let prizes = QuizRules.prizeNames(QuizRules.prizes(round.contest.prizes) ?? [])
        let rows = closed ? try await QuizService.standings(round: roundID, offset: offset, limit: limit, on: req.db) : []
        return LeaderboardDTO(
            roundId: roundID, closed: closed, perfectCount: round.perfectCount, total: closed ? try await QuizService.rankedCount(round: roundID, on: req.db) : 0,
            items: rows.map { row in
                StandingDTO(
                    rank: row.rank, name: row.full_name, phone: mask ? QuizRules.maskPhone(row.phone) : row.phone, unit: row.unit_name, correct: row.correct,
                    predictionDistance: row.distance >= QuizRules.missingPredictionDistance ? nil : row.distance, timeMs: row.time_ms,
                    submittedAt: row.submitted_at, prize: prizes[safe: row.rank - 1]
                )
            }
        )
    }

    // MARK: Organiser

    struct AdminContestDTO: Content {
        let id: UUID
        let slug: String
        let title: String
        let status: String
        let participants: Int
        let rounds: [RoundDTO]
    }

    func adminContests(_ req: Request) async throws -> [AdminContestDTO] {
        let now = req.now
        var result: [AdminContestDTO] = []
        for contest in try await QuizAdmin.contests(scope: req.scope(), on: req.db) {
            let id = try contest.requireID()
            let rounds = try await QuizRound.query(on: req.db).filter(\.$contest.$id == id).sort(\.$number).all()
            result.append(AdminContestDTO(
                id: id, slug: contest.slug, title: contest.title, status: contest.status.rawValue,
                participants: try await QuizParticipant.query(on: req.db).filter(\.$contest.$id == id).count(),
                rounds: try rounds.map { try RoundDTO($0, now: now) }
            ))
        }
        return result
    }

    static func adminRound(_ req: Request) async throws -> QuizRound {
        guard let roundID = req.parameters.get("roundID", as: UUID.self),
              let round = try await QuizRound.query(on: req.db).filter(\.$id == roundID).with(\.$contest).first()
        else { throw AppError.notFound }
        _ = try await QuizAdmin.contest(round.$contest.id, scope: req.scope(), on: req.db)
        return round
    }

    func adminResults(_ req: Request) async throws -> LeaderboardDTO {
        try await Self.standings(req, round: try await Self.adminRound(req), mask: false)
    }

    func adminClose(_ req: Request) async throws -> LeaderboardDTO {
        try QuizAdminController.requireManager(req)
        let round = try await Self.adminRound(req)
        guard round.status != .draft else { throw AppError.conflict("quiz.admin.error.closeDraft") }
        try await QuizService.close(round, actor: req.actor, now: req.now, app: req.application)
        return try await Self.standings(req, round: round, mask: false)
    }

    struct ParticipationDTO: Content {
        struct UnitRow: Content { let unitId: String; let name: String; let depth: Int; let participants: Int; let attempts: Int; let headcount: Int?; let rate: Double?; let lagging: Bool }
        struct DayRow: Content { let day: String; let registrations: Int; let attempts: Int }
        let units: [UnitRow]
        let days: [DayRow]
    }

    func adminParticipation(_ req: Request) async throws -> ParticipationDTO {
        let contest = try await QuizAdmin.contest(req.parameters.get("contestID", as: UUID.self), scope: req.scope(), on: req.db)
        let data = try await QuizAdmin.participation(contest: contest, roundID: try? req.query.get(UUID.self, at: "round"), scope: req.scope(), on: req.db)
        return ParticipationDTO(
            units: data.units.map { .init(unitId: $0.unitID, name: $0.name, depth: $0.depth, participants: $0.participants, attempts: $0.attempts, headcount: $0.headcount, rate: $0.rate, lagging: $0.lagging) },
            days: data.days.map { .init(day: $0.day, registrations: $0.registrations, attempts: $0.attempts) }
        )
    }

    // MARK: OpenAPI

    static var paths: [String: JSON] {
        let error: JSON = ["description": .string(L10n.text("quiz.loi_thong_bao_tieng_viet")), "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
        func ok(_ schema: String, _ text: String = L10n.text("quiz.thanh_cong")) -> JSON { ["description": .string(text), "content": ["application/json": ["schema": ["$ref": .string("#/components/schemas/\(schema)")]]]] }
        func path(_ name: String, uuid: Bool = true) -> JSON { ["name": .string(name), "in": "path", "required": true, "schema": uuid ? ["type": "string", "format": "uuid"] : ["type": "string"]] }
        let token: JSON = ["name": .string(tokenHeader), "in": "header", "required": true, "schema": ["type": "string"], "description": .string(L10n.text("quiz.khoa_cua_thi_sinh_nhan_khi"))]
        let publicSecurity: JSON = []
        return [
            "/api/v1/quiz/contests/{slug}": ["get": ["summary": .string(L10n.text("quiz.cuoc_thi_the_le_va_cac")), "tags": ["quiz"], "security": publicSecurity, "parameters": [path("slug", uuid: false)], "responses": ["200": ok("QuizContest"), "404": error]]],
            "/api/v1/quiz/contests/{slug}/participants": ["post": [
                "summary": .string(L10n.text("quiz.dang_ky_du_thi_mot_nguoi")), "tags": ["quiz"], "security": publicSecurity,
                "parameters": [path("slug", uuid: false)],
                "requestBody": ["required": true, "content": ["application/json": ["schema": ["type": "object", "required": ["fullName", "phone", "unitId", "secret"], "properties": [
                    "fullName": ["type": "string", "maxLength": 100], "birthDate": ["type": "string", "example": "1990-05-17"], "phone": ["type": "string", "example": "0912 345 678"],
                    "idNumber": ["type": "string"], "unitId": ["type": "string", "format": "uuid"], "occupation": ["type": "string"], "secret": ["type": "string", "minLength": 4, "maxLength": 32],
                ]]]]],
                "responses": ["201": ok("QuizToken", L10n.text("quiz.da_dang_ky")), "422": ["description": .string(L10n.text("quiz.thong_tin_chua_hop_le_thong"))], "429": error],
            ]],
            "/api/v1/quiz/contests/{slug}/sessions": ["post": [
                "summary": .string(L10n.text("quiz.dang_nhap_lai_bang_so_dien")), "tags": ["quiz"], "security": publicSecurity,
                "parameters": [path("slug", uuid: false)],
                "requestBody": ["required": true, "content": ["application/json": ["schema": ["type": "object", "required": ["phone", "secret"], "properties": ["phone": ["type": "string"], "secret": ["type": "string"]]]]]],
                "responses": ["200": ok("QuizToken"), "401": error, "429": error],
            ]],
            "/api/v1/quiz/rounds/{roundID}/attempts": ["post": [
                "summary": .string(L10n.text("quiz.bat_dau_luot_thi_hoac_tiep")), "tags": ["quiz"],
                "security": publicSecurity, "parameters": [path("roundID"), token],
                "responses": ["201": ok("QuizAttempt", L10n.text("quiz.da_bat_dau")), "200": ok("QuizAttempt", L10n.text("quiz.tiep_tuc_luot_dang_lam")), "401": error, "404": error, "409": error, "429": error],
            ]],
            "/api/v1/quiz/rounds/{roundID}/leaderboard": ["get": [
                "summary": .string(L10n.text("quiz.bang_xep_hang_tuan_thi_sau")), "tags": ["quiz"], "security": publicSecurity,
                "parameters": [path("roundID"), ["name": "offset", "in": "query", "schema": ["type": "integer"]], ["name": "limit", "in": "query", "schema": ["type": "integer", "maximum": 1000]]],
                "responses": ["200": ok("QuizLeaderboard"), "404": error],
            ]],
            "/api/v1/quiz/attempts/{attemptID}": ["get": [
                "summary": .string(L10n.text("quiz.luot_thi_cua_minh_cau_hoi")), "tags": ["quiz"], "security": publicSecurity,
                "parameters": [path("attemptID"), token], "responses": ["200": ok("QuizAttempt"), "401": error, "404": error],
            ]],
            "/api/v1/quiz/attempts/{attemptID}/submission": ["post": [
                "summary": .string(L10n.text("quiz.nop_bai_nop_lai_lan_nua")),
                "tags": ["quiz"], "security": publicSecurity, "parameters": [path("attemptID"), token],
                "requestBody": ["required": true, "content": ["application/json": ["schema": ["type": "object", "properties": [
                    "answers": ["type": "object", "description": .string(L10n.text("quiz.so_cau_hoi_vi_tri_phuong")), "additionalProperties": ["type": "array", "items": ["type": "integer"]]],
                    "prediction": ["type": "integer", "minimum": 0, "description": .string(L10n.text("quiz.du_doan_so_nguoi_tra_loi"))],
                ]]]]],
                "responses": ["200": ok("QuizAttempt"), "400": error, "401": error, "404": error, "409": error, "429": error],
            ]],
            "/api/v1/quiz/admin/contests": ["get": ["summary": .string(L10n.text("quiz.cac_cuoc_thi_trong_pham_vi")), "tags": ["quiz-admin"], "responses": ["200": ["description": .string(L10n.text("quiz.danh_sach_cuoc_thi"))], "401": error]]],
            "/api/v1/quiz/admin/contests/{contestID}/participation": ["get": [
                "summary": .string(L10n.text("quiz.tham_gia_theo_don_vi_ca")), "tags": ["quiz-admin"],
                "parameters": [path("contestID"), ["name": "round", "in": "query", "schema": ["type": "string", "format": "uuid"]]],
                "responses": ["200": ["description": .string(L10n.text("quiz.so_lieu_tham_gia"))], "401": error, "404": error],
            ]],
            "/api/v1/quiz/admin/rounds/{roundID}/results": ["get": [
                "summary": .string(L10n.text("quiz.ket_qua_day_du_cua_tuan")), "tags": ["quiz-admin"],
                "parameters": [path("roundID"), ["name": "offset", "in": "query", "schema": ["type": "integer"]], ["name": "limit", "in": "query", "schema": ["type": "integer"]]],
                "responses": ["200": ok("QuizLeaderboard"), "401": error, "404": error],
            ]],
            "/api/v1/quiz/admin/rounds/{roundID}/close": ["post": [
                "summary": .string(L10n.text("quiz.ket_thuc_tuan_thi_va_xep")), "tags": ["quiz-admin"], "parameters": [path("roundID")],
                "responses": ["200": ok("QuizLeaderboard"), "401": error, "403": error, "404": error, "409": error],
            ]],
        ]
    }

    static var schemas: [String: JSON] {
        let dateTime: JSON = ["type": "string", "format": "date-time"]
        let round: JSON = ["type": "object", "properties": [
            "id": ["type": "string", "format": "uuid"], "number": ["type": "integer"], "title": ["type": "string"],
            "phase": ["type": "string", "enum": ["upcoming", "open", "ended", "closed"]], "opensAt": dateTime, "closesAt": dateTime,
            "questionCount": ["type": "integer"], "timeLimitSeconds": ["type": "integer"], "maxAttempts": ["type": "integer"], "perfectCount": ["type": "integer", "nullable": true],
        ]]
        return [
            "QuizContest": ["type": "object", "properties": [
                "id": ["type": "string", "format": "uuid"], "slug": ["type": "string"], "title": ["type": "string"], "rules": ["type": "string"],
                "minAge": ["type": "integer"], "requireIdNumber": ["type": "boolean"], "occupations": ["type": "array", "items": ["type": "string"]],
                "prizes": ["type": "string"], "rounds": ["type": "array", "items": round],
            ]],
            "QuizToken": ["type": "object", "required": ["participantId", "token"], "properties": ["participantId": ["type": "string", "format": "uuid"], "token": ["type": "string"]]],
            "QuizAttempt": ["type": "object", "required": ["id", "roundId", "status", "deadlineAt", "questionCount"], "properties": [
                "id": ["type": "string", "format": "uuid"], "roundId": ["type": "string", "format": "uuid"], "attemptNo": ["type": "integer"],
                "status": ["type": "string", "enum": ["started", "submitted", "timedOut"]], "startedAt": dateTime, "deadlineAt": dateTime,
                "resumed": ["type": "boolean", "nullable": true],
                "questions": ["type": "array", "nullable": true, "items": ["type": "object", "properties": [
                    "number": ["type": "integer"], "text": ["type": "string"], "multiple": ["type": "boolean"],
                    "options": ["type": "array", "items": ["type": "object", "properties": ["position": ["type": "integer"], "text": ["type": "string"]]]],
                ]]],
                "predictionQuestion": ["type": "string", "nullable": true], "correct": ["type": "integer", "nullable": true], "questionCount": ["type": "integer"],
                "timeMs": ["type": "integer", "nullable": true], "prediction": ["type": "integer", "nullable": true], "submittedAt": ["type": "string", "format": "date-time", "nullable": true],
                "duplicate": ["type": "boolean", "nullable": true],
            ]],
            "QuizLeaderboard": ["type": "object", "properties": [
                "roundId": ["type": "string", "format": "uuid"], "closed": ["type": "boolean"], "perfectCount": ["type": "integer", "nullable": true], "total": ["type": "integer"],
                "items": ["type": "array", "items": ["type": "object", "properties": [
                    "rank": ["type": "integer"], "name": ["type": "string"], "phone": ["type": "string"], "unit": ["type": "string"], "correct": ["type": "integer"],
                    "predictionDistance": ["type": "integer", "nullable": true], "timeMs": ["type": "integer"], "submittedAt": dateTime, "prize": ["type": "string", "nullable": true],
                ]]],
            ]],
        ]
    }
}
