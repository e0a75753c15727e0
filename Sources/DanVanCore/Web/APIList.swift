import Fluent
import Vapor

/// One page of a list answer of the JSON API, the way Redmine pages its lists: the items, the
/// list's whole size (`total_count`, and `total` as before) and the page asked for (`limit`,
/// `offset`). Every list endpoint of every module returns this shape (the OpenAPI schemas
/// `UnitPage`, `DocumentPage`, … name it).
public struct APIList<Item: Content>: Content {
    /// The items of this page, in the endpoint's order.
    public let items: [Item]
    /// How many items the whole list holds (the same as `totalCount`, kept for old clients).
    public let total: Int
    /// How many items the whole list holds.
    public let totalCount: Int
    /// The page size used.
    public let limit: Int
    /// How many items were skipped.
    public let offset: Int

    enum CodingKeys: String, CodingKey {
        case items, total, limit, offset
        case totalCount = "total_count"
    }

    /// Page `page` of a list of `total` items.
    public init(items: [Item], total: Int, page: APIPage) {
        self.items = items
        self.total = total
        self.totalCount = total
        self.limit = page.limit
        self.offset = page.offset
    }

    /// The page `page` cut from a list already in memory.
    public init(all: [Item], page: APIPage) {
        self.init(items: Array(all.dropFirst(page.offset).prefix(page.limit)), total: all.count, page: page)
    }
}

/// The page a list request asks for: `?limit=` (default 25, at most 1,000) and `?offset=`.
public struct APIPage: Sendable, Equatable {
    /// Items per page when the request says nothing.
    public static let defaultLimit = 25
    /// The largest page.
    public static let maxLimit = 1000

    /// Page size.
    public let limit: Int
    /// Items skipped.
    public let offset: Int

    /// A page; the values must be in range (`parse` checks a request's).
    public init(limit: Int = APIPage.defaultLimit, offset: Int = 0) {
        self.limit = limit
        self.offset = offset
    }

    /// The rows of the page, for a query builder.
    public var range: Range<Int> { offset..<(offset + limit) }

    /// Reads `limit` and `offset` from the query string; a value that is not a number in range
    /// is a 400 with a message that says what is allowed.
    public static func parse(_ req: Request) throws -> APIPage {
        func number(_ name: String) throws -> Int? {
            guard let raw = req.query[String.self, at: name], !raw.isEmpty else { return nil }
            guard let value = Int(raw.trimmingCharacters(in: .whitespaces)) else {
                throw AppError.badRequest(req.t("api.page.\(name)", String(maxLimit)))
            }
            return value
        }
        let limit = try number("limit") ?? defaultLimit
        let offset = try number("offset") ?? 0
        guard (1...maxLimit).contains(limit) else { throw AppError.badRequest(req.t("api.page.limit", String(maxLimit))) }
        guard offset >= 0 else { throw AppError.badRequest(req.t("api.page.offset", String(maxLimit))) }
        return APIPage(limit: limit, offset: offset)
    }

    /// The OpenAPI parameters `limit` and `offset`.
    public static var openAPIParameters: [JSON] {
        [
            [
                "name": "limit", "in": "query", "required": false,
                "description": .string(L10n.format("api.page.limitDoc", [String(maxLimit)])),
                "schema": ["type": "integer", "minimum": 1, "maximum": .number(Double(maxLimit)), "default": .number(Double(defaultLimit))],
            ],
            [
                "name": "offset", "in": "query", "required": false,
                "description": .string(L10n.text("api.page.offsetDoc")),
                "schema": ["type": "integer", "minimum": 0, "default": 0],
            ],
        ]
    }

    /// The OpenAPI schema of a page of `item` (a schema name).
    public static func openAPISchema(of item: String) -> JSON {
        [
            "type": "object", "required": ["items", "total", "total_count", "limit", "offset"],
            "properties": [
                "items": ["type": "array", "items": ["$ref": .string("#/components/schemas/" + item)]],
                "total": ["type": "integer"], "total_count": ["type": "integer"],
                "limit": ["type": "integer"], "offset": ["type": "integer"],
            ],
        ]
    }
}
