@testable import FakeDocker
import Testing

/// The tar stream of `cp … -` and `export`, and where `cp` puts a copy, as Engine 20.10 does them
/// (docs/engine-observations.md, "cp, export, attach").
@Suite("Tar archives, cp's plan, export's entries")
struct TarArchiveTests {
    /// The header the engine wrote for `docker cp C:/d/f -` (a 3-byte file, root's, 0644), as od showed it.
    @Test("a header is Go's USTAR: octal fields with a NUL, the type's bits in the mode, the checksum as 6 digits")
    func headerBytes() {
        let header = TarArchive.Header(name: "f", kind: .file, permissions: 0o644, size: 3, modified: 0o15305202243,
                                       userName: "root", groupName: "root")
        let b = header.encoded()
        #expect(b.count == 512)
        func field(_ from: Int, _ to: Int) -> String { String(decoding: b[from..<to], as: UTF8.self) }
        #expect(field(100, 108) == "0100644\0")
        #expect(field(108, 116) == "0000000\0")
        #expect(field(124, 136) == "00000000003\0")
        #expect(field(136, 148) == "15305202243\0")
        #expect(field(148, 156) == "011212\0 ")
        #expect(b[156] == UInt8(ascii: "0"))
        #expect(field(257, 265) == "ustar\u{0}00")
        #expect(field(265, 270) == "root\0" && field(297, 302) == "root\0")
        #expect(field(329, 337) == "0000000\0" && field(337, 345) == "0000000\0")
    }

    @Test("a long name is split into prefix and name at a slash; one that cannot be gets a PAX header first")
    func longNames() {
        let dir = String(repeating: "d", count: 90), file = String(repeating: "f", count: 60)
        #expect(TarArchive.splitUSTAR("\(dir)/\(file)")! == (dir, file))
        #expect(TarArchive.splitUSTAR("short")! == ("", "short"))
        let unsplittable = String(repeating: "x", count: 120)
        #expect(TarArchive.splitUSTAR(unsplittable) == nil)
        let blocks = TarArchive.Header(name: "a/" + unsplittable, kind: .file, permissions: 0o644).encoded()
        #expect(blocks.count == 3 * 512)
        #expect(blocks[156] == UInt8(ascii: "x"))
        #expect(String(decoding: blocks[0..<21], as: UTF8.self) == "a/PaxHeaders.0/" + String(repeating: "x", count: 6))
        // As the engine's (observed): the extended header's mode and time zero, its device fields NUL, no owner names.
        func field(_ from: Int, _ to: Int) -> String { String(decoding: blocks[from..<to], as: UTF8.self) }
        #expect(field(100, 108) == "0000000\0" && field(136, 148) == "00000000000\0")
        #expect(blocks[329..<345].allSatisfy { $0 == 0 } && blocks[265..<329].allSatisfy { $0 == 0 })
        #expect(field(1024 + 329, 1024 + 337) == "0000000\0")
        let record = "132 path=a/\(unsplittable)\n"
        #expect(String(decoding: blocks[512..<(512 + record.utf8.count)], as: UTF8.self) == record)
    }

    @Test("a PAX record's length counts its own digits")
    func paxLength() {
        #expect(TarArchive.paxRecords([("path", "abc")]) == Array("12 path=abc\n".utf8))
        // 98 bytes without the length: 2 digits would make 100, which has 3, so it is 101.
        let value = String(repeating: "v", count: 91)
        #expect(TarArchive.paxRecords([("path", value)]) == Array("101 path=\(value)\n".utf8))
    }

    @Test("entry names: the top entry's name, a directory's with a slash, '.' and '/' as the engine writes them")
    func entryNames() {
        #expect(TarArchive.entryName(root: "d", relative: "", directory: true) == "d/")
        #expect(TarArchive.entryName(root: "d", relative: "sub/g", directory: false) == "d/sub/g")
        #expect(TarArchive.entryName(root: ".", relative: "", directory: true) == "./")
        #expect(TarArchive.entryName(root: ".", relative: "f", directory: false) == "./f")
        #expect(TarArchive.entryName(root: "/", relative: "", directory: true) == "/")
        #expect(TarArchive.entryName(root: "/", relative: "bin", directory: true) == "/bin/")
        #expect(TarArchive.walkOrder(["b", "B", "a-x", "a"]) == ["B", "a", "a-x", "b"])
    }

    @Test("cp's stream names its top entry after the source: its last part, '.' for its contents, '/' for the root")
    func streamRoots() {
        #expect(CopyPlan.streamRoot("/d") == "d")
        #expect(CopyPlan.streamRoot("/d/") == "d")
        #expect(CopyPlan.streamRoot("/d/.") == ".")
        #expect(CopyPlan.streamRoot("/") == "/")
        #expect(CopyPlan.streamRoot("d/f") == "f")
    }

    func plan(_ source: String, directory: Bool, _ destination: String, _ existing: CopyPlan.Existing)
        -> Result<CopyPlan, CopyPlan.Refusal> {
        Result { () throws(CopyPlan.Refusal) in
            try CopyPlan.make(source: source, sourceIsDirectory: directory, destination: destination, existing: existing)
        }
    }

    @Test("cp into an existing directory puts the source in it, its contents with '/.'")
    func intoDirectory() {
        #expect(plan("/d", directory: true, "/h/x", .directory) == .success(.init(directory: "/h/x", root: "d")))
        #expect(plan("/d/.", directory: true, "/h/x", .directory) == .success(.init(directory: "/h/x", root: ".")))
        #expect(plan("/d/f", directory: false, "/h/x/", .directory) == .success(.init(directory: "/h/x/", root: "f")))
    }

    @Test("cp to a missing path makes it the copy; a file to a missing path ending with '/' is refused")
    func toMissing() {
        #expect(plan("/d", directory: true, "/h/new", .missing) == .success(.init(directory: "/h", root: "new")))
        #expect(plan("/d/.", directory: true, "/h/new", .missing) == .success(.init(directory: "/h", root: "new")))
        #expect(plan("/d", directory: true, "/h/new/", .missing) == .success(.init(directory: "/h", root: "new")))
        #expect(plan("/d/f", directory: false, "/h/new/", .missing) == .failure(.noSuchDirectory))
        #expect(plan("/d/f", directory: false, "/t1", .missing) == .success(.init(directory: "/", root: "t1")))
    }

    @Test("cp onto a file replaces it with a file and refuses a directory")
    func ontoFile() {
        #expect(plan("/d/f", directory: false, "/h/f1", .file) == .success(.init(directory: "/h", root: "f1")))
        #expect(plan("/d", directory: true, "/h/f1", .file) == .failure(.cannotCopyDirectory))
        #expect(CopyPlan.Refusal.noSuchDirectory.message == "no such directory")
        #expect(CopyPlan.Refusal.cannotCopyDirectory.message == "cannot copy directory")
    }

    @Test("the CLI's splitCpArg: an absolute path or one starting with '.' is the host's, else CONTAINER:PATH")
    func copyEnds() {
        #expect(CopyCommand.End("c:/d").container == "c" && CopyCommand.End("c:/d").path == "/d")
        #expect(CopyCommand.End("/a:b").container == nil)
        #expect(CopyCommand.End("./a:b").container == nil)
        #expect(CopyCommand.End("file").container == nil)
        #expect(CopyCommand.End("-").container == nil)
        #expect(CopyCommand.End("c:rel").path == "rel")
    }

    @Test("an export is the container's files with the engine's init layer in place of fake-docker's /dev and /etc files")
    func exportEntries() {
        let walked = ["", "bin", "bin/sh", "dev", "dev/null", "etc", "etc/hostname", "etc/passwd", "tmp", "bin-x"]
        let entries = ExportLayer.entries(walked)
        #expect(entries.map(\.relative) == [
            ".dockerenv", "bin", "bin/sh", "bin-x", "dev", "dev/console", "dev/pts", "dev/shm", "etc", "etc/hostname",
            "etc/hosts", "etc/mtab", "etc/passwd", "etc/resolv.conf", "proc", "sys", "tmp",
        ])
        #expect(entries.first { $0.relative == "etc/passwd" }?.made == nil)
        #expect(entries.first { $0.relative == "etc/hostname" }?.made == .init(kind: .file, permissions: 0o755))
        #expect(entries.first { $0.relative == "etc/mtab" }?.made == .init(kind: .symlink, permissions: 0o777, linkName: "/proc/mounts"))
    }
}
