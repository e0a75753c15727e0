import Foundation

/// An OpenAPI link: the answer of one operation names the parameters of another, so a client
/// — or schemathesis' stateful run — can follow it (a unit created → that unit; a list → its
/// first item; an attempt started → its submission). Modules declare theirs; the document
/// builder gives every operation an `operationId` and writes each link into its answer.
public struct OpenAPILink: Sendable, Equatable {
    /// The link's name in the answer's `links`.
    public let name: String
    /// The operation whose answer carries the link: method (lower case) and path.
    public let from: String
    /// The answer's status code.
    public let status: String
    /// The operation the link leads to: method and path.
    public let to: String
    /// The target's parameters as runtime expressions (`"taskID": "$response.body#/items/0/id"`),
    /// a header parameter as `header.Name`.
    public let parameters: [String: String]
    /// Fields of the target's JSON body as runtime expressions (the record's `version` for an
    /// update); the rest of the body is the client's.
    public let body: [String: String]

    /// A link from `from` (`"get /api/v1/tasks"`) answering `status` to `to`.
    public init(_ name: String, from: String, status: String = "200", to: String, parameters: [String: String], body: [String: String] = [:]) {
        self.name = name
        self.from = from
        self.status = status
        self.to = to
        self.parameters = parameters
        self.body = body
    }

    /// The `operationId` of `method path`: the method and the path's words after `/api/v1`,
    /// parameters as `by…` (`get /api/v1/tasks/{taskID}/progress` → `getTasksByTaskIDProgress`).
    public static func operationID(method: String, path: String) -> String {
        var id = method.lowercased()
        for word in path.split(separator: "/").dropFirst(path.hasPrefix("/api/v1/") ? 2 : 0) {
            let text = String(word)
            if text.hasPrefix("{") {
                let name = text.dropFirst().dropLast()
                id += "By" + name.prefix(1).uppercased() + name.dropFirst()
            } else {
                for part in text.split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
                    id += part.prefix(1).uppercased() + part.dropFirst()
                }
            }
        }
        return id
    }

    /// `paths` with an `operationId` on every operation and `links` written into the answers
    /// they start from; the links whose ends are not both in `paths` are returned apart.
    public static func apply(_ links: [OpenAPILink], to paths: [String: JSON]) -> (paths: [String: JSON], unresolved: [OpenAPILink]) {
        var paths = paths
        for (path, item) in paths {
            guard case .object(var operations) = item else { continue }
            for (method, operation) in operations {
                guard case .object(var fields) = operation else { continue }
                fields["operationId"] = .string(operationID(method: method, path: path))
                operations[method] = .object(fields)
            }
            paths[path] = .object(operations)
        }
        var unresolved: [OpenAPILink] = []
        for link in links {
            let source = link.from.split(separator: " ", maxSplits: 1).map(String.init)
            let target = link.to.split(separator: " ", maxSplits: 1).map(String.init)
            guard source.count == 2, target.count == 2, paths[target[1]]?[target[0]] != nil,
                  case .object(var operations)? = paths[source[1]], case .object(var operation)? = operations[source[0]],
                  case .object(var responses)? = operation["responses"], case .object(var response)? = responses[link.status]
            else {
                unresolved.append(link)
                continue
            }
            var existing: [String: JSON] = [:]
            if case .object(let known)? = response["links"] { existing = known }
            var definition: [String: JSON] = [
                "operationId": .string(operationID(method: target[0], path: target[1])),
                "parameters": .object(link.parameters.mapValues { .string($0) }),
            ]
            if !link.body.isEmpty { definition["requestBody"] = .object(link.body.mapValues { .string($0) }) }
            existing[link.name] = .object(definition)
            response["links"] = .object(existing)
            responses[link.status] = .object(response)
            operation["responses"] = .object(responses)
            operations[source[0]] = .object(operation)
            paths[source[1]] = .object(operations)
        }
        return (paths, unresolved)
    }
}
