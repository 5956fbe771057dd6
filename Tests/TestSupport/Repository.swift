import Foundation

/// The checkout the tests were built from (#filePath is Tests/TestSupport/Repository.swift in it): where its
/// scripts are.
package enum Repository {
    package static let root: String = {
        var root = #filePath as NSString
        for _ in 0..<3 { root = root.deletingLastPathComponent as NSString }
        return root as String
    }()

    package static func script(_ name: String) -> String { root + "/scripts/" + name }
}
