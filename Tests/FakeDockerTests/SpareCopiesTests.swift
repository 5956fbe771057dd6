import Foundation
@testable import FakeDocker
import Testing

/// A container's root filesystem: cloned from the image (symlinks shared, regular files copied), removed with the
/// container, and the unchanged copies given back for the image's next container (SpareCopies).
@Suite("Container root filesystems: clone, removal, spare copies")
struct SpareCopiesTests {
    @Test("the record of the copies reads back as written, a path with spaces included; other lines are skipped")
    func recordRoundTrip() {
        let copied = [
            FileTree.Copied(path: "bin/busybox", identity: .init(inode: 12, size: 2_700_000,
                modified: timespec(tv_sec: 1_700_000_000, tv_nsec: 5), changed: timespec(tv_sec: 1_700_000_001, tv_nsec: 999_999_999))),
            FileTree.Copied(path: "etc/a file", identity: .init(inode: 13, size: 0,
                modified: timespec(tv_sec: 0, tv_nsec: 0), changed: timespec(tv_sec: 1, tv_nsec: 2))),
        ]
        #expect(SpareCopies.decode(SpareCopies.encode(copied)) == copied)
        #expect(SpareCopies.decode("garbage\n1 2 3\n").isEmpty)
    }

    @Test("copies are given back only when no process of the container can outlive it: never started, or PID 1 of its own namespace")
    func whenGivenBack() {
        #expect(SpareCopies.mayGiveBack(started: false, ownPIDNamespace: false))
        #expect(!SpareCopies.mayGiveBack(started: true, ownPIDNamespace: false))
        #expect(SpareCopies.mayGiveBack(started: true, ownPIDNamespace: true))
    }

    @Test("a clone shares symlinks, copies regular files with the image's times, takes a spare, and removal deletes it all")
    func cloneAndRemove() throws {
        let dir = try Simulator.makeTemporaryDirectory()
        defer { FileTree.remove(dir) }
        let image = dir + "/image", spares = dir + "/spares", target = dir + "/container"
        try FileManager.default.createDirectory(atPath: image + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: spares + "/bin", withIntermediateDirectories: true)
        try FileTree.write("image's\n", to: image + "/bin/tool")
        try FileTree.write("image's\n", to: image + "/bin/spare")
        try FileTree.write("given back\n", to: spares + "/bin/spare")
        #expect(symlink("tool", image + "/bin/link") == 0)

        let copied = try FileTree.clone(from: image, to: target, spares: spares)
        #expect(Set(copied.map(\.path)) == ["bin/tool", "bin/spare"])
        #expect(HostProcess.readFile(target + "/bin/tool") == "image's\n")
        #expect(HostProcess.readFile(target + "/bin/spare") == "given back\n")
        #expect(!FileManager.default.fileExists(atPath: spares + "/bin/spare"))
        var linked = stat(), original = stat(), copy = stat(), source = stat()
        #expect(lstat(target + "/bin/link", &linked) == 0 && lstat(image + "/bin/link", &original) == 0)
        #expect(linked.st_ino == original.st_ino)
        #expect(lstat(target + "/bin/tool", &copy) == 0 && lstat(image + "/bin/tool", &source) == 0)
        #expect(copy.st_ino != source.st_ino && copy.st_mtim.tv_sec == source.st_mtim.tv_sec
                && copy.st_mtim.tv_nsec == source.st_mtim.tv_nsec)

        FileTree.remove(target)
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(HostProcess.readFile(image + "/bin/tool") == "image's\n")
    }

    @Test("a file of the image a container changed reaches no later container, whether it was kept or removed with --rm")
    func changedCopyNotGivenBack() throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        let image = "dockrun-test/busybox"
        // The same size, one byte changed in place: only the file's times tell.
        let write = "printf Z | dd of=/bin/sdnotify-send conv=notrunc 2>/dev/null"
        let sum = ["run", "--rm", image, "md5sum", "/bin/sdnotify-send"]
        let original = try sim.run(sum)
        #expect(original.code == 0)
        let images = sim.state + ".data/images"
        let spares = try FileManager.default.contentsOfDirectory(atPath: images).map { images + "/" + $0 + "/spares/bin" }
        #expect(spares.contains { FileManager.default.fileExists(atPath: $0 + "/busybox") })
        // Unchanged copies go back and come again: the next container reads the image's file.
        #expect(try sim.run(sum).out == original.out)
        #expect(try sim.run(["run", "--rm", image, "sh", "-c", write]).code == 0)
        #expect(try sim.run(sum).out == original.out)
        let kept = try sim.run(["run", "-d", image, "sh", "-c", write]).out
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try sim.run(["wait", kept]).out == "0\n")
        #expect(try sim.run(["rm", kept]).code == 0)
        #expect(try sim.run(sum).out == original.out)
    }
}
