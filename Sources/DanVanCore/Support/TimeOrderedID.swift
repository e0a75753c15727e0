import Foundation

extension UUID {
    /// A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits.
    ///
    /// For rows written in time order at a high rate (audit entries, quiz attempts): their
    /// primary-key index grows at its end instead of at random places, so a batch of a hundred
    /// inserts dirties a few pages instead of a hundred (measured: the quiz writer's disk
    /// traffic). Still unguessable; it does reveal the creation time, which these rows show
    /// anyway.
    public static func timeOrdered(at date: Date = Date()) -> UUID {
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(index))) }
        var generator = SystemRandomNumberGenerator()
        for index in 6..<16 { bytes[index] = UInt8.random(in: .min ... .max, using: &generator) }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)   // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3F)   // RFC 9562 variant
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        ))
    }
}
