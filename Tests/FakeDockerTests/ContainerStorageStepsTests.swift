@testable import FakeDocker
import ProcessSpawn
import Testing

/// A container's tmpfs mounts and `--read-only` among its filesystem steps (observed: EngineContractVolumes and
/// docs/engine-observations.md, "volumes, tmpfs, --read-only").
@Suite("Container filesystems: tmpfs and a read-only root")
struct ContainerStorageStepsTests {
    let root = "/state/containers/abc/rootfs"

    @Test("a tmpfs is mounted after /dev and before the binds, with its flags and data")
    func tmpfsStep() throws {
        let t = try TmpfsSyntax.flag("/t:size=1m")
        let steps = ContainerFilesystems(rootfs: root, ownPIDNamespace: true, tmpfs: [t]).steps
        let i = try #require(steps.firstIndex { $0.target == root + "/t" })
        #expect(steps[i].kind == .mount && steps[i].type == "tmpfs" && steps[i].flags == t.flags && steps[i].data == "size=1m")
        #expect(!steps[i].afterBinds)
        #expect(steps.firstIndex { $0.target == root + "/dev/shm" }! < i)
    }

    @Test("--read-only remounts the root's own mount read-only last, keeping its flags; without it the root stays writable")
    func readOnlyRoot() throws {
        let steps = ContainerFilesystems(rootfs: root, ownPIDNamespace: true, readOnlyRootFlags: 2).steps
        let last = try #require(steps.last)
        #expect(last.kind == .mount && last.target == root && last.afterBinds)
        let f = ContainerFilesystems.self
        #expect(last.flags == f.bind | f.remount | f.readOnly | 2)
        #expect(ContainerFilesystems(rootfs: root, ownPIDNamespace: true).steps.allSatisfy { $0.flags & f.remount == 0 })
    }
}
