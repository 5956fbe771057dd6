/// A word as a POSIX shell would read it back unchanged: as it is when it is made only of characters
/// no shell treats specially (ASCII letters, digits and `-_./:=@%+,`), else in single quotes, each
/// `'` written as `'\''`. Byte-wise, so a quote that a combining mark follows is still escaped.
public func shellQuoted(_ word: String) -> String {
    let plain = !word.isEmpty && word.utf8.allSatisfy { byte in
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "-_./:=@%+,".utf8.contains(byte)
        }
    }
    if plain { return word }
    var quoted: [UInt8] = [UInt8(ascii: "'")]
    for byte in word.utf8 {
        if byte == UInt8(ascii: "'") { quoted += Array(#"'\''"#.utf8) } else { quoted.append(byte) }
    }
    quoted.append(UInt8(ascii: "'"))
    return String(decoding: quoted, as: UTF8.self)
}

/// A command line as a shell would split it back into `argv`.
public func shellQuoted(_ argv: [String]) -> String {
    argv.map { shellQuoted($0) }.joined(separator: " ")
}
