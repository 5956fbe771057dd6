import Foundation

/// Runs a `--format` template as the docker CLI does: a parse error is `template parsing error: …`
/// with exit 64; an execution error has the same prefix, exit 1.
func render(_ format: String, _ data: TemplateValue) throws(DockerError) -> String {
    try runTemplate(try parseTemplate(format), data)
}

func parseTemplate(_ format: String) throws(DockerError) -> GoTemplate {
    do {
        return try GoTemplate(format)
    } catch {
        throw DockerError("template parsing error: \(error.message)", exitCode: 64)
    }
}

/// `inspect` runs the template over the typed document and, if that fails, over the decoded JSON with
/// missingkey=error, as the docker CLI does.
func runTemplate(_ template: GoTemplate, _ data: TemplateValue, inspect: Bool = false) throws(DockerError) -> String {
    do {
        return inspect ? try template.executeInspect(data) : try template.execute(data)
    } catch {
        throw DockerError("template parsing error: \(error.message)", exitCode: 1)
    }
}

/// docker's `table` formats: the header row comes from the same template run over the column titles,
/// and the cells are aligned as Go's tabwriter (minwidth 10, padding 3) aligns them.
struct TableFormat {
    let format: String
    let isTable: Bool

    /// The CLI's `preFormat`: `table` only as the very first word, spaces trimmed at both ends, and the two
    /// escapes `\t` and `\n` written as text made a tab and a newline (ps and images only: inspect's `-f` keeps them).
    init(_ raw: String) {
        isTable = raw.hasPrefix("table")
        format = String(isTable ? raw.dropFirst(5) : raw[...]).trimmingCharacters(in: " ")
            .replacingOccurrences(of: #"\t"#, with: "\t").replacingOccurrences(of: #"\n"#, with: "\n")
    }

    func render(rows: [TemplateValue], header: TemplateValue) throws(DockerError) -> [UInt8] {
        let template = try parseTemplate(format)
        var lines: [String] = []
        do {
            if isTable { lines.append(try template.execute(header)) }
            for row in rows { lines.append(try template.execute(row)) }
        } catch {
            throw DockerError("failed to execute template: \(error.message)")
        }
        guard isTable else { return Array(lines.map { $0 + "\n" }.joined().utf8) }
        return tabwriter(lines)
    }
}

/// Go's text/tabwriter with docker's settings: a cell ended by a tab is padded to its column's width
/// (the widest such cell + 3, at least 10); the last cell of a line is not.
/// Widths are counted in runes, as Go counts them ("…" is one).
func tabwriter(_ lines: [String]) -> [UInt8] {
    tabwriter(cells: lines.map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) })
}

func tabwriter(cells: [[String]]) -> [UInt8] {
    var widths: [Int] = []
    var lengths: [[Int]] = []
    lengths.reserveCapacity(cells.count)
    var total = 0
    for row in cells {
        let rowLengths = row.map(runeCount)
        for i in 0..<max(0, row.count - 1) {
            if widths.count <= i { widths.append(10) }
            widths[i] = max(widths[i], rowLengths[i] + 3)
        }
        for cell in row { total += cell.utf8.count }
        lengths.append(rowLengths)
    }
    var out: [UInt8] = []
    out.reserveCapacity(total + cells.count * (widths.reduce(0, +) + 1))
    for (row, rowLengths) in zip(cells, lengths) {
        for (i, cell) in row.enumerated() {
            out.append(contentsOf: cell.utf8)
            if i < row.count - 1 { out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: widths[i] - rowLengths[i])) }
        }
        out.append(UInt8(ascii: "\n"))
    }
    return out
}

/// The number of Unicode scalars (Go's runes), counted on the UTF-8 bytes: every byte that is not a
/// continuation byte starts one.
func runeCount(_ text: String) -> Int {
    var count = 0
    for byte in text.utf8 where byte & 0xC0 != 0x80 { count += 1 }
    return count
}

/// go-units HumanDuration, as `docker ps` prints ages.
func humanDuration(_ seconds: Double) -> String {
    // Listings ask for the same few texts thousands of times.
    let s = Int(seconds)
    if let known = HumanDurationCache.texts[s] { return known }
    let text = humanDurationText(seconds)
    HumanDurationCache.texts[s] = text
    return text
}

private enum HumanDurationCache {
    nonisolated(unsafe) static var texts: [Int: String] = [:]
}

private func humanDurationText(_ seconds: Double) -> String {
    let s = Int(seconds)
    if s < 1 { return "Less than a second" }
    if s == 1 { return "1 second" }
    if s < 60 { return "\(s) seconds" }
    let minutes = Int(seconds / 60)
    if minutes == 1 { return "About a minute" }
    if minutes < 60 { return "\(minutes) minutes" }
    let hours = Int(seconds / 3600 + 0.5)
    if hours == 1 { return "About an hour" }
    if hours < 48 { return "\(hours) hours" }
    if hours < 24 * 7 * 2 { return "\(hours / 24) days" }
    if hours < 24 * 30 * 2 { return "\(hours / 24 / 7) weeks" }
    if hours < 24 * 365 * 2 { return "\(hours / 24 / 30) months" }
    return "\(Int(seconds / 3600) / 24 / 365) years"
}

/// go-units HumanSizeWithPrecision(size, 3): decimal units.
/// go-units' `HumanSizeWithPrecision`: the CLI shows sizes to 3 significant digits, `VirtualSize` to 4 (`HumanSize`).
func humanSize(_ bytes: Int64, precision: Int = 3) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB"]
    var value = Double(bytes)
    var i = 0
    while value >= 1000 && i < units.count - 1 { value /= 1000; i += 1 }
    var text = String(format: "%.\(precision)g", value)
    if text.contains("e") { text = String(format: "%.0f", value) }
    return text + units[i]
}

/// RFC 3339 with nanoseconds in UTC, as the engine's JSON prints times; Go's zero time for nil.
func rfc3339(_ time: Double?) -> String {
    guard let time, time > 0 else { return "0001-01-01T00:00:00Z" }
    var t = time_t(time)
    var parts = tm()
    gmtime_r(&t, &parts)
    let nanos = Int((time - Double(Int(time))) * 1e9)
    var fraction = String(format: "%09d", nanos)
    while fraction.hasSuffix("0") { fraction.removeLast() }
    return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                  parts.tm_hour, parts.tm_min, parts.tm_sec) + (fraction.isEmpty ? "" : "." + fraction) + "Z"
}

/// `2026-11-29 00:30:01 +0000 UTC`, as `{{.CreatedAt}}` prints in ps and images.
func goTimeString(_ time: Double) -> String {
    var t = time_t(time)
    var parts = tm()
    gmtime_r(&t, &parts)
    return String(format: "%04d-%02d-%02d %02d:%02d:%02d +0000 UTC", parts.tm_year + 1900, parts.tm_mon + 1,
                  parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
}
