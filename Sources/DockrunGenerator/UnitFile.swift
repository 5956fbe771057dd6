/// A unit file as systemd reads it (systemd.syntax(7)): `[Section]` headers, `Key=value` lines, comments
/// (`#` or `;` first on a line), and continuation lines (a line ending in `\` goes on with the next, the
/// backslash read as a space; comment lines inside a continuation are skipped). Values are kept as written,
/// specifiers (`%N`, `%i`) and `$VARIABLE`s included: they are systemd's to expand in the generated unit.
public struct UnitFile: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public var key: String
        public var value: String
        /// The line the entry starts on (1-based), for messages.
        public var line: Int
        /// The drop-in the entry came from; nil for the file itself.
        public var dropIn: String?

        public init(key: String, value: String, line: Int, dropIn: String? = nil) {
            self.key = key; self.value = value; self.line = line; self.dropIn = dropIn
        }
    }

    public struct Section: Equatable, Sendable {
        public var name: String
        public var entries: [Entry]

        public init(name: String, entries: [Entry] = []) {
            self.name = name; self.entries = entries
        }
    }

    public var sections: [Section]

    public init(sections: [Section]) {
        self.sections = sections
    }

    /// Every entry of every section called `name` (systemd merges repeated sections).
    public func entries(in name: String) -> [Entry] {
        sections.filter { $0.name == name }.flatMap(\.entries)
    }

    /// The file with a drop-in's sections after its own, as systemd merges a drop-in: a repeated section goes
    /// on, so a later single value wins and a list grows (or is emptied by an empty value).
    public func merging(_ dropIn: UnitFile, from path: String) -> UnitFile {
        var merged = self
        for section in dropIn.sections {
            let entries = section.entries.map { Entry(key: $0.key, value: $0.value, line: $0.line, dropIn: path) }
            merged.sections.append(Section(name: section.name, entries: entries))
        }
        return merged
    }

    /// The last value given to `key` in section `name`, as systemd's last assignment wins.
    public func last(_ key: String, in name: String) -> Entry? {
        entries(in: name).last { $0.key == key }
    }
}

/// A line systemd would reject, or that this generator will not read.
public struct UnitSyntaxError: Error, Equatable, Sendable {
    public var line: Int
    public var message: String
}

extension UnitFile {
    /// Parses `text` as systemd does; the first line it cannot read is the error.
    public static func parse(_ text: String) throws(UnitSyntaxError) -> UnitFile {
        var sections: [Section] = []
        var pending: (text: String, line: Int)?      // a logical line still being continued
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            var logical = pending.map { $0.text + String(line) } ?? String(line)
            let start = pending?.line ?? number
            if logical.hasSuffix("\\") {
                logical.removeLast()
                pending = (logical + " ", start)
                continue
            }
            pending = nil
            try read(logical, line: start, into: &sections)
        }
        if let pending { try read(pending.text, line: pending.line, into: &sections) }
        return UnitFile(sections: sections)
    }

    private static func read(_ logical: String, line: Int, into sections: inout [Section]) throws(UnitSyntaxError) {
        let text = trimmed(logical)
        if text.isEmpty { return }
        if text.hasPrefix("[") {
            guard text.hasSuffix("]"), text.count > 2 else {
                throw UnitSyntaxError(line: line, message: "invalid section header \(text)")
            }
            sections.append(Section(name: String(text.dropFirst().dropLast())))
            return
        }
        guard let equals = text.firstIndex(of: "=") else {
            throw UnitSyntaxError(line: line, message: "missing '=' in \(text)")
        }
        guard !sections.isEmpty else {
            throw UnitSyntaxError(line: line, message: "assignment outside of a section")
        }
        let key = trimmed(String(text[..<equals]))
        guard !key.isEmpty else { throw UnitSyntaxError(line: line, message: "missing key before '='") }
        let value = trimmed(String(text[text.index(after: equals)...]))
        sections[sections.count - 1].entries.append(Entry(key: key, value: value, line: line))
    }

    static func trimmed(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(text.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
