/// A small, fast, seedable random number generator (SplitMix64): the same seed gives the same
/// sequence on every platform, so a property test that fails can be replayed from its seed,
/// and generated demo or load data is the same on every run.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    /// The seed this generator started from.
    public let seed: UInt64
    private var state: UInt64

    /// A generator starting at `seed`.
    public init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The seed for property tests: `DANVAN_SEED` from the environment when set (to replay a
    /// failure), otherwise `fallback`.
    public static func testSeed(_ fallback: UInt64, environment: [String: String]) -> UInt64 {
        environment["DANVAN_SEED"].flatMap(UInt64.init) ?? fallback
    }
}
