import Testing
@testable import Dockrun

@Suite("Cidfile")
struct CidfileTests {
    @Test("dockrun's own is `cid` in its private directory, read, and always deleted at the exit")
    func own() {
        let file = Cidfile(privateDirectory: "/tmp/dockrun-ab12")
        #expect(file.path == "/tmp/dockrun-ab12/cid")
        #expect(file.directory == "/tmp/dockrun-ab12" && file.name == "cid")
        #expect(file.readable)
        #expect(file.deletedAtExit(containerRemoved: false))
        #expect(file.deletedAtExit(containerRemoved: true))
    }

    @Test("the user's is read, and deleted only with the container dockrun removed")
    func users() {
        let file = Cidfile(user: "out/id", exists: false)
        #expect(file.readable)
        #expect(!file.deletedAtExit(containerRemoved: false))
        #expect(file.deletedAtExit(containerRemoved: true))
    }

    @Test("a user's file that existed before the start names another container: never read, never deleted")
    func existing() {
        let file = Cidfile(user: "/tmp/id", exists: true)
        #expect(!file.readable)
        #expect(!file.deletedAtExit(containerRemoved: true))
        #expect(file.path == "/tmp/id")
    }

    @Test("its directory, as inotify watches it: relative names in `.`, top-level ones in `/`")
    func directory() {
        #expect(Cidfile(user: "id", exists: false).directory == ".")
        #expect(Cidfile(user: "id", exists: false).name == "id")
        #expect(Cidfile(user: "/id", exists: false).directory == "/")
        #expect(Cidfile(user: "/id", exists: false).name == "id")
        #expect(Cidfile(user: "a/b/id", exists: false).directory == "a/b")
    }
}
