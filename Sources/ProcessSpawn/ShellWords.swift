/// sh's word splitting and quote removal (POSIX, without expansion): the reader of what `shellQuoted` writes, for
/// a command line printed shell-quoted (fake-docker's call log) and for words a user quotes as a shell would
/// (`fake-docker scenario record --fault 'commit --stderr "Error response…"'`).
public enum ShellWords {
    /// Reads the words of one command line off the front of `text`: up to an unquoted newline, which is
    /// consumed too, or to the end. Unquoted blanks separate words; '…' is literal; "…" is literal but for
    /// a backslash before $ ` " \ or a newline; a backslash outside quotes takes the next character
    /// literally, and before a newline joins the lines. `''` is an empty word. Nil, and `text` untouched,
    /// when a quote is not closed or the text ends in a backslash.
    public static func splitLine(_ text: inout Substring) -> [String]? {
        var rest = text.unicodeScalars
        var words: [String] = []
        var word = String.UnicodeScalarView()
        var inWord = false
        func endWord() {
            if inWord { words.append(String(word)) }
            word = String.UnicodeScalarView()
            inWord = false
        }
        scanning: while let c = rest.popFirst() {
            switch c {
            case "\n":
                break scanning
            case " ", "\t":
                endWord()
            case "'":
                guard let close = rest.firstIndex(of: "'") else { return nil }
                word.append(contentsOf: rest[..<close])
                rest = rest[rest.index(after: close)...]
                inWord = true
            case "\"":
                inWord = true
                quoted: while true {
                    guard let d = rest.popFirst() else { return nil }
                    switch d {
                    case "\"":
                        break quoted
                    case "\\":
                        guard let escaped = rest.popFirst() else { return nil }
                        if escaped == "\n" { continue quoted }
                        if !"$`\"\\".unicodeScalars.contains(escaped) { word.append("\\") }
                        word.append(escaped)
                    default:
                        word.append(d)
                    }
                }
            case "\\":
                guard let escaped = rest.popFirst() else { return nil }
                if escaped != "\n" { word.append(escaped); inWord = true }
            default:
                word.append(c)
                inWord = true
            }
        }
        endWord()
        text = Substring(rest)
        return words
    }

    /// Every word of `text`, an unquoted newline separating words as a blank does. Nil when a quote is not closed
    /// or the text ends in a backslash.
    public static func split(_ text: String) -> [String]? {
        var rest = Substring(text), words: [String] = []
        while !rest.isEmpty {
            guard let line = splitLine(&rest) else { return nil }
            words += line
        }
        return words
    }
}
