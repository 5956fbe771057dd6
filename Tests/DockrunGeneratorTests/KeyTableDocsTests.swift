import Foundation
import Testing
@testable import DockrunGenerator

/// docs/quadlet.md's table of keys, in the checkout these tests were built from (#filePath is
/// Tests/DockrunGeneratorTests/KeyTableDocsTests.swift in it): key → status.
private func documentedKeys() throws -> [String: String] {
    var root = #filePath as NSString
    for _ in 0..<3 { root = root.deletingLastPathComponent as NSString }
    let text = try String(contentsOfFile: (root as String) + "/docs/quadlet.md", encoding: .utf8)
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
