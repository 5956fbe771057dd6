"""A private s6 (Debian's s6 2.11.3.2): s6-svscan on the test's own scan directory, which holds the example's
service directory; s6-svscan starts an s6-supervise for the service and one for its log/ (s6-log), with the pipe
between them; s6-svc and s6-svstat talk to s6-supervise through the service directory's supervise/."""

from service_directory import ServiceDirectoryMonitor


class S6(ServiceDirectoryMonitor):
    example_directory = "s6"
    scanner = "s6-svscan"
    own_programs = ("s6-svscan", "s6-supervise", "s6-log")

    def svc(self, *options, wait=60):
        """`s6-svc -T WAIT OPTIONS SERVICE`: with a -w option, waits up to WAIT seconds for the state it names."""
        return self.run("s6-svc", "-T", str(wait * 1000), *options, self.service, timeout=wait + 60)

    def status(self):
        """s6-svstat's line: `up (pid N) S seconds`, `down (exitcode 7) ...`, `down (signal SIGKILL) ...`."""
        return self.run("s6-svstat", self.service).stdout.strip()

    def supervised(self):
        return self.run("s6-svok", self.service).returncode == 0 and self.up()

    def up(self):
        return self.status().startswith("up ")

    def start_service(self):
        self.svc("-wu", "-u")

    def stop_command(self):
        """`s6-svc -d`, with -wD: waiting up to 60 s for dockrun to be gone and ./finish to have run."""
        return ["s6-svc", "-wD", "-T", "60000", "-d", self.service]

    def end_scanner(self):
        # TERM: s6-svscan brings every service down, its log included, and exits once its supervisors have.
        self.terminate_scanner()
