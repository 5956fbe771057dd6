/// The CLI's reason for refusing a flag's value (`invalid argument "V" for "--flag" flag: REASON`).
struct FlagValueError: Error, Equatable {
    let text: String
    init(_ text: String) { self.text = text }
}
