import Foundation
import Testing
import WardenCore

@Suite struct RandomUUIDTests {
    /// Version 4, variant 10, lowercase, parsed by Foundation to the same value, and no two alike.
    @Test func theyAreVersion4UUIDs_andDistinct() {
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let text = RandomUUID.make()
            let parts = text.split(separator: "-").map(String.init)
            #expect(parts.map(\.count) == [8, 4, 4, 4, 12], "\(text)")
            #expect(parts[2].first == "4", "\(text)")
            #expect("89ab".contains(parts[3].first!), "\(text)")
            #expect(text == text.lowercased())
            #expect(UUID(uuidString: text)?.uuidString.lowercased() == text)
            seen.insert(text)
        }
        #expect(seen.count == 10_000)
    }
}
