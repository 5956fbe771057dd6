import Foundation
import ProcessSpawn

/// Where a replay on fake-docker gets the test image (`dockrun-test/busybox:latest`) that a fixture names
/// without holding its bytes: `scripts/test-image.sh`, the image's one recipe, found in the source tree
/// fake-docker was built in — from a root filesystem tar it made beforehand (`--test-image TAR`), or made afresh.
struct TestImageSource {
    var script: String?
    var rootfsTar: String?

    /// The script, looked for in each directory above this executable (`.build/debug/fake-docker` is
    /// three levels below the repository).
    static func locate(rootfsTar: String?) -> TestImageSource {
        var directory = (Launcher.selfExecutable() as NSString).deletingLastPathComponent
        while directory != "/" && !directory.isEmpty {
            let candidate = directory + "/scripts/test-image.sh"
            if FileManager.default.fileExists(atPath: candidate) { return TestImageSource(script: candidate, rootfsTar: rootfsTar) }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return TestImageSource(script: nil, rootfsTar: rootfsTar)
    }

    func importImage(cli: String, environment: [String: String]) throws(ScenarioEngine.Failure) {
        guard let script else {
            throw ScenarioEngine.Failure(message: "fake-docker: the scenario needs the test image and scripts/test-image.sh is not above \(Launcher.selfExecutable())")
        }
        let ran: CapturedOutput
        do {
            ran = try CapturedProcess.run(["bash", script, "import", cli] + (rootfsTar.map { [$0] } ?? []), environment: environment)
        } catch {
            throw ScenarioEngine.Failure(message: "fake-docker: cannot run bash: \(error.text)")
        }
        guard ran.status == .exited(0) else {
            throw ScenarioEngine.Failure(message: "fake-docker: importing the test image: \(ran.status): \(String(decoding: ran.stderr, as: UTF8.self).split(separator: "\n").first ?? "")")
        }
    }
}
