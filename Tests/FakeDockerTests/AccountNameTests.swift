import Testing
@testable import FakeDocker

/// The names a tar header gives the host's owners, read from the host's passwd and group files (no NSS in a static
/// executable).
@Suite("Account names from passwd and group files")
struct AccountNameTests {
    static let passwd = """
        root:x:0:0:root:/root:/bin/bash
        # a comment:x:5:5
        daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin

        builder:x:1234:5678::/home/builder:/bin/sh
        """
    static let group = "root:x:0:\nstaff:x:5678:builder\n"

    @Test("The entry whose id field matches names it; comments and blank lines are skipped")
    func namesByID() {
        #expect(ContainerUser.accountName(of: 0, in: Self.passwd) == "root")
        #expect(ContainerUser.accountName(of: 1234, in: Self.passwd) == "builder")
        #expect(ContainerUser.accountName(of: 5678, in: Self.group) == "staff")
        #expect(ContainerUser.accountName(of: 5, in: Self.passwd) == "")
    }

    @Test("An id with no entry, or no file, has no name")
    func unknown() {
        #expect(ContainerUser.accountName(of: 4321, in: Self.passwd) == "")
        #expect(ContainerUser.accountName(of: 0, in: nil) == "")
    }
}
