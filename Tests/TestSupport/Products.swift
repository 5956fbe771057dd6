import Foundation

/// The built executables: the test targets depend on them, so SwiftPM puts them next to the test binary
/// (`DOCKRUN_TEST_PRODUCTS` names another directory).
package enum Products {
    package static let directory: String = {
        if let dir = ProcessInfo.processInfo.environment["DOCKRUN_TEST_PRODUCTS"] { return dir }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return (exe as NSString).deletingLastPathComponent
    }()

    package static func path(_ name: String) -> String { directory + "/" + name }
}
