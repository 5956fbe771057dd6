import DockerSyntax
import Testing

/// docker's reference grammar with docker's messages, checked against what the real engine (CLI 28.2.2,
/// engine 20.10) answered for `docker commit C REF` (docs/engine-observations.md).
@Suite("Image references")
struct ImageReferenceTests {
    @Test("Valid references and how they split into repository and tag", arguments: [
        ("busybox", "busybox", "latest"),
        ("busybox:1.36", "busybox", "1.36"),
        ("library/busybox", "busybox", "latest"),
        ("repo/name:tag", "repo/name", "tag"),
        ("localhost:5000/img", "localhost:5000/img", "latest"),
        ("localhost:5000/a/b:t", "localhost:5000/a/b", "t"),
        ("Localhost:5000/x:t", "Localhost:5000/x", "t"),
        ("registry.example.com/team/app:v1.2-rc_3", "registry.example.com/team/app", "v1.2-rc_3"),
        ("obs/img:UpperTag", "obs/img", "UpperTag"),
        ("a__b/c.d/e---f", "a__b/c.d/e---f", "latest"),
        ("[::1]:5000/img:t", "[::1]:5000/img", "t"),
    ])
    func valid(text: String, repository: String, tag: String) throws {
        let reference = try ImageReference.parseForEngine(text)
        #expect(reference == ImageReference(repository: repository, tag: tag))
    }

    @Test("A 64-hex name is refused alone but accepted with a tag")
    func hexadecimalNames() throws {
        let hex = String(repeating: "ab", count: 32)
        #expect(throws: ImageReference.ParseError.hexadecimalName(hex)) { try ImageReference.parse(hex) }
        #expect(try ImageReference.parse(hex + ":tag") == ImageReference(repository: hex, tag: "tag"))
    }

    @Test("Invalid references give docker's own message", arguments: [
        ("Repo", "invalid reference format: repository name (library/Repo) must be lowercase"),
        ("x/Y", "invalid reference format: repository name (x/Y) must be lowercase"),
        ("a:b:c", "invalid reference format"),
        ("img:", "invalid reference format"),
        (":t", "invalid reference format"),
        ("obs___a", "invalid reference format"),
        ("img:.x", "invalid reference format"),
        ("img:-bad", "invalid reference format"),
        ("img:" + String(repeating: "t", count: 129), "invalid reference format"),
        ("img@sha256:" + String(repeating: "a", count: 64), "refusing to create a tag with a digest reference"),
        (String(repeating: "a", count: 248), "repository name must not be more than 255 characters"),
    ])
    func invalid(text: String, message: String) {
        #expect(throws: (any Error).self) { try ImageReference.parse(text) }
        do {
            _ = try ImageReference.parse(text)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("A 128-character tag is the longest allowed")
    func longestTag() throws {
        let tag = String(repeating: "t", count: 128)
        #expect(try ImageReference.parse("img:" + tag).tag == tag)
    }

    @Test("The engine's second check: its own name length and no upper-case first path component")
    func engineChecks() throws {
        // The CLI counts "library/NAME"; the engine counts "docker.io/library/NAME".
        let accepted = String(repeating: "a", count: 237), refused = String(repeating: "a", count: 238)
        #expect(try ImageReference.parseForEngine(accepted).repository == accepted)
        #expect(try ImageReference.parse(refused).repository == refused)
        #expect(throws: ImageReference.ParseError.nameTooLong) { try ImageReference.parseForEngine(refused) }
        #expect(try ImageReference.parseForEngine("x/" + String(repeating: "b", count: 243)).tag == "latest")
        // An upper-case first component passes the CLI as a registry host; the engine takes it for a path.
        #expect(try ImageReference.parse("UPPER/x").repository == "UPPER/x")
        #expect(throws: ImageReference.ParseError.daemonMustBeLowercase) { try ImageReference.parseForEngine("UPPER/x") }
    }
}
