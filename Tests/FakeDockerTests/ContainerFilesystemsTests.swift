@testable import FakeDocker
import ProcessSpawn
import Testing

/// The container's own filesystems as runc's default spec for docker makes them (observed: EngineContractNamespaces
/// and docs/engine-observations.md, "namespaces").
@Suite("Container filesystems: /proc, /dev, /sys")
struct ContainerFilesystemsTests {
    let root = "/state/containers/abc/rootfs"

    @Test("the root is bound onto itself first, then the mounts come in the engine's order, each at its path under it")
    func mountOrder() {
        var mounts = ContainerFilesystems(rootfs: root, ownPIDNamespace: true).steps.filter { $0.kind == .mount }
        let rootBind = mounts.removeFirst()
        #expect(rootBind.source == root && rootBind.target == root && rootBind.flags & ContainerFilesystems.bind != 0)
        #expect(mounts.map { $0.target.dropFirst(root.count) } == ["/proc", "/dev", "/dev/pts", "/sys", "/dev/mqueue", "/dev/shm"])
        #expect(mounts.map(\.type) == ["proc", "tmpfs", "devpts", "sysfs", "mqueue", "tmpfs"])
        #expect(mounts[1].data == "mode=755,size=65536k")
        #expect(mounts[2].data == "newinstance,ptmxmode=0666,mode=0620,gid=5")
        #expect(mounts[3].flags & ContainerFilesystems.readOnly != 0)
        #expect(mounts[5].source == "shm" && mounts[5].data == "mode=1777,size=65536k")
    }

    @Test("the devices are made after /dev, world-writable, each with the host's node to bind where mknod is refused")
    func devices() {
        let steps = ContainerFilesystems(rootfs: root, ownPIDNamespace: true).steps
        let dev = steps.firstIndex { $0.target == root + "/dev" }!
        let nodes = steps.enumerated().filter { $0.element.kind == .node }
        #expect(nodes.allSatisfy { $0.offset > dev && $0.element.mode == 0o666 })
        #expect(nodes.map { $0.element.source } == ["null", "zero", "full", "random", "urandom", "tty"].map { "/dev/" + $0 })
        #expect(nodes.first?.element.major == 1 && nodes.first?.element.minor == 3)
    }

    @Test("without a PID namespace of its own, no /proc is mounted and nothing under it is masked")
    func noProcWithoutPIDNamespace() {
        let steps = ContainerFilesystems(rootfs: root, ownPIDNamespace: false).steps
        #expect(!steps.contains { $0.target.hasPrefix(root + "/proc") })
        #expect(steps.contains { $0.kind == .mask && $0.target == root + "/sys/firmware" })
    }

    @Test("the masked and read-only paths come after the binds, skipped where the kernel lacks them; a masked file gets /dev/null")
    func maskedPaths() {
        let steps = ContainerFilesystems(rootfs: root, ownPIDNamespace: true).steps
        let kernelPaths = steps.filter { $0.kind == .mask || $0.kind == .readOnly }
        #expect(kernelPaths.count == ContainerFilesystems.readOnlyPaths.count + ContainerFilesystems.maskedPaths.count)
        #expect(kernelPaths.allSatisfy { $0.optional && $0.afterBinds })
        #expect(steps.filter { $0.afterBinds }.count == kernelPaths.count)
        #expect(kernelPaths.filter { $0.kind == .mask }.allSatisfy { $0.source == root + "/dev/null" })
    }
}
