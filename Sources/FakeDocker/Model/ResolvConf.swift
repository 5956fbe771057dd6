import Foundation

/// The container's `/etc/resolv.conf` as the engine writes it (libnetwork's FilterResolvDNS): the host's, without its
/// localhost and IPv6 nameservers (the container cannot reach them; this engine has no IPv6), and Google's two when no
/// nameserver is left; with `--network host`, the host's as it is.
enum ResolvConf {
    static let hostPath = "/etc/resolv.conf"
    static let defaultNameservers = "\nnameserver 8.8.8.8\nnameserver 8.8.4.4"

    static func forContainer(host: String, networkMode: String) -> String {
        if networkMode == "host" { return host }
        var lines = host.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // As Go's ReplaceAll of the line: it leaves the line empty.
        for i in lines.indices where unreachable(lines[i]) { lines[i] = "" }
        var text = lines.joined(separator: "\n")
        if nameserver(in: text) == nil { text += defaultNameservers }
        return text
    }

    /// The address of the first `nameserver` line of `text`.
    private static func nameserver(in text: String) -> String? {
        for line in text.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.count >= 2 && words[0] == "nameserver" { return String(words[1]) }
        }
        return nil
    }

    private static func unreachable(_ line: String) -> Bool {
        guard let address = nameserver(in: line) else { return false }
        return address.hasPrefix("127.") || address.contains(":")
    }
}
