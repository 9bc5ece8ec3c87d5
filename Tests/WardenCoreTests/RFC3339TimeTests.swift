import Foundation
import Testing
import WardenCore

@Suite struct RFC3339TimeTests {
    @Test func format_writesUTCWithMilliseconds() {
        #expect(RFC3339Time.format(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339Time.format(milliseconds: 951_782_400_123) == "2000-02-29T00:00:00.123Z")
        #expect(RFC3339Time.format(milliseconds: -1) == "1969-12-31T23:59:59.999Z")
    }

    @Test func parse_readsOffsetsFractionsAndBareDates() {
        #expect(RFC3339Time.parseMilliseconds("2000-02-29T00:00:00.123Z") == 951_782_400_123)
        #expect(RFC3339Time.parseMilliseconds("2000-02-29T01:30:00.1+01:30") == 951_782_400_100)
        #expect(RFC3339Time.parseMilliseconds("2000-02-29") == 951_782_400_000)
        #expect(RFC3339Time.parseMilliseconds("2000-02-29T00:00:00.123456Z") == 951_782_400_123)
    }

    @Test func parse_refusesImpossibleOrMalformedTimes() {
        for text in [
            "2001-02-29", "2000-13-01", "2000-01-01T24:00:00Z", "2000-01-01T00:00:00", "yesterday", "",
            "2000-01-01T00:00:00.Z", "2000-01-01 00:00:00Z", "2000-01-01T00:00:00Zjunk",
        ] {
            #expect(RFC3339Time.parseMilliseconds(text) == nil, "\(text)")
        }
    }

    @Test func formatAndParse_roundTrip() {
        for ms: Int64 in [0, 1, 999, 86_399_999, 1_700_000_000_000, 4_102_444_800_000, -86_400_000] {
            #expect(RFC3339Time.parseMilliseconds(RFC3339Time.format(milliseconds: ms)) == ms)
        }
    }
}
