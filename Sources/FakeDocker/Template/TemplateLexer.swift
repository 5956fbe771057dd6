/// Go's text/template lexer (text/template/parse/lex.go) for the `{{ }}` delimiters.
struct TemplateToken {
    enum Kind: Equatable {
        case text, leftDelim, rightDelim, space, field, variable, identifier, string, rawString, charConstant
        case number, bool, nilLiteral, dot, pipe, declare, assign, leftParen, rightParen, char, eof, error
        case keyword(Keyword)
    }

    enum Keyword: String {
        case `if`, `else`, end, range, with, `break`, `continue`, define, template, block
    }

    var kind: Kind
    /// Byte offset in the template text, as Go's `Pos`.
    var pos: Int
    var value: String
    var line: Int

    /// How Go's parser names a token in "unexpected …" messages.
    var description: String {
        switch kind {
        case .eof: return "EOF"
        case .error: return value
        case .keyword: return "<\(value)>"
        default:
            let quoted = GoFormat.quote(value)
            if value.unicodeScalars.count > 10 {
                return GoFormat.quote(String(String.UnicodeScalarView(value.unicodeScalars.prefix(10)))) + "..."
            }
            return quoted
        }
    }
}

/// Lexes the whole text up front. A lexing error becomes a final `.error` token rather than a throw,
/// because Go's parser pulls tokens lazily: a parse error earlier in the text must win over it.
struct TemplateLexer {
    private let scalars: [Unicode.Scalar]
    private let offsets: [Int]  // byte offset of each scalar, plus the end
    private var pos = 0
    private var start = 0
    private var line = 1
    private var startLine = 1
    private var parenDepth = 0
    private(set) var tokens: [TemplateToken] = []

    static func tokens(of text: String) -> [TemplateToken] {
        var lexer = TemplateLexer(text)
        lexer.run()
        return lexer.tokens
    }

    private init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        var offsets: [Int] = []
        offsets.reserveCapacity(scalars.count + 1)
        var offset = 0
        for scalar in scalars {
            offsets.append(offset)
            offset += UTF8.width(scalar)
        }
        offsets.append(offset)
        self.offsets = offsets
    }

    private enum State { case text, leftDelim, insideAction, done }

    private mutating func run() {
        var state = State.text
        while state != .done {
            switch state {
            case .text: state = lexText()
            case .leftDelim: state = lexLeftDelim()
            case .insideAction: state = lexInsideAction()
            case .done: break
            }
        }
    }

    // MARK: Primitives

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        pos + ahead < scalars.count ? scalars[pos + ahead] : nil
    }

    private func hasPrefix(_ s: String, at index: Int) -> Bool {
        var i = index
        for scalar in s.unicodeScalars {
            guard i < scalars.count, scalars[i] == scalar else { return false }
            i += 1
        }
        return true
    }

    private var currentText: String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars[start..<pos])
        return String(s)
    }

    private mutating func emit(_ kind: TemplateToken.Kind, value: String? = nil) {
        tokens.append(TemplateToken(kind: kind, pos: offsets[start], value: value ?? currentText, line: startLine))
        ignore()
    }

    private mutating func ignore() {
        for scalar in scalars[start..<pos] where scalar == "\n" { line += 1 }
        start = pos
        startLine = line
    }

    private mutating func fail(_ message: String) -> State {
        tokens.append(TemplateToken(kind: .error, pos: offsets[start], value: message, line: startLine))
        return .done
    }

    private static func isSpace(_ c: Unicode.Scalar?) -> Bool {
        c == " " || c == "\t" || c == "\r" || c == "\n"
    }

    private static func isAlphaNumeric(_ c: Unicode.Scalar?) -> Bool {
        guard let c else { return false }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber:
            return true
        default:
            return c == "_"
        }
    }

    /// `-` followed by a space, right after `{{`.
    private func hasLeftTrimMarker(at index: Int) -> Bool {
        index + 1 < scalars.count && scalars[index] == "-" && Self.isSpace(scalars[index + 1])
    }

    /// ` -}}` (with trim marker) or `}}`.
    private func atRightDelim() -> (delim: Bool, trim: Bool) {
        if pos + 1 < scalars.count && Self.isSpace(scalars[pos]) && scalars[pos + 1] == "-" && hasPrefix("}}", at: pos + 2) {
            return (true, true)
        }
        return (hasPrefix("}}", at: pos), false)
    }

    private func isAtTerminator() -> Bool {
        let c = peek()
        if Self.isSpace(c) { return true }
        switch c {
        case nil, ".", ",", "|", ":", ")", "(": return true
        default: return hasPrefix("}}", at: pos)
        }
    }

    private static func describe(_ c: Unicode.Scalar) -> String {
        let code = "U+" + GoFormat.hex(c.value, width: 4).uppercased()
        return c.properties.generalCategory == .control ? code : "\(code) '\(c)'"
    }

    // MARK: States

    private mutating func lexText() -> State {
        var x = pos
        while x < scalars.count && !hasPrefix("{{", at: x) { x += 1 }
        guard x < scalars.count else {
            pos = scalars.count
            if pos > start { emit(.text) }
            emit(.eof, value: "")
            return .done
        }
        pos = x
        if pos > start {
            var trimmed = pos
            if hasLeftTrimMarker(at: pos + 2) {
                while trimmed > start && Self.isSpace(scalars[trimmed - 1]) { trimmed -= 1 }
            }
            let text = String(String.UnicodeScalarView(scalars[start..<trimmed]))
            if !text.isEmpty {
                tokens.append(TemplateToken(kind: .text, pos: offsets[start], value: text, line: startLine))
            }
            ignore()
        }
        return .leftDelim
    }

    private mutating func lexLeftDelim() -> State {
        pos += 2
        let afterMarker = hasLeftTrimMarker(at: pos) ? 2 : 0
        if hasPrefix("/*", at: pos + afterMarker) {
            pos += afterMarker
            ignore()
            return lexComment()
        }
        emit(.leftDelim)
        pos += afterMarker
        ignore()
        parenDepth = 0
        return .insideAction
    }

    private mutating func lexComment() -> State {
        pos += 2
        var x = pos
        while x < scalars.count && !hasPrefix("*/", at: x) { x += 1 }
        guard x < scalars.count else { return fail("unclosed comment") }
        pos = x + 2
        let (delim, trim) = atRightDelim()
        guard delim else { return fail("comment ends before closing delimiter") }
        pos += (trim ? 2 : 0) + 2
        if trim { skipLeadingSpace() }
        ignore()
        return .text
    }

    private mutating func skipLeadingSpace() {
        while pos < scalars.count && Self.isSpace(scalars[pos]) { pos += 1 }
    }

    private mutating func lexRightDelim(trim: Bool) -> State {
        if trim {
            pos += 2
            ignore()
        }
        pos += 2
        emit(.rightDelim)
        if trim {
            skipLeadingSpace()
            ignore()
        }
        return .text
    }

    private mutating func lexInsideAction() -> State {
        let (delim, trim) = atRightDelim()
        if delim {
            return parenDepth == 0 ? lexRightDelim(trim: trim) : fail("unclosed left paren")
        }
        guard let c = peek() else { return fail("unclosed action") }
        pos += 1
        switch c {
        case _ where Self.isSpace(c):
            pos -= 1
            return lexSpace()
        case "=":
            emit(.assign)
        case ":":
            guard peek() == "=" else { return fail("expected :=") }
            pos += 1
            emit(.declare)
        case "|":
            emit(.pipe)
        case "\"":
            return lexQuote()
        case "`":
            return lexRawQuote()
        case "$":
            return lexFieldOrVariable(.variable)
        case "'":
            return lexChar()
        case "." where !(peek().map { ("0"..."9").contains($0) } ?? false):
            return lexFieldOrVariable(.field)
        case ".", "+", "-", "0"..."9":
            pos -= 1
            return lexNumber()
        case _ where Self.isAlphaNumeric(c):
            pos -= 1
            return lexIdentifier()
        case "(":
            parenDepth += 1
            emit(.leftParen)
        case ")":
            parenDepth -= 1
            guard parenDepth >= 0 else { return fail("unexpected right paren") }
            emit(.rightParen)
        default:
            guard c.isASCII && c.value >= 0x20 && c.value < 0x7F else {
                return fail("unrecognized character in action: \(Self.describe(c))")
            }
            emit(.char)
        }
        return .insideAction
    }

    private mutating func lexSpace() -> State {
        var count = 0
        while Self.isSpace(peek()) {
            pos += 1
            count += 1
        }
        // A trim-marked closing delimiter starts with a space: leave that space to it.
        if peek() == "-" && hasPrefix("}}", at: pos + 1) {
            pos -= 1
            if count == 1 { return .insideAction }
        }
        emit(.space)
        return .insideAction
    }

    private mutating func lexFieldOrVariable(_ kind: TemplateToken.Kind) -> State {
        if isAtTerminator() {
            emit(kind == .variable ? .variable : .dot)
            return .insideAction
        }
        while Self.isAlphaNumeric(peek()) { pos += 1 }
        guard isAtTerminator() else { return fail("bad character \(Self.describe(peek()!))") }
        emit(kind)
        return .insideAction
    }

    private mutating func lexIdentifier() -> State {
        while Self.isAlphaNumeric(peek()) { pos += 1 }
        guard isAtTerminator() else { return fail("bad character \(Self.describe(peek()!))") }
        let word = currentText
        if let keyword = TemplateToken.Keyword(rawValue: word) {
            emit(.keyword(keyword))
        } else if word == "true" || word == "false" {
            emit(.bool)
        } else if word == "nil" {
            emit(.nilLiteral)
        } else {
            emit(.identifier)
        }
        return .insideAction
    }

    private mutating func lexQuote() -> State {
        lexEscaped(until: "\"", as: .string, unterminated: "unterminated quoted string")
    }

    private mutating func lexChar() -> State {
        lexEscaped(until: "'", as: .charConstant, unterminated: "unterminated character constant")
    }

    /// A quoted string or character constant: backslash escapes, no newline, ended by `close`.
    private mutating func lexEscaped(until close: Unicode.Scalar, as kind: TemplateToken.Kind, unterminated: String) -> State {
        while true {
            switch peek() {
            case "\\":
                pos += 1
                if let next = peek(), next != "\n" {
                    pos += 1
                    continue
                }
                return fail(unterminated)
            case nil, "\n":
                return fail(unterminated)
            case close:
                pos += 1
                emit(kind)
                return .insideAction
            default:
                pos += 1
            }
        }
    }

    private mutating func lexRawQuote() -> State {
        while true {
            switch peek() {
            case nil:
                return fail("unterminated raw quoted string")
            case "`":
                pos += 1
                emit(.rawString)
                return .insideAction
            default:
                pos += 1
            }
        }
    }

    private mutating func lexNumber() -> State {
        func accept(_ set: String) -> Bool {
            if let c = peek(), set.unicodeScalars.contains(c) {
                pos += 1
                return true
            }
            return false
        }
        func acceptRun(_ set: String) { while accept(set) {} }
        _ = accept("+-")
        var digits = "0123456789_"
        if accept("0") {
            if accept("xX") {
                digits = "0123456789abcdefABCDEF_"
            } else if accept("oO") {
                digits = "01234567_"
            } else if accept("bB") {
                digits = "01_"
            }
        }
        acceptRun(digits)
        if accept(".") { acceptRun(digits) }
        if digits.count == 11 && accept("eE") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        if digits.count == 23 && accept("pP") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        if Self.isAlphaNumeric(peek()) {
            pos += 1
            return fail("bad number syntax: \(GoFormat.quote(currentText))")
        }
        emit(.number)
        return .insideAction
    }
}
