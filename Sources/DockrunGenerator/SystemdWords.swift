/// systemd's word syntax (systemd.syntax(7), `extract_first_word` with unquoting and C unescaping), which
/// Quadlet uses for `Exec=`, `Environment=`, `Label=`, `PodmanArgs=` and the other lists: words split at
/// whitespace; `"…"` and `'…'` quote (also inside a word: `a"b c"` is `ab c`); `\` escapes as in C (`\n`,
/// `\t`, `\\`, `\"`, `\xHH`, an unknown escape kept as written). `%` and `$` are left alone: systemd expands
/// specifiers and variables when it runs the generated `ExecStart=`.
public enum SystemdWords {
    public struct SyntaxError: Error, Equatable, Sendable {
        public var message: String
    }

    public static func split(_ text: String) throws(SyntaxError) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if character == "\\" {
                guard let escaped = characters.popFirst() else { throw SyntaxError(message: "a '\\' ends the value") }
                word += unescape(escaped, rest: &characters)
                inWord = true
            } else if let open = quote {
                if character == open { quote = nil } else { word.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
                inWord = true
            } else if character == " " || character == "\t" || character == "\n" {
                if inWord { words.append(word) }
                word = ""
                inWord = false
            } else {
                word.append(character)
                inWord = true
            }
        }
        if let open = quote { throw SyntaxError(message: "unbalanced quote \(open)") }
        if inWord { words.append(word) }
        return words
    }

    private static func unescape(_ escaped: Character, rest: inout ArraySlice<Character>) -> String {
        switch escaped {
        case "a": return "\u{07}"
        case "b": return "\u{08}"
        case "f": return "\u{0C}"
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "v": return "\u{0B}"
        case "s": return " "
        case "\\", "\"", "'", " ": return String(escaped)
        case "x":
            let digits = rest.prefix(2)
            if digits.count == 2, let value = UInt8(String(digits), radix: 16), value != 0 {
                rest.removeFirst(2)
                return String(UnicodeScalar(value))
            }
            return "\\x"
        default:
            return "\\" + String(escaped)
        }
    }

    /// One word as a command line of the generated unit reads it back as exactly that word: bare when it has
    /// nothing systemd would split or unquote, else in double quotes with C escapes. `%` and `$` stay as they
    /// are (systemd's specifiers and variables, as the source file meant them).
    public static func quote(_ word: String) -> String {
        let plain = !word.isEmpty && word != ";" && word.allSatisfy { character in
            !(character == " " || character == "\t" || character == "\"" || character == "'" || character == "\\"
              || character.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true)
        }
        if plain { return word }
        var quoted = "\""
        for character in word {
            switch character {
            case "\\": quoted += "\\\\"
            case "\"": quoted += "\\\""
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            case "\r": quoted += "\\r"
            default: quoted.append(character)
            }
        }
        return quoted + "\""
    }

    /// A command line: each word quoted as `quote` does, separated by spaces.
    public static func join(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }
}
