@testable import FakeDocker
import Testing

/// Volumes and tmpfs read as the docker CLI and Engine 20.10 read them (observed texts: EngineContractVolumes and
/// docs/engine-observations.md, "volumes, tmpfs, --read-only").
@Suite("Storage syntax: volumes, --tmpfs, --mount type=volume|tmpfs")
struct StorageSyntaxTests {
    func clientMount(_ value: String) -> Result<MountOption, MountError> {
        Result { () throws(MountError) in try MountSyntax.clientMount(value, cwd: "/w") }
    }

    func engineMount(_ value: String) -> Result<BindMount?, MountError> {
        Result { () throws(MountError) in
            try MountSyntax.engineMount(try MountSyntax.clientMount(value, cwd: "/w")) { _ in true }
        }
    }

    @Test("--mount reads volume-* and tmpfs-* options: sizes as go-units reads them, the mode in octal")
    func clientOptions() throws {
        let volume = try clientMount("type=volume,src=v,dst=/d,volume-nocopy,volume-label=a=b,volume-driver=local").get()
        #expect(volume.volumeOptions == .init(noCopy: true, labels: ["a": "b"], driver: "local"))
        let tmpfs = try clientMount("type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=0700").get()
        #expect(tmpfs.tmpfsSize == 1_048_576 && tmpfs.tmpfsMode == 0o700)
        #expect(MountSyntax.ramInBytes("64k") == 65536)
        #expect(MountSyntax.ramInBytes("2GiB") == 2 << 30)
        #expect(MountSyntax.ramInBytes("100") == 100)
        #expect(MountSyntax.ramInBytes("abc") == nil)
    }

    @Test("--mount refuses options of another type, in the CLI's order (volume, bind, tmpfs)")
    func clientMixes() {
        #expect(clientMount("type=tmpfs,target=/t,tmpfs-size=abc") == .failure(MountError("invalid value for tmpfs-size: abc")))
        #expect(clientMount("type=tmpfs,target=/t,tmpfs-mode=9") == .failure(MountError("invalid value for tmpfs-mode: 9")))
        #expect(clientMount("type=volume,target=/v,tmpfs-size=1")
                == .failure(MountError("cannot mix 'tmpfs-*' options with mount type 'volume'")))
        #expect(clientMount("type=tmpfs,target=/v,volume-nocopy")
                == .failure(MountError("cannot mix 'volume-*' options with mount type 'tmpfs'")))
        #expect(clientMount("type=bind,source=/h,target=/v,volume-nocopy,bind-propagation=shared")
                == .failure(MountError("cannot mix 'volume-*' options with mount type 'bind'")))
    }

    @Test("the engine makes a --mount volume a volume mount (Mode z, named or anonymous) and checks tmpfs and types")
    func engineMounts() {
        #expect(engineMount("type=volume,src=v,dst=/d/,readonly")
                == .success(BindMount(source: "", destination: "/d", mode: "z", readWrite: false, propagation: "",
                                      createsSource: true, kind: .volume, volumeName: "v", anonymous: false,
                                      copiesImageFiles: true)))
        #expect(engineMount("type=volume,dst=/d,volume-nocopy")
                == .success(BindMount(source: "", destination: "/d", mode: "z", readWrite: true, propagation: "",
                                      createsSource: true, kind: .volume, volumeName: nil, anonymous: true,
                                      copiesImageFiles: false)))
        #expect(engineMount("type=tmpfs,dst=/t") == .success(nil))
        #expect(engineMount("type=tmpfs,src=x,dst=/t")
                == .failure(MountError("invalid mount config for type \"tmpfs\": field Source must not be specified")))
        #expect(engineMount("type=tmpfs,dst=t")
                == .failure(MountError("invalid mount config for type \"tmpfs\": invalid mount path: 't' mount path must be absolute")))
        #expect(engineMount("type=bogus,dst=/t") == .failure(MountError("invalid mount config for type \"bogus\": mount type unknown")))
        #expect(engineMount("type=volume,src=a/b,dst=/t") == .failure(MountError("create a/b: \"a/b\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path")))
    }

    @Test("a named -v volume keeps its mode (z when none), ro makes it read-only, nocopy stops the copy")
    func engineVolumeBinds() throws {
        let ro = try MountSyntax.engineBind("v:/d:ro")
        #expect(ro.isVolume && ro.mode == "ro" && !ro.readWrite && ro.copiesImageFiles == true)
        let nocopy = try MountSyntax.engineBind("v:/d:nocopy")
        #expect(nocopy.readWrite && nocopy.copiesImageFiles == false)
    }

    func tmpfs(_ spec: String) -> Result<TmpfsMount, MountError> {
        Result { () throws(MountError) in try TmpfsSyntax.flag(spec) }
    }

    @Test("--tmpfs: noexec, nosuid, nodev by default, the user's words after them, data passed as given")
    func tmpfsFlags() {
        let hidden: UInt = 2 | 4 | 8
        #expect(tmpfs("/t") == .success(TmpfsMount(destination: "/t", flags: hidden, data: "", listed: false)))
        #expect(tmpfs("/u/:rw,size=1m,mode=700") == .success(TmpfsMount(destination: "/u", flags: hidden, data: "size=1m,mode=700",
                                                                        listed: false)))
        #expect(tmpfs("/t:exec,ro") == .success(TmpfsMount(destination: "/t", flags: 2 | 4 | 1, data: "", listed: false)))
        #expect(tmpfs("/t:ro").map(\.readWrite) == .success(false))
    }

    @Test("--tmpfs refusals: the engine's texts, an unknown option as Go's %q of it split at '='")
    func tmpfsRefusals() {
        #expect(tmpfs("/t:bogus") == .failure(MountError("invalid tmpfs option [\"bogus\"]")))
        #expect(tmpfs("/t:bogus=1") == .failure(MountError("invalid tmpfs option [\"bogus\" \"1\"]")))
        #expect(tmpfs("t") == .failure(MountError("invalid mount path: 't' mount path must be absolute")))
    }

    @Test("--mount type=tmpfs: the size and mode as the engine writes them, listed in .Mounts")
    func tmpfsMount() throws {
        var option = try MountSyntax.clientMount("type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=0700,readonly", cwd: "/")
        #expect(try TmpfsSyntax.mount(option) == TmpfsMount(destination: "/t", flags: 2 | 4 | 8 | 1, data: "size=1m,mode=700",
                                                            listed: true))
        option.tmpfsSize = 1000
        #expect(try TmpfsSyntax.mount(option).data == "size=1000,mode=700")
    }

    @Test("HostConfig.Tmpfs: path to options, a repeated path replaced, by path")
    func tmpfsHostConfig() {
        let table = TmpfsSyntax.hostConfig(["/u:size=1m", "/t", "/u:mode=700"])
        #expect(table.map(\.path) == ["/t", "/u"])
        #expect(table.map(\.options) == ["", "mode=700"])
    }

    @Test("volume ls --filter name= is a regular expression, as the engine matches it")
    func nameFilter() {
        #expect(VolumeFilter.search("st17", in: "a-st17-b"))
        #expect(VolumeFilter.search("^st17", in: "st17-b"))
        #expect(!VolumeFilter.search("^st17", in: "a-st17"))
        #expect(!VolumeFilter.search("(", in: "("))
    }
}
