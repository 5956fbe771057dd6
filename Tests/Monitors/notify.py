"""A datagram socket where NOTIFY_SOCKET points, as systemd's: a path, or `@name` for an abstract socket. Every
datagram is recorded with the wall-clock time it arrived, by a thread, so a test can compare that time with what
the engine says (the container's StartedAt)."""

import os
import socket
import threading
import time


class NotifySocket:
    def __init__(self, address):
        self.address = address      # the NOTIFY_SOCKET value
        self.messages = []          # (arrival time.time(), one line such as "READY=1")
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self._socket.bind("\0" + address[1:] if address.startswith("@") else address)
        self._socket.settimeout(0.1)
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._receive, daemon=True)
        self._thread.start()

    def _receive(self):
        while not self._closed.is_set():
            try:
                data = self._socket.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            arrived = time.time()
            with self._lock:
                self.messages += [(arrived, line) for line in data.decode(errors="replace").splitlines() if line]

    def received(self):
        with self._lock:
            return list(self.messages)

    def first(self, line):
        """Arrival time of the first message that is exactly `line`, or None."""
        return next((t for t, text in self.received() if text == line), None)

    def close(self):
        self._closed.set()
        self._thread.join()
        self._socket.close()
        if not self.address.startswith("@"):
            os.unlink(self.address)
