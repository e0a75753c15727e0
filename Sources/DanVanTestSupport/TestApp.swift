import DanVanApp
import DanVanCore
import Fluent
import Foundation
import SQLKit
import Vapor
import VaporTesting

/// The package root, so Leaf finds `Resources/Views` whatever the test runner's directory.
public let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path + "/"
}()

/// Which database the tests run on: `DATABASE_URL` pointing at PostgreSQL runs the whole
/// suite there (a fresh schema per test, localhost only); otherwise a fresh in-memory SQLite
/// database per test.
public var testDatabaseChoice: AppConfig.DatabaseChoice {
    let url = ProcessInfo.processInfo.environment["DATABASE_URL"] ?? ""
    if url.hasPrefix("postgres"), url.contains("@127.0.0.1") || url.contains("@localhost") {
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        return .postgres(url: url, schema: String(schema))
    }
    return .sqliteMemory
}

/// Builds the real app on a fresh database, migrates it, runs `body`, and tears it down.
///
/// `clock` pins "now"; `environment` is Vapor's (`serve` runs in development unless told);
/// `configure` adjusts the configuration (e.g. login throttling).
public func withTestApp(
    clock: (any AppClock)? = nil,
    environment: Environment = .testing,
    configure adjust: (inout AppConfig) -> Void = { _ in },
    _ body: (Application) async throws -> Void
) async throws {
    let app = try await Application.make(environment)
    app.directory = DirectoryConfiguration(workingDirectory: packageRoot)
    app.logger.logLevel = .warning
    if let clock { app.clock = clock }
    var config = AppConfig(database: testDatabaseChoice, bcryptCost: 4)
    adjust(&config)
    do {
        try await DanVanApp.configure(app, config: config)
        app.files = FileStore(root: FileManager.default.temporaryDirectory.appendingPathComponent("danvan-files-\(UUID().uuidString)").path)
        try await app.autoMigrate()
        try await body(app)
    } catch {
        try await tearDown(app, config)
        throw error
    }
    try await tearDown(app, config)
}

private func tearDown(_ app: Application, _ config: AppConfig) async throws {
    if case .postgres(_, let schema?) = config.database, let sql = app.db as? any SQLDatabase {
        try? await sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
    }
    try await app.asyncShutdown()
}

/// The unit with `code`.
public func unit(_ code: String, on app: Application) async throws -> OrgUnit {
    guard let unit = try await OrgUnit.query(on: app.db).filter(\.$code == code).first() else {
        throw Abort(.notFound, reason: "no unit \(code)")
    }
    return unit
}

/// The user with `username`.
public func user(_ username: String, on app: Application) async throws -> User {
    guard let user = try await User.query(on: app.db).filter(\.$username == username).first() else {
        throw Abort(.notFound, reason: "no user \(username)")
    }
    return user
}

/// A browser-like client over the real HTTP stack: keeps cookies, reads the CSRF token from
/// the pages it gets, and posts forms with it.
public final class WebClient: @unchecked Sendable {
    let app: Application
    private(set) var cookies: [String: String] = [:]
    /// The last CSRF token seen in a page.
    public private(set) var csrf: String = ""

    /// A client with no cookies.
    public init(_ app: Application) { self.app = app }

    /// A response with its body as text.
    public struct Reply: Sendable {
        /// Status.
        public let status: HTTPStatus
        /// Headers.
        public let headers: HTTPHeaders
        /// Body, UTF-8.
        public let body: String
        /// Body, as received (a .docx, a .xlsx).
        public let bytes: Data
        /// `Location` of a redirect.
        public var location: String? { headers.first(name: .location) }
    }

    /// `GET path`.
    @discardableResult
    public func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> Reply {
        try await send(.GET, path, headers: headers, body: nil)
    }

    /// `POST path` with a urlencoded form; the CSRF token is added unless `csrf: false`.
    @discardableResult
    public func post(_ path: String, form: [String: String], csrf includeToken: Bool = true) async throws -> Reply {
        var fields = form
        if includeToken, fields["_csrf"] == nil { fields["_csrf"] = csrf }
        let body = fields.map { "\(escape($0.key))=\(escape($0.value))" }.joined(separator: "&")
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        return try await send(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    /// `POST path` with urlencoded name/value pairs in order (a name may repeat, as a
    /// multiple select sends it); the CSRF token is added.
    @discardableResult
    public func post(_ path: String, pairs: [(String, String)]) async throws -> Reply {
        var all = pairs
        if !all.contains(where: { $0.0 == "_csrf" }) { all.append(("_csrf", csrf)) }
        let body = all.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        return try await send(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    /// `POST path` with a multipart form (one file field).
    @discardableResult
    public func postMultipart(_ path: String, fields: [String: String], file: (name: String, filename: String, content: String)?) async throws -> Reply {
        let boundary = "----danvan" + UUID().uuidString
        var body = ""
        var all = fields
        if all["_csrf"] == nil { all["_csrf"] = csrf }
        for (name, value) in all {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        if let file {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: text/csv\r\n\r\n\(file.content)\r\n"
        }
        body += "--\(boundary)--\r\n"
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await send(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    /// `POST path` with a multipart form and one binary file (a PDF, a .docx).
    @discardableResult
    public func postMultipart(_ path: String, fields: [String: String], file name: String, filename: String, contentType: String, data: Data) async throws -> Reply {
        let boundary = "----danvan" + UUID().uuidString
        var all = fields
        if all["_csrf"] == nil { all["_csrf"] = csrf }
        var body = ByteBuffer()
        for (field, value) in all {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"\r\n\r\n\(value)\r\n")
        }
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(contentType)\r\n\r\n")
        body.writeBytes(data)
        body.writeString("\r\n--\(boundary)--\r\n")
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await send(.POST, path, headers: headers, body: body)
    }

    /// Signs in through the login form; returns the response of the POST.
    @discardableResult
    public func login(_ username: String, _ password: String = TestProvince.password) async throws -> Reply {
        try await get("/login")
        return try await post("/login", form: ["username": username, "password": password, "next": "/"])
    }

    /// Any request with the client's cookies.
    public func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], body: ByteBuffer?) async throws -> Reply {
        var headers = headers
        if !cookies.isEmpty {
            headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        let response = try await app.testing().sendRequest(method, path, headers: headers, body: body)
        for header in response.headers[.setCookie] {
            let pair = header.split(separator: ";").first.map(String.init) ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { cookies[parts[0]] = parts[1] }
            if header.contains("Max-Age=0") || header.contains("Expires=Thu, 01 Jan 1970") { cookies[parts[0]] = nil }
        }
        let text = String(buffer: response.body)
        if let range = text.range(of: "name=\"_csrf\" value=\"") {
            let rest = text[range.upperBound...]
            if let end = rest.firstIndex(of: "\"") { csrf = String(rest[..<end]) }
        }
        return Reply(status: response.status, headers: response.headers, body: text, bytes: Data(buffer: response.body))
    }

    private func escape(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
