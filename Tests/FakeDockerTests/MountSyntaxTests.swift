@testable import FakeDocker
import Testing

/// `-v` and `--mount` read as the docker CLI and the engine read them (observed texts: EngineContractMounts and
/// docs/engine-observations.md, "bind mounts").
@Suite("Mount syntax: -v and --mount")
struct MountSyntaxTests {
    func clientBind(_ spec: String) -> Result<String?, MountError> {
        Result { () throws(MountError) in try MountSyntax.clientBind(spec, cwd: "/work/dir") }
    }

    @Test("the CLI sends a -v with a host part as a bind, a host part starting with '.' made absolute from its cwd")
    func clientBinds() {
        #expect(clientBind("/h:/d") == .success("/h:/d"))
        #expect(clientBind("/h:/d:ro,z") == .success("/h:/d:ro,z"))
        #expect(clientBind("./h:/d") == .success("/work/dir/h:/d"))
        #expect(clientBind("../x/h:/d:ro") == .success("/work/x/h:/d:ro"))
        #expect(clientBind(".:/d") == .success("/work/dir:/d"))
        #expect(clientBind("name:/d") == .success("name:/d"))
        #expect(clientBind("~/x:/d") == .success("~/x:/d"))
    }

    @Test("the CLI sends an anonymous volume apart (nil) and refuses malformed specs with compose's texts")
    func clientRefusals() {
        #expect(clientBind("/data") == .success(nil))
        #expect(clientBind("") == .failure(MountError("invalid empty volume spec")))
        #expect(clientBind(":/x") == .failure(MountError("invalid spec: :/x: empty section between colons")))
        #expect(clientBind("/h::") == .failure(MountError("invalid spec: /h::: empty section between colons")))
        #expect(clientBind("/h:/x:ro:rw") == .failure(MountError("invalid spec: /h:/x:ro:rw: too many colons")))
        #expect(clientBind("/h:/x:ro:") == .failure(MountError("invalid spec: /h:/x:ro:: too many colons")))
    }

    func clientMount(_ value: String) -> Result<MountOption, MountError> {
        Result { () throws(MountError) in try MountSyntax.clientMount(value, cwd: "/work/dir") }
    }

    @Test("--mount: keys and their aliases, readonly bare or with a Go bool, volume by default")
    func clientMounts() {
        #expect(clientMount("type=bind,source=/h,target=/d")
                == .success(MountOption(type: "bind", source: "/h", target: "/d", readOnly: false, propagation: nil)))
        #expect(clientMount("type=bind,src=./h,dst=/d,ro")
                == .success(MountOption(type: "bind", source: "/work/dir/h", target: "/d", readOnly: true, propagation: nil)))
        #expect(clientMount("type=bind,source=/h,destination=/d,readonly=false,bind-propagation=rshared")
                == .success(MountOption(type: "bind", source: "/h", target: "/d", readOnly: false, propagation: "rshared")))
        #expect(clientMount("source=/h,target=/d")
                == .success(MountOption(type: "volume", source: "/h", target: "/d", readOnly: false, propagation: nil)))
    }

    @Test("--mount refusals: the flag parser's texts")
    func clientMountRefusals() {
        #expect(clientMount("type=bind,source=/h") == .failure(MountError("target is required")))
        #expect(clientMount("type=bind,source=/h,target=/x,bogus=1") == .failure(MountError("unexpected key 'bogus' in 'bogus=1'")))
        #expect(clientMount("type=bind,target=/x,readonly=maybe") == .failure(MountError("invalid value for readonly: maybe")))
        #expect(clientMount("type=bind,target=/x,odd") == .failure(MountError("invalid field 'odd' must be a key=value pair")))
        #expect(clientMount("type=tmpfs,target=/x,bind-propagation=shared")
                == .failure(MountError("cannot mix 'bind-*' options with mount type 'tmpfs'")))
    }

    func engineBind(_ raw: String) -> Result<BindMount?, MountError> {
        Result { () throws(MountError) in try MountSyntax.engineBind(raw) }
    }

    @Test("the engine reads a bind: cleaned destination, the mode kept, RW and propagation from it")
    func engineBinds() {
        #expect(engineBind("/h/:/d/") == .success(BindMount(source: "/h", destination: "/d", mode: "", readWrite: true,
                                                          propagation: "rprivate", createsSource: true)))
        #expect(engineBind("/h:/d:ro,z,rshared") == .success(BindMount(source: "/h", destination: "/d", mode: "ro,z,rshared",
                                                                      readWrite: false, propagation: "rshared", createsSource: true)))
        #expect(engineBind("name:/d") == .success(BindMount(source: "", destination: "/d", mode: "z", readWrite: true,
                                                            propagation: "", createsSource: true, kind: .volume,
                                                            volumeName: "name", anonymous: false, copiesImageFiles: true)))
    }

    @Test("the engine's refusals of a bind, with its texts")
    func engineBindRefusals() {
        let bindConfig = "invalid mount config for type \"bind\": "
        #expect(engineBind("/h:rel") == .failure(MountError("invalid volume specification: '/h:rel': " + bindConfig
                                                            + "invalid mount path: 'rel' mount path must be absolute")))
        #expect(engineBind("/h:/") == .failure(MountError("invalid volume specification: '/h:/': " + bindConfig
                                                          + "invalid specification: destination can't be '/'")))
        #expect(engineBind("/h:/d:bogus") == .failure(MountError("invalid mode: bogus")))
        #expect(engineBind("/h:/d:ro,rw") == .failure(MountError("invalid mode: ro,rw")))
        #expect(engineBind("/h:ro") == .failure(MountError("invalid volume specification: '/h:ro'")))
        #expect(engineBind("/h:/d:nocopy") == .failure(MountError("invalid volume specification: '/h:/d:nocopy': " + bindConfig
                                                                  + "field VolumeOptions must not be specified")))
        #expect(engineBind("h/:/d") == .failure(MountError("create h/: \"h/\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path")))
    }

    @Test("the engine checks a --mount bind at create: target, source given, absolute and existing")
    func engineMounts() {
        func check(_ m: MountOption, exists: Bool = true) -> Result<BindMount?, MountError> {
            Result { () throws(MountError) in try MountSyntax.engineMount(m) { _ in exists } }
        }
        let invalid = "invalid mount config for type \"bind\": "
        #expect(check(MountOption(type: "bind", source: "/h", target: "/d", readOnly: true, propagation: nil))
                == .success(BindMount(source: "/h", destination: "/d", mode: "", readWrite: false, propagation: "rprivate",
                                      createsSource: false)))
        #expect(check(MountOption(type: "tmpfs", source: "", target: "/d", readOnly: false, propagation: nil)) == .success(nil))
        #expect(check(MountOption(type: "bind", source: "", target: "/d", readOnly: false, propagation: nil))
                == .failure(MountError(invalid + "field Source must not be empty")))
        #expect(check(MountOption(type: "bind", source: "/h", target: "d", readOnly: false, propagation: nil))
                == .failure(MountError(invalid + "invalid mount path: 'd' mount path must be absolute")))
        #expect(check(MountOption(type: "bind", source: "/h", target: "/d", readOnly: false, propagation: nil), exists: false)
                == .failure(MountError(invalid + "bind source path does not exist: /h")))
        #expect(check(MountOption(type: "bind", source: "/h", target: "/d", readOnly: false, propagation: "sideways"))
                == .failure(MountError(invalid + "invalid propagation mode: sideways")))
    }

    @Test("two mounts at one (cleaned) destination are refused")
    func duplicates() {
        let a = BindMount(source: "/a", destination: "/d", mode: "", readWrite: true, propagation: "rprivate", createsSource: true)
        var b = a
        b.source = "/b"
        #expect(throws: MountError("Duplicate mount point: /d")) { try MountSyntax.checkDuplicates([a, b]) }
        b.destination = "/e"
        #expect(throws: Never.self) { try MountSyntax.checkDuplicates([a, b]) }
    }

    @Test("paths are cleaned as Go's path.Clean does")
    func cleaning() {
        #expect(MountSyntax.cleaned("/a//b/./c/") == "/a/b/c")
        #expect(MountSyntax.cleaned("/a/../../b") == "/b")
        #expect(MountSyntax.cleaned("/") == "/")
        #expect(MountSyntax.cleaned("a/../..") == "..")
    }
}
