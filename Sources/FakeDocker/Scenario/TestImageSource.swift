import Foundation
import ProcessSpawn

/// Where a replay on fake-docker gets the test image (`dockrun-test/busybox:latest`) that a fixture names
/// without holding its bytes: `scripts/test-image.sh`, the image's one recipe (it needs busybox-static's
/// /bin/busybox), found beside this fake-docker — from a root filesystem tar it made beforehand
/// (`--test-image TAR`), or made afresh.
struct TestImageSource {
    var script: String?
    var rootfsTar: String?

    /// Where the recipe is, relative to a directory above this executable: in the source tree it was built in
    /// (`.build/debug/fake-docker` is three levels below `scripts/`), or where `scripts/install.sh` puts it
    /// (`PREFIX/bin/fake-docker`, `PREFIX/share/dockrun/test-image.sh`).
    static let places = ["scripts/test-image.sh", "share/dockrun/test-image.sh"]

    /// The script, looked for in each directory above this executable, the nearest first.
    static func locate(rootfsTar: String?) -> TestImageSource {
        var directory = (Launcher.selfExecutable() as NSString).deletingLastPathComponent
        while directory != "/" && !directory.isEmpty {
            for place in places where FileManager.default.fileExists(atPath: directory + "/" + place) {
                return TestImageSource(script: directory + "/" + place, rootfsTar: rootfsTar)
            }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return TestImageSource(script: nil, rootfsTar: rootfsTar)
    }

    func importImage(cli: String, environment: [String: String]) throws(ScenarioFailure) {
        guard let script else {
            throw ScenarioFailure(message: "fake-docker: the scenario needs the test image, and neither scripts/test-image.sh nor share/dockrun/test-image.sh is above \(Launcher.selfExecutable()) (scripts/install.sh installs it)")
        }
        let ran: CapturedOutput
        do {
            ran = try CapturedProcess.run(["bash", script, "import", cli] + (rootfsTar.map { [$0] } ?? []), environment: environment)
        } catch {
            throw ScenarioFailure(message: "fake-docker: cannot run bash: \(error.text)")
        }
        guard ran.status == .exited(0) else {
            throw ScenarioFailure(message: "fake-docker: importing the test image: \(ran.status): \(String(decoding: ran.stderr, as: UTF8.self).split(separator: "\n").first ?? "")")
        }
    }
}
