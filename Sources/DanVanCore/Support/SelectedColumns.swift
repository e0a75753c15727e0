import Foundation
import FluentKit
import NIOConcurrencyHelpers

// Lists that read only the columns their rows show (`.field(…)`) still paid for every column of
// the model when the rows were decoded: FluentKit's `all()` asks each row, for each property of
// the model, whether the row has its column (building the column's aliased name each time) and
// then decodes it — for a 15-property task read with 8 columns, 23 name lookups a row, a sixth
// of a 50-row page (issue 12). `allSelected()` fills only the properties whose columns the
// query selected, with one lookup each.

extension QueryBuilder {
    /// `all()` for a query that names its columns with `.field(…)`: each model gets the selected
    /// properties, read as `all()` reads them (marked as fetched), and no others. A query that
    /// selects nothing, or loads relations with `.with(…)`, runs as `all()`.
    public func allSelected() async throws -> [Model] {
        let selected = Set(query.fields.compactMap { field -> FieldKey? in
            switch field {
            case .path(let path, let schema), .extendedPath(let path, let schema, _):
                return path.count == 1 && schema == Model.schemaOrAlias ? path[0] : nil
            case .custom:
                return nil
            }
        })
        guard !selected.isEmpty, eagerLoaders.isEmpty else { return try await all() }
        let rows = NIOLockedValueBox<[Result<Model, any Error>]>([])
        try await run { output in
            let result = Result<Model, any Error> {
                let model = Model()
                let row = SelectedOutput(base: output.qualifiedSchema(space: Model.spaceIfNotAliased, Model.schemaOrAlias))
                for property in model.properties {
                    guard let property = property as? any AnyDatabaseProperty else { continue }
                    let keys = property.keys
                    if !keys.isEmpty, keys.allSatisfy(selected.contains) { try property.output(from: row) }
                }
                return model
            }
            rows.withLockedValue { $0.append(result) }
        }
        return try rows.withLockedValue { $0 }.map { try $0.get() }
    }
}

/// A row whose columns are known to be there (the query selected them): `contains` answers
/// without asking the row.
private struct SelectedOutput: DatabaseOutput {
    let base: any DatabaseOutput

    func schema(_ schema: String) -> any DatabaseOutput { SelectedOutput(base: base.schema(schema)) }
    func contains(_ key: FieldKey) -> Bool { true }
    func decodeNil(_ key: FieldKey) throws -> Bool { try base.decodeNil(key) }
    func decode<T: Decodable>(_ key: FieldKey, as type: T.Type) throws -> T { try base.decode(key, as: type) }
    var description: String { base.description }
}

// Rows that are shown and never changed (a list's rows) need no model at all: making a model
// allocates each of its property wrappers and frees them again, a tenth of a 50-row page after
// `allSelected()`. `rows(_:)` runs the same Fluent query (its filters, scope and sort written as
// everywhere else) and hands each row to a closure that reads the columns it names.

/// A column of `Model`, named by its property (`InboxItem.column(\.$message)`), read from a row
/// by `QueryBuilder.rows`.
public struct Column<Model: FluentKit.Model, Value: Decodable & Sendable>: Sendable {
    /// The column's name.
    public let key: FieldKey
    /// The name Fluent gives it in a result (`work_tasks_content`): read under it directly, a
    /// row does not build it again for every value.
    let alias: FieldKey

    init(key: FieldKey) {
        self.key = key
        alias = .string(Model.schemaOrAlias + "_" + key.description)
    }
}

extension Model {
    /// The column behind `property` (`\.$message`, `\.$user.$id`), with the type its rows hold.
    public static func column<Property: QueryableProperty>(_ property: KeyPath<Self, Property>) -> Column<Self, Property.Value> {
        Column(key: path(for: property)[0])
    }
}

/// One row of a query's result, read column by column.
public struct SelectedRow<Model: FluentKit.Model> {
    let output: any DatabaseOutput
    /// Whether `output` is read with the columns' result names (`Column.alias`) rather than
    /// qualified by the model's schema (a model in a space).
    let byAlias: Bool

    /// The value of `column` (which the query selected).
    public subscript<Value>(_ column: Column<Model, Value>) -> Value {
        get throws { try output.decode(byAlias ? column.alias : column.key, as: Value.self) }
    }

    /// The id in `column`, read as its text and parsed here: Foundation parses an id's text
    /// with `sscanf`, a twentieth of a 50-row page. Both databases give an id's text in the
    /// canonical form (`UUID.uuidString`); anything else is read as Fluent reads it.
    public subscript(_ column: Column<Model, UUID>) -> UUID {
        get throws {
            let key = byAlias ? column.alias : column.key
            if let text = try? output.decode(key, as: String.self), let id = UUID(canonical: text) { return id }
            return try output.decode(key, as: UUID.self)
        }
    }

    /// The value of a nullable `column`: nil when the row holds NULL.
    public subscript<Value>(_ column: Column<Model, Value?>) -> Value? {
        get throws {
            let key = byAlias ? column.alias : column.key
            return try output.decodeNil(key) ? nil : try output.decode(key, as: Value.self)
        }
    }
}

extension QueryBuilder {
    /// Selects `columns` of the model. `.field(\.$x)` makes a model to learn each column's
    /// name; a list that names its columns once (`static let`) selects them without.
    public func fields(_ columns: [FieldKey]) -> Self {
        for key in columns { field(.extendedPath([key], schema: Model.schemaOrAlias, space: Model.spaceIfNotAliased)) }
        return self
    }

    /// Runs the query and makes one value per row with `read`, without making models: for rows
    /// that are shown, not changed. The query names its columns (`.field(…)`); `read` reads
    /// those, by `Model.column(…)`.
    public func rows<Row: Sendable>(_ read: @escaping @Sendable (SelectedRow<Model>) throws -> Row) async throws -> [Row] {
        let rows = NIOLockedValueBox<[Result<Row, any Error>]>([])
        let byAlias = Model.spaceIfNotAliased == nil
        try await run { output in
            let result = Result<Row, any Error> {
                try read(SelectedRow(output: byAlias ? output : output.qualifiedSchema(space: Model.spaceIfNotAliased, Model.schemaOrAlias), byAlias: byAlias))
            }
            rows.withLockedValue { $0.append(result) }
        }
        return try rows.withLockedValue { $0 }.map { try $0.get() }
    }
}

extension UUID {
    /// The id written `text` in the canonical form (`8F9BA939-FF72-4441-AFBD-47A7A5F366E2`, either
    /// case), or nil for any other text.
    public init?(canonical text: String) {
        var text = text
        let parsed: uuid_t? = text.withUTF8 { bytes -> uuid_t? in
            guard bytes.count == 36 else { return nil }
            var out = [UInt8](repeating: 0, count: 16)
            var index = 0
            var position = 0
            while position < 36 {
                if position == 8 || position == 13 || position == 18 || position == 23 {
                    guard bytes[position] == UInt8(ascii: "-") else { return nil }
                    position += 1
                    continue
                }
                guard let high = Self.hexValue(bytes[position]), let low = Self.hexValue(bytes[position + 1]) else { return nil }
                out[index] = high << 4 | low
                index += 1
                position += 2
            }
            return (out[0], out[1], out[2], out[3], out[4], out[5], out[6], out[7], out[8], out[9], out[10], out[11], out[12], out[13], out[14], out[15])
        }
        guard let parsed else { return nil }
        self.init(uuid: parsed)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
