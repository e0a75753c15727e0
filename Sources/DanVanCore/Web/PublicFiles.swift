import Vapor

/// Serves the files under `Public/` (CSS, JS, images) — and asks the file system only for
/// requests that can be one: GET or HEAD of a path whose last segment has an extension,
/// outside `/api/`. Vapor's `FileMiddleware` alone looks every request up on disk (a trip
/// to the thread pool each time), pages and API calls included.
public struct PublicFilesMiddleware: AsyncMiddleware {
    private let files: FileMiddleware

    /// Serves `publicDirectory`.
    public init(publicDirectory: String) {
        files = FileMiddleware(publicDirectory: publicDirectory, defaultFile: nil)
    }

    /// Whether a request may name a public file.
    public static func mayBeFile(method: HTTPMethod, path: String) -> Bool {
        guard method == .GET || method == .HEAD, !path.hasPrefix("/api/") else { return false }
        guard let last = path.split(separator: "/", omittingEmptySubsequences: true).last else { return false }
        return last.contains(".")
    }

    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard Self.mayBeFile(method: request.method, path: request.url.path) else { return try await next.respond(to: request) }
        return try await files.respond(to: request, chainingTo: next)
    }
}
