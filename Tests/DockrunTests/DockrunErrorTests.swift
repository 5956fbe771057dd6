import Glibc
import ProcessSpawn
import Testing
@testable import Dockrun

@Suite("A docker CLI that cannot be started")
struct DockerStartFailureTests {
    @Test("missing is 127, not executable 126, as a shell reports them; anything else is docker's own 125")
    func codes() {
        #expect(DockrunError(startingDocker: "dk", SystemCallError(errno: ENOENT)) == .dockerNotFound("dk"))
        #expect(DockrunError(startingDocker: "dk", SystemCallError(errno: ENOTDIR)) == .dockerNotFound("dk"))
        #expect(DockrunError(startingDocker: "dk", SystemCallError(errno: EACCES)) == .dockerNotExecutable("dk"))
        #expect(DockrunError(startingDocker: "dk", SystemCallError(errno: EMFILE))
                == .system("cannot start dk: \(String(cString: strerror(EMFILE)))"))
        #expect(DockrunError.dockerNotFound("dk").exitCode == 127)
        #expect(DockrunError.dockerNotExecutable("dk").exitCode == 126)
        #expect(DockrunError.system("x").exitCode == 125)
    }
}
