import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// Who may do what in the module. A unit's own officials (anyone whose scope holds the unit)
/// register, build and propose; a council's level (administrators, and leaders and specialists
/// whose scope holds the council's unit, or the council's lead appraiser) opens appraisals,
/// decides, commends, replicates and retires; only council members score.
/// A refused upload's message.
struct UploadRefused: Error {
    let message: String
}

enum EmulationAccess {
    /// The unit's officials (scope) — registration, notes, files, self-assessment.
    static func editsUnit(_ req: Request, _ unitID: UUID) async throws -> Bool {
        guard let unit = try await req.unitsByID()[unitID] else { return false }
        return try await req.scope().contains(unit)
    }

    /// Proposes for recognition: a leader or specialist of the unit, or an administrator.
    static func proposes(_ req: Request, _ unitID: UUID) async throws -> Bool {
        guard let user = req.currentUser, user.role != .focal else { return false }
        return try await editsUnit(req, unitID)
    }

    /// Manages a council's level.
    static func manages(_ req: Request, council: Council) async throws -> Bool {
        guard let user = req.currentUser else { return false }
        if user.role == .admin || council.chairID == user.id { return true }
        guard user.role != .focal, let unit = try await req.unitsByID()[council.$unit.id] else { return false }
        return try await req.scope().contains(unit)
    }

    /// Board work without a council at hand (settings, contests, replication): administrators,
    /// and leaders and specialists whose scope holds `unitID`.
    static func boards(_ req: Request, over unitID: UUID) async throws -> Bool {
        guard let user = req.currentUser else { return false }
        if user.role == .admin { return true }
        guard user.role != .focal, let unit = try await req.unitsByID()[unitID] else { return false }
        return try await req.scope().contains(unit)
    }

    /// The councils of `year` and `purpose` whose unit is `unit` or above it, nearest first,
    /// at `level` when given.
    static func councils(for unit: OrgUnit, year: Int, purpose: AssessmentPurpose, level: OrgUnit.Level?, strictlyAbove: Bool = false, units: [UUID: OrgUnit], on db: any Database) async throws -> [Council] {
        let councils = try await Council.query(on: db).filter(\.$year == year).filter(\.$purpose == purpose).all()
        return councils.compactMap { council -> (Council, Int)? in
            guard let owner = units[council.$unit.id], covers(owner, unit) else { return nil }
            if strictlyAbove, owner.id == unit.id { return nil }
            if let level, owner.level != level { return nil }
            return (council, owner.path.count)
        }.sorted { $0.1 > $1.1 }.map(\.0)
    }

    /// Whether a council of `owner` may appraise what `unit` proposes: the owner is the unit or
    /// above it, or a provincial body of the same province (the board is beside the communes,
    /// not above them).
    static func covers(_ owner: OrgUnit, _ unit: OrgUnit) -> Bool {
        if unit.path.hasPrefix(owner.path) { return true }
        guard owner.level == .province, let root = owner.ancestorIDs.first ?? owner.id else { return false }
        return unit.path.hasPrefix("/\(root.uuidString)/")
    }

    /// A record's unit inside the scope, or 404 (a record outside the scope does not exist).
    static func requireInScope(_ req: Request, _ unitID: UUID) async throws {
        guard try await editsUnit(req, unitID) else { throw AppError.notFound }
    }

    /// The current year in the province.
    static func currentYear(_ req: Request) -> Int {
        VNFormat.calendar.component(.year, from: req.now)
    }

    /// A year from the query (`?year=`), the current one otherwise.
    static func year(_ req: Request) -> Int {
        let current = currentYear(req)
        guard let year = req.query[Int.self, at: "year"], (2000...current + 1).contains(year) else { return current }
        return year
    }

    /// The files of an owner as attachment rows linked to `href(fileID)`.
    static func fileRows(owner: String, ids: [UUID], href: (EmulationFile) -> String, on db: any Database) async throws -> [UUID: [AttachmentRow]] {
        guard !ids.isEmpty else { return [:] }
        let files = try await EmulationFile.query(on: db).filter(\.$ownerType == owner).filter(\.$ownerID ~~ ids).sort(\.$at).all()
        return Dictionary(grouping: files, by: \.ownerID).mapValues { list in
            list.map { AttachmentRow(id: $0.id, filename: $0.filename, bytes: $0.size, uploadedBy: $0.uploadedBy, at: $0.at, href: href($0)) }
        }
    }

    /// The multipart files of a form (`files[]`), stored; a refusal is returned as its message.
    static func uploads(_ req: Request) -> Result<[(filename: String, stored: FileStore.Stored)], UploadRefused> {
        let files = req.formFiles()
        guard !files.isEmpty else { return .success([]) }
        do { return .success(try req.storeUploads(files)) } catch let refusal as FileStore.Refusal { return .failure(UploadRefused(message: refusal.message)) } catch { return .failure(UploadRefused(message: L10n.text("emulation.error.file"))) }
    }

    /// Typed points of the criteria (`points.<id>`).
    static func points(_ typed: [String: String], criteria: [Criterion]) -> [UUID: String] {
        Dictionary(uniqueKeysWithValues: criteria.compactMap { criterion in criterion.id.map { ($0, typed["points.\($0.uuidString)"] ?? "") } })
    }
}
