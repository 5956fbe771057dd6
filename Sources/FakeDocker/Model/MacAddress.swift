/// `--mac-address`, as the docker CLI 28 takes it against this engine (API 1.41): read as Go's net.ParseMAC
/// (opts.ValidateMACAddress) in its parse(), then refused by its create call whatever the network, since a MAC address
/// is sent per network from API 1.44 on (observed: docs/engine-observations.md, "--network container:NAME").
enum MacAddress {
    /// The client's refusal once the options are read (`create` 1, `run` 125 with the help line).
    static let apiRefusal = "\"specify mac-address per network\" requires API version 1.44, but the Docker daemon API version is 1.41"

    /// parse()'s text for a value net.ParseMAC refuses; nil when it reads.
    static func invalid(_ value: String) -> String? {
        isValid(value) ? nil : "\(value) is not a valid mac address"
    }

    /// net.ParseMAC: 6, 8 or 20 groups of two hex digits separated by `:` or `-`, or of four separated by `.`.
    static func isValid(_ value: String) -> Bool {
        let chars = Array(value)
        guard chars.count >= 14 else { return false }
        let separator: Character, width: Int
        if chars[2] == ":" || chars[2] == "-" {
            separator = chars[2]; width = 2
        } else if chars[4] == "." {
            separator = "."; width = 4
        } else {
            return false
        }
        guard (chars.count + 1) % (width + 1) == 0 else { return false }
        let groups = (chars.count + 1) / (width + 1)
        guard [6, 8, 20].contains(groups * width / 2) else { return false }
        for (i, c) in chars.enumerated() {
            let isSeparatorPlace = (i + 1) % (width + 1) == 0
            if isSeparatorPlace ? c != separator : !c.isHexDigit { return false }
        }
        return true
    }
}
