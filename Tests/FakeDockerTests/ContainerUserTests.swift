@testable import FakeDocker
import Testing

/// `--user` resolved as runc's GetExecUser does (observed: EngineContractMounts, docs/engine-observations.md "--user").
@Suite("Container user: --user against /etc/passwd and /etc/group")
struct ContainerUserTests {
    static let passwd = """
        root:x:0:0:root:/root:/bin/sh
        # a comment
        nobody:x:65534:65534:nobody:/nonexistent:/bin/false
        app:x:1000:1001:app:/home/app:/bin/sh
        """
    static let group = "root:x:0:\nnogroup:x:65534:\nappgrp:x:1001:\nextra:x:2000:app,other\nwheel:x:10:root\n"

    func resolve(_ spec: String, passwd: String? = Self.passwd, group: String? = Self.group) -> Result<ContainerUser, UserError> {
        ContainerUser.resolve(spec, passwd: passwd, group: group)
    }

    @Test("a name or a uid found in passwd: its ids, home, and the groups listing its name")
    func found() {
        let app = ContainerUser(uid: 1000, gid: 1001, groups: [2000], home: "/home/app")
        #expect(resolve("app") == .success(app))
        #expect(resolve("1000") == .success(app))
        #expect(resolve("") == .success(ContainerUser(uid: 0, gid: 0, groups: [10], home: "/root")))
    }

    @Test("an explicit group replaces the primary one and drops the supplementary groups")
    func explicitGroup() {
        #expect(resolve("app:nogroup") == .success(ContainerUser(uid: 1000, gid: 65534, groups: [], home: "/home/app")))
        #expect(resolve("app:0") == .success(ContainerUser(uid: 1000, gid: 0, groups: [], home: "/home/app")))
        #expect(resolve("1234:appgrp") == .success(ContainerUser(uid: 1234, gid: 1001, groups: [], home: "/")))
    }

    @Test("numbers not in the files (or no files): taken as they are, group 0, home /")
    func numeric() {
        #expect(resolve("1000", passwd: nil, group: nil) == .success(ContainerUser(uid: 1000, gid: 0, groups: [], home: "/")))
        #expect(resolve("1000:50", passwd: nil, group: nil) == .success(ContainerUser(uid: 1000, gid: 50, groups: [], home: "/")))
        #expect(resolve(":", passwd: nil, group: nil) == .success(.root))
    }

    @Test("an unknown name, or an id out of range: the engine's messages")
    func refused() {
        #expect(resolve("nosuch") == .failure(UserError("unable to find user nosuch: no matching entries in passwd file")))
        #expect(resolve("nobody", passwd: nil) == .failure(UserError("unable to find user nobody: no matching entries in passwd file")))
        #expect(resolve("app:nosuch") == .failure(UserError("unable to find group nosuch: no matching entries in group file")))
        #expect(resolve("-1") == .failure(.range))
        #expect(resolve("4294967296") == .failure(.range))
        #expect(resolve("1:2147483648") == .failure(.range))
    }

    @Test("the process's groups: the primary group first, then the supplementary ones, once each")
    func processGroups() {
        #expect(ContainerUser(uid: 1000, gid: 1001, groups: [2000, 1001], home: "/").processGroups == [1001, 2000])
        #expect(ContainerUser.root.processGroups == [0])
    }

    @Test("HOME: the passwd entry of the uid, else /")
    func home() {
        #expect(ContainerUser.home(uid: 1000, passwd: Self.passwd) == "/home/app")
        #expect(ContainerUser.home(uid: 1234, passwd: Self.passwd) == "/")
        #expect(ContainerUser.home(uid: 0, passwd: nil) == "/")
    }
}
