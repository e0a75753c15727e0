import Vapor

/// One list answer of the JSON API: the items and how many there are. Every list endpoint
/// of every module returns this shape (the OpenAPI schemas `UnitPage`, `DocumentPage`, … name it).
public struct APIList<Item: Content>: Content {
    /// The items, in the endpoint's order.
    public let items: [Item]
    /// How many items the list holds.
    public let total: Int

    /// A list of `items`, `total` of them.
    public init(items: [Item], total: Int) {
        self.items = items
        self.total = total
    }
}
