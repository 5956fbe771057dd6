import Foundation
@testable import FakeDocker
import Testing

/// A container's root filesystem: cloned from the image (symlinks shared, regular files copied with the image's
/// times), and, removed unchanged, given back for the image's next container (SpareRootfs).
@Suite("Container root filesystems: clone, removal, the spare of an image")
struct SpareRootfsTests {
    @Test("the record of a tree reads back as written, a path with spaces included; a line it does not write is refused")
    func recordRoundTrip() {
        let identities: [String: FileTree.Identity] = [
            ".": .init(inode: 2, size: 4096, modified: timespec(tv_sec: 1, tv_nsec: 2), changed: timespec(tv_sec: 3, tv_nsec: 4)),
            "bin/busybox": .init(inode: 12, size: 2_700_000, modified: timespec(tv_sec: 1_700_000_000, tv_nsec: 5),
                                 changed: timespec(tv_sec: 1_700_000_001, tv_nsec: 999_999_999)),
            "etc/a file": .init(inode: 13, size: 0, modified: timespec(tv_sec: 0, tv_nsec: 0), changed: timespec(tv_sec: 1, tv_nsec: 2)),
        ]
        #expect(SpareRootfs.decode(SpareRootfs.encode(identities)) == identities)
        #expect(SpareRootfs.decode("garbage\n") == nil)
    }

    @Test("a tree is given back only when no process of the container can outlive it: never started, or PID 1 of its own namespace")
    func whenGivenBack() {
        #expect(SpareRootfs.mayGiveBack(started: false, ownPIDNamespace: false))
        #expect(!SpareRootfs.mayGiveBack(started: true, ownPIDNamespace: false))
        #expect(SpareRootfs.mayGiveBack(started: true, ownPIDNamespace: true))
    }

    @Test("a clone shares symlinks and copies regular files with the image's times; the identities see any change; removal deletes all")
    func cloneSurveyRemove() throws {
        let dir = try Simulator.makeTemporaryDirectory()
        defer { FileTree.remove(dir) }
        let image = dir + "/image", target = dir + "/container"
        try FileManager.default.createDirectory(atPath: image + "/bin", withIntermediateDirectories: true)
        try FileTree.write("image's\n", to: image + "/bin/tool")
        #expect(symlink("tool", image + "/bin/link") == 0)

        try FileTree.clone(from: image, to: target)
        #expect(HostProcess.readFile(target + "/bin/tool") == "image's\n")
        var linked = stat(), original = stat(), copy = stat(), source = stat()
        #expect(lstat(target + "/bin/link", &linked) == 0 && lstat(image + "/bin/link", &original) == 0)
        #expect(linked.st_ino == original.st_ino)
        #expect(lstat(target + "/bin/tool", &copy) == 0 && lstat(image + "/bin/tool", &source) == 0)
        #expect(copy.st_ino != source.st_ino && copy.st_mtim.tv_sec == source.st_mtim.tv_sec
                && copy.st_mtim.tv_nsec == source.st_mtim.tv_nsec)

        let made = try #require(FileTree.identities(of: target))
        #expect(Set(made.keys) == [".", "bin", "bin/tool"])
        #expect(FileTree.identities(of: target) == made)
        #expect(unlink(target + "/bin/link") == 0)
        #expect(FileTree.identities(of: target) != made, "a symlink removed changes its directory")

        FileTree.remove(target)
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(HostProcess.readFile(image + "/bin/tool") == "image's\n")
    }

    @Test("what a container changed in its files reaches no later container, whether it was kept or removed with --rm")
    func changedTreeNotGivenBack() throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        let image = "dockrun-test/busybox"
        // The same size, one byte changed in place: only the file's times tell.
        let changes = "printf Z | dd of=/bin/sdnotify-send conv=notrunc 2>/dev/null; touch /tmp/left; rm /bin/ls"
        let look = ["run", "--rm", image, "sh", "-c", "md5sum /bin/sdnotify-send; ls /tmp; ls -l /bin/ls | wc -l"]
        let original = try sim.run(look)
        #expect(original.code == 0 && original.out.hasSuffix("1\n"), "\(original)")
        // Unchanged, the container's directory is the image's spare and the next container's, without its log.
        let images = sim.state + ".data/images"
        let spares = try FileManager.default.contentsOfDirectory(atPath: images).map { images + "/" + $0 + "/spare-container" }
        #expect(spares.contains { FileManager.default.fileExists(atPath: $0 + "/rootfs/bin/busybox") })
        #expect(spares.allSatisfy { !FileManager.default.fileExists(atPath: $0 + "/log") })
        #expect(try sim.run(look).out == original.out)
        let fresh = try sim.run(["create", image, "true"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try sim.run(["logs", fresh]).out.isEmpty, "the log of the spare's last container is not the next one's")
        #expect(try sim.run(["rm", fresh]).code == 0)
        #expect(try sim.run(["run", "--rm", image, "sh", "-c", changes]).code == 0)
        #expect(try sim.run(look).out == original.out)
        let kept = try sim.run(["run", "-d", image, "sh", "-c", changes]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try sim.run(["wait", kept]).out == "0\n")
        #expect(try sim.run(["rm", kept]).code == 0)
        #expect(try sim.run(look).out == original.out)
    }
}
