@testable import FakeDocker
import Testing

/// Go's time.Duration: parsed from the health options, printed (String) in the health check's timeout message.
@Suite("GoDuration")
struct GoDurationTests {
    @Test("format prints as Go's Duration.String", arguments: [
        (0.5, "500ms"), (1, "1s"), (1.5, "1.5s"), (90, "1m30s"), (3600, "1h0m0s"), (0.000_001_5, "1.5µs"),
        (0.000_000_2, "200ns"), (0, "0s"), (30, "30s"), (3661.25, "1h1m1.25s"),
    ])
    func format(seconds: Double, text: String) {
        #expect(GoDuration.format(seconds) == text)
    }

    @Test("a parsed duration prints as it was written, in Go's own form")
    func roundTrip() throws {
        for text in ["250ms", "2s", "1m5s", "2h0m0s"] { #expect(GoDuration.format(try GoDuration.parse(text)) == text) }
    }
}
