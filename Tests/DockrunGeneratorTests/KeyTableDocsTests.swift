import Foundation
import Testing
@testable import DockrunGenerator

/// A file of the checkout these tests were built from (#filePath is
/// Tests/DockrunGeneratorTests/KeyTableDocsTests.swift in it).
func repositoryText(_ relativePath: String) throws -> String {
    var root = #filePath as NSString
    for _ in 0..<3 { root = root.deletingLastPathComponent as NSString }
    return try String(contentsOfFile: (root as String) + "/" + relativePath, encoding: .utf8)
}

/// docs/quadlet.md's table of keys: key → status.
private func documentedKeys() throws -> [String: String] {
    let text = try repositoryText("docs/quadlet.md")
    var rows: [String: String] = [:]
    for line in text.split(separator: "\n") where line.hasPrefix("| `") {
        let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        guard cells.count >= 2, cells[0].hasSuffix("=`") else { continue }
        rows[String(cells[0].dropFirst().dropLast(2))] = cells[1]
    }
    return rows
}

@Suite("docs/quadlet.md's key table is the generator's")
struct KeyTableDocsTests {
    @Test("every key of the generator's table is in the docs' and no other")
    func sameKeys() throws {
        #expect(Set(try documentedKeys().keys) == Set(ContainerKey.table.keys))
    }

    @Test("a key the docs call refused is refused by the generator, and only those")
    func sameRefusals() throws {
        for (key, status) in try documentedKeys() {
            #expect(["supported", "differs", "refused"].contains(status), "\(key): \(status)")
            guard let kind = ContainerKey.table[key] else { continue }
            var refused = false
            if case .refused = kind { refused = true }
            #expect(refused == (status == "refused"), "\(key): documented \(status), generator \(kind)")
        }
    }
}

@Suite("man/dockrun-generator.8 names the generator's options")
struct GeneratorManPageTests {
    @Test("every option of the usage text is in the man page, and the one variable it reads")
    func options() throws {
        let page = try repositoryText("man/dockrun-generator.8").replacingOccurrences(of: "\\-", with: "-")
        let options = GeneratorInvocation.usage.split(whereSeparator: { " []\n".contains($0) })
            .filter { $0.hasPrefix("--") }
        #expect(Set(options) == ["--user", "--no-kmsg-log", "--dryrun"])
        for option in options { #expect(page.contains("\\fB\(option)\\fR") || page.contains(".B \(option)")
                                        || page.contains(".RB [ \(option) ]"), "\(option)") }
        #expect(page.contains("DOCKRUN_UNIT_PATH"))
    }
}
