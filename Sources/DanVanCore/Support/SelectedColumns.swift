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
