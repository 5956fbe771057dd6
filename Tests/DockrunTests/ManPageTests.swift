import Foundation
import Testing
@testable import Dockrun

/// The checkout these tests were built from: #filePath is Tests/DockrunTests/ManPageTests.swift in it.
private let root: String = {
    var path = #filePath as NSString
    for _ in 0..<3 { path = path.deletingLastPathComponent as NSString }
    return path as String
}()

private func text(_ relativePath: String) throws -> String {
    try String(contentsOfFile: root + "/" + relativePath, encoding: .utf8)
}

/// Every capture of `pattern`'s first group in `text`.
private func captures(_ pattern: String, in text: String) throws -> [String] {
    try text.matches(of: Regex(pattern)).compactMap { match in
        match.output.count > 1 ? match.output[1].substring.map(String.init) : nil
    }
}

/// The lines of `text` from the one equal to `heading` up to the next line that starts with `nextPrefix`.
private func section(_ text: String, heading: String, until nextPrefix: String) -> [Substring] {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let start = lines.firstIndex(where: { $0 == heading }) else { return [] }
    let rest = lines[(start + 1)...]
    return Array(rest.prefix { !$0.hasPrefix(nextPrefix) })
}

/// A roff man page as the tests read it: for each `.SH` section, the tags of its `.TP` paragraphs as plain text.
private struct ManPage {
    var tags: [String: [String]] = [:]

    init(_ roff: String) {
        let lines = roff.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var current = ""
        for (i, line) in lines.enumerated() {
            if line.hasPrefix(".SH ") {
                current = Self.plain(String(line.dropFirst(4)))
            } else if line == ".TP", i + 1 < lines.count {
                tags[current, default: []].append(Self.plain(lines[i + 1]))
            }
        }
    }

    /// A roff line without its macro name, font escapes, quotes and hyphen escapes.
    static func plain(_ line: String) -> String {
        var text = line
        if text.hasPrefix("."), let space = text.firstIndex(of: " ") { text = String(text[text.index(after: space)...]) }
        text = text.replacingOccurrences(of: #"\\f[BIRP]"#, with: "", options: .regularExpression)
        return text.replacingOccurrences(of: "\\-", with: "-").replacingOccurrences(of: "\\&", with: "")
            .replacingOccurrences(of: "\"", with: "")
    }

    /// The names (without dashes) of the options in a section's tags: `--rm, -rm, --rm=BOOL` gives `rm`.
    func optionNames(_ section: String) throws -> Set<String> {
        Set(try (tags[section] ?? []).flatMap { try captures(#"(?:^|[\s,\[|])-{1,2}([a-z][a-z-]*)"#, in: $0) })
    }
}

private let dockrunPage: ManPage = ManPage((try? text("man/dockrun.1")) ?? "")
private let fakeDockerPage: ManPage = ManPage((try? text("man/fake-docker.1")) ?? "")

/// The option names of `dockrun --help`: the indented lines of its "Options" paragraph, up to the blank line.
private func usageOptions() throws -> Set<String> {
    let lines = usage.split(separator: "\n", omittingEmptySubsequences: false)
    let paragraph = lines.drop { !$0.hasPrefix("Options") }.dropFirst().prefix { !$0.isEmpty }
    return Set(try paragraph.flatMap { try captures(#"^\s+-{1,2}([a-z][a-z-]*)"#, in: String($0)) })
}

/// The option names of docs/dockrun.md, "dockrun's own options": each bullet's leading `code` spans.
private func docsOptions() throws -> Set<String> {
    let lines = section(try text("docs/dockrun.md"), heading: "### dockrun's own options", until: "#")
    var names: Set<String> = []
    for line in lines where line.hasPrefix("- ") {
        let lead = try captures(#"^- ((?:`[^`]+`(?:, )?)+)"#, in: String(line)).first ?? ""
        names.formUnion(try captures(#"`-{1,2}([a-z][a-z-]*)"#, in: lead))
    }
    return names
}

/// What differs between two named sets, for a failure message.
private func difference(_ a: Set<String>, _ aName: String, _ b: Set<String>, _ bName: String) -> String {
    "only in \(aName): \(a.subtracting(b).sorted()); only in \(bName): \(b.subtracting(a).sorted())"
}

@Suite("the man pages say what the programs and the docs say")
struct ManPageTests {
    @Test("man/dockrun.1 lists exactly the options of dockrun's usage text and of docs/dockrun.md")
    func dockrunOptions() throws {
        let man = try dockrunPage.optionNames("OPTIONS")
        let usageNames = try usageOptions()
        let docs = try docsOptions()
        #expect(!man.isEmpty && !usageNames.isEmpty && !docs.isEmpty, "an options list was not found")
        #expect(man == usageNames, "\(difference(man, "man/dockrun.1", usageNames, "usage"))")
        #expect(man == docs, "\(difference(man, "man/dockrun.1", docs, "docs/dockrun.md"))")
        let parsed = Set(Invocation.ownOptions.keys)
        #expect(parsed.isSubset(of: usageNames), "parsed by dockrun, missing from usage: \(parsed.subtracting(usageNames).sorted())")
    }

    @Test("man/dockrun.1 lists exactly the environment variables dockrun reads, as docs/dockrun.md does")
    func dockrunEnvironment() throws {
        let man = Set(try (dockrunPage.tags["ENVIRONMENT"] ?? []).flatMap { try captures(#"\b([A-Z][A-Z0-9_]+)\b"#, in: $0) })
        let sourceDirectory = root + "/Sources/Dockrun"
        var read: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: sourceDirectory) where file.hasSuffix(".swift") {
            let source = try String(contentsOfFile: sourceDirectory + "/" + file, encoding: .utf8)
            read.formUnion(try captures(#"environment\("([A-Z][A-Z0-9_]*)"\)"#, in: source))
        }
        let docsLines = section(try text("docs/dockrun.md"), heading: "## Environment", until: "#")
        let docs = Set(try docsLines.filter { $0.hasPrefix("- ") }.flatMap { line in
            let lead = try captures(#"^- ((?:`[^`]+`(?:, )?)+)"#, in: String(line)).first ?? ""
            return try captures(#"`([A-Z][A-Z0-9_]+)"#, in: lead)
        })
        let usageNames = Set(try captures(#"(?m)^\s+(DOCKRUN_[A-Z0-9_]+)"#, in: usage))
        #expect(!read.isEmpty && !usageNames.isEmpty, "no environment variable found in Sources/Dockrun or the usage")
        #expect(man == read, "\(difference(man, "man/dockrun.1", read, "Sources/Dockrun"))")
        #expect(man == docs, "\(difference(man, "man/dockrun.1", docs, "docs/dockrun.md"))")
        #expect(usageNames.isSubset(of: man), "in the usage, not in man/dockrun.1: \(usageNames.subtracting(man).sorted())")
    }

    @Test("man/dockrun.1 has every exit code of docs/dockrun.md's exit-code table, and no other")
    func dockrunExitCodes() throws {
        let table = section(try text("docs/dockrun.md"), heading: "## Exit codes", until: "#")
        // The rows after the header ("| exit | meaning |"); the "|---|" line does not start with "| ".
        let rows = table.filter { $0.hasPrefix("| ") }.dropFirst()
        let docs = Set(rows.compactMap { $0.dropFirst(2).split(separator: "|").first?.trimmingCharacters(in: .whitespaces) })
        let man = Set((dockrunPage.tags["EXIT STATUS"] ?? []).map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(docs.count >= 5, "the exit-code table was not found: \(docs.sorted())")
        #expect(man == docs, "\(difference(man, "man/dockrun.1", docs, "docs/dockrun.md"))")
    }

    @Test("man/fake-docker.1 lists exactly the commands fake-docker's CLI dispatches, each also in docs/fake-docker.md")
    func fakeDockerCommands() throws {
        let cli = try text("Sources/FakeDocker/CLI/FakeDockerCLI.swift")
        let dispatched = try captures(#"case "([a-z]+)": return"#, in: cli)
        // The commands taken before the dispatch (`scenario`), and docker's management names (`container`, `image`).
        let named = try captures(#"(?:args\.first|name) == "([a-z]+)""#, in: cli)
        let commands = Set(dispatched + named)
        let man = Set((fakeDockerPage.tags["COMMANDS"] ?? []).flatMap { tag in
            tag.components(separatedBy: ", ").compactMap { $0.split(separator: " ").first.map(String.init) }
        })
        #expect(dispatched.count >= 15, "the CLI's dispatch was not found: \(dispatched)")
        #expect(man == commands, "\(difference(man, "man/fake-docker.1", commands, "FakeDockerCLI.swift"))")
        let docs = try text("docs/fake-docker.md")
        for command in commands.sorted() {
            #expect(docs.contains("`\(command)"), "docs/fake-docker.md does not name `\(command)`")
        }
    }
}
