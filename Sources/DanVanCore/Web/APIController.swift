import DanVanText
import Fluent
import Vapor

/// `/api/v1`: units and users, scoped exactly like the pages.
struct APIController {
    struct UnitDTO: Content {
        let id: UUID
        let name: String
        let shortName: String?
        let code: String
        let kind: OrgUnit.Kind
        let level: OrgUnit.Level
        let parentId: UUID?
        let depth: Int
        let status: OrgUnit.Status
        let successorId: UUID?
        let endedOn: String?
        let oversight: Bool

        init(_ unit: OrgUnit) {
            id = unit.id ?? UUID()
            name = unit.name
            shortName = unit.shortName
            code = unit.code
            kind = unit.kind
            level = unit.level
            parentId = unit.$parent.id
            depth = unit.depth
            status = unit.status
            successorId = unit.successorID
            endedOn = unit.endedOn.map(VNFormat.isoDate)
            oversight = unit.oversight
        }
    }

    struct UserDTO: Content {
        let id: UUID
        let username: String
        let fullName: String
        let role: Role
        let unitId: UUID
        let isActive: Bool

        init(_ user: User) {
            id = user.id ?? UUID()
            username = user.username
            fullName = user.fullName
            role = user.role
            unitId = user.$unit.id
            isActive = user.isActive
        }
    }

    struct UnitCreate: Content {
        var name: String?
        var shortName: String?
        var code: String?
        var kind: String?
        var level: String?
        var parentId: UUID?
        var sortOrder: Int?
        var oversight: Bool?
    }

    struct ValidationFailure: Content {
        struct Body: Content {
            let status: String
            let message: String
            let fields: [String: String]
        }
        let error: Body
    }

    func me(_ req: Request) async throws -> UserDTO {
        UserDTO(try req.requireUser())
    }

    func units(_ req: Request) async throws -> APIList<UnitDTO> {
        let scope = try await req.scope()
        let query = VietnameseText.clean((try? req.query.get(String.self, at: "q")) ?? "")
        let includeEnded = ((try? req.query.get(String.self, at: "ended")) ?? "") == "1"
        let units = query.isEmpty
            ? try await req.unitTree(in: scope, includeEnded: includeEnded)
            : try await UnitService.search(query, in: scope, includeEnded: includeEnded, on: req.db)
        return APIList(all: units.map(UnitDTO.init), page: try APIPage.parse(req))
    }

    func unit(_ req: Request) async throws -> UnitDTO {
        UnitDTO(try await req.unitInScope(req.parameters.get("unitID", as: UUID.self)))
    }

    func createUnit(_ req: Request) async throws -> Response {
        try req.require(.admin)
        let body = try req.content.decode(UnitCreate.self)
        let form = UnitForm(
            name: body.name, shortName: body.shortName, code: body.code, kind: body.kind, level: body.level,
            parentID: body.parentId?.uuidString, sortOrder: body.sortOrder.map(String.init), oversight: body.oversight == true ? "on" : nil
        )
        let result: Result<OrgUnit, FormErrors>
        switch UnitService.validate(form) {
        case .failure(let errors): result = .failure(errors)
        case .success(let input): result = try await UnitService.create(input, actor: req.actor, at: req.now, on: req.db)
        }
        switch result {
        case .failure(let errors):
            let response = Response(status: .unprocessableEntity)
            try response.content.encode(ValidationFailure(error: .init(status: "422", message: req.t("common.fixErrors"), fields: errors.fields)))
            return response
        case .success(let unit):
            let response = Response(status: .created)
            try response.content.encode(UnitDTO(unit))
            response.headers.replaceOrAdd(name: .location, value: "/api/v1/units/\(try unit.requireID())")
            return response
        }
    }

    func users(_ req: Request) async throws -> APIList<UserDTO> {
        let scope = try await req.scope()
        var builder = scope.filter(User.query(on: req.db))
        if let unit = try? req.query.get(UUID.self, at: "unit") { builder = builder.filter(\.$unit.$id == unit) }
        let page = try APIPage.parse(req)
        let users = try await builder.all()
        return APIList(all: VietnameseCollation.sorted(users, by: \.fullName).map(UserDTO.init), page: page)
    }

    func user(_ req: Request) async throws -> UserDTO {
        guard let id = req.parameters.get("userID", as: UUID.self),
              let user = try await req.scope().filter(User.query(on: req.db)).filter(\.$id == id).first()
        else { throw AppError.notFound }
        return UserDTO(user)
    }
}
