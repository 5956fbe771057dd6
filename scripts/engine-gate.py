#!/usr/bin/env python3
"""A relay in front of a Docker Engine's socket that goes away right after a container's create.

    engine-gate.py --engine /run/docker.sock --listen /tmp/gate.sock

Clients given DOCKER_HOST=unix:///tmp/gate.sock reach the engine through it. Once the engine has answered a
`POST …/containers/create`, the gate stops listening and unlinks its socket: every new connection then fails as it
does while an engine restarts ("connect: no such file or directory"), while the connections already open carry on.
SIGUSR1 opens it again (and arms it for the next create); SIGTERM ends it. It prints `listening` (and flushes) each
time its socket is there, and `closed after create` when it goes.

This is how the conformance suite puts an engine's absence exactly between a `docker run` client's create and its
attach and start, on a real engine (fake-docker does it with `fake-docker script start --delay` and an outage).
"""
import argparse
import os
import re
import signal
import socket
import sys
import threading

CREATE = re.compile(rb"^POST /(v[0-9.]+/)?containers/create[ ?]")


class Gate:
    def __init__(self, engine, listen):
        self.engine = engine
        self.listen_path = listen
        self.lock = threading.Lock()
        self.listener = None
        self.open()

    def open(self):
        with self.lock:
            if self.listener is not None:
                return
            try:
                os.unlink(self.listen_path)
            except FileNotFoundError:
                pass
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(self.listen_path)
            listener.listen(64)
            self.listener = listener
        threading.Thread(target=self.accept, args=(listener,), daemon=True).start()
        print("listening", flush=True)

    def close(self, announce=True):
        with self.lock:
            listener, self.listener = self.listener, None
            if listener is None:
                return
            try:
                os.unlink(self.listen_path)
            except FileNotFoundError:
                pass
            # shutdown wakes the accept() blocked on it.
            try:
                listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            listener.close()
        if announce:
            print("closed after create", flush=True)

    def accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                upstream.connect(self.engine)
            except OSError:
                client.close()
                continue
            connection = {"create": False}
            threading.Thread(target=self.pipe, args=(client, upstream, connection, True), daemon=True).start()
            threading.Thread(target=self.pipe, args=(upstream, client, connection, False), daemon=True).start()

    def pipe(self, source, target, connection, from_client):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if from_client and CREATE.match(data):
                    connection["create"] = True
                elif not from_client and connection["create"]:
                    connection["create"] = False
                    # The create's answer goes to the client only once the gate is shut: its next dial must fail.
                    self.close()
                target.sendall(data)
        except OSError:
            pass
        finally:
            # A half-close is passed on as one (the CLI closes its writing half of an attach while it still
            # reads); the sockets are closed when both directions have ended.
            try:
                target.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            with self.lock:
                connection["ended"] = connection.get("ended", 0) + 1
                both = connection["ended"] == 2
            if both:
                source.close()
                target.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", required=True, help="the engine's socket path")
    parser.add_argument("--listen", required=True, help="the gate's socket path")
    args = parser.parse_args()
    gate = Gate(args.engine, args.listen)
    signal.signal(signal.SIGUSR1, lambda *_: gate.open())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            signal.pause()
    finally:
        gate.close(announce=False)


if __name__ == "__main__":
    main()
