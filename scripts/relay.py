#!/usr/bin/env python3
"""Full TCP proxy for the sample chain: holds every received chunk a fixed time before forwarding.

The relay terminates the client's TCP connection and opens a new one to the upstream server,
so the bytes travel on two different connections (a "relay link" for packetseq). Each chunk
returned by one recvmsg() is sent --hold-ms after the kernel received its newest byte
(SO_TIMESTAMPNS), in both directions, which gives the sample a known middlebox dwell time.
Stdlib only; one reader and one writer thread per direction.
"""

import argparse
import os
import queue
import signal
import socket
import struct
import sys
import threading
import time


class ChunkLog:
    """Thread-safe TSV log: one line per forwarded chunk, wall-clock times (same clock as captures)."""

    def __init__(self, path):
        self._lock = threading.Lock()
        self._file = open(path, "w", buffering=1) if path else None
        self.write("#event", "conn", "direction", "bytes", "arrived_epoch", "read_epoch", "sent_epoch",
                   "detail")

    def write(self, *fields):
        if self._file is None:
            return
        with self._lock:
            self._file.write("\t".join(str(f) for f in fields) + "\n")

    def close(self):
        if self._file is not None:
            with self._lock:
                self._file.close()
                self._file = None


# Linux values (asm-generic/socket.h); Python's socket module does not export them.
SO_TIMESTAMPNS = 35
SCM_TIMESTAMPNS = SO_TIMESTAMPNS
TIMESPEC = struct.Struct("@qq")


def tune(sock):
    # Without TCP_NODELAY Nagle could merge held chunks, hiding the per-chunk hold.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # Kernel receive time of the newest byte in each recvmsg(): the hold counts from the moment
    # the data reached the relay (what its capture shows), not from when Python got around to it.
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)


def receive(sock):
    """One recvmsg(): (data, arrival epoch, read epoch). data is b"" on EOF, None on error."""
    try:
        data, ancdata, _flags, _addr = sock.recvmsg(65536, socket.CMSG_SPACE(TIMESPEC.size))
    except OSError:
        return None, time.time(), time.time()
    read_at = time.time()
    arrived = read_at
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == SCM_TIMESTAMPNS and len(payload) >= TIMESPEC.size:
            sec, nsec = TIMESPEC.unpack_from(payload)
            stamp = sec + nsec / 1e9
            if 0 <= read_at - stamp < 1.0:  # ignore a missing or foreign-clock stamp
                arrived = stamp
    return data, arrived, read_at


def start_reader(src):
    """Reads src on its own thread from now on; returns the queue of (data, arrived, read_at)."""
    chunks = queue.Queue()

    def reader():
        while True:
            data, arrived, read_at = receive(src)
            chunks.put((data, arrived, read_at))
            if not data:
                return

    threading.Thread(target=reader, daemon=True).start()
    return chunks


def start_writer(conn_id, direction, chunks, dst, hold_s, log, done):
    """Sends each chunk hold_s after it arrived; relays EOF (FIN) after the hold too."""

    def writer():
        try:
            while True:
                data, arrived, read_at = chunks.get()
                wait = arrived + hold_s - time.time()
                if wait > 0:
                    time.sleep(wait)
                times = (f"{arrived:.6f}", f"{read_at:.6f}")
                if data is None:
                    dst.shutdown(socket.SHUT_RDWR)
                    log.write("abort", conn_id, direction, 0, *times, f"{time.time():.6f}", "")
                    return
                if not data:
                    dst.shutdown(socket.SHUT_WR)
                    log.write("eof", conn_id, direction, 0, *times, f"{time.time():.6f}", "")
                    return
                dst.sendall(data)
                log.write("chunk", conn_id, direction, len(data), *times, f"{time.time():.6f}", "")
        except OSError as err:
            log.write("error", conn_id, direction, 0, "", "", f"{time.time():.6f}", err)
        finally:
            done.release()

    threading.Thread(target=writer, daemon=True).start()


def serve_connection(conn_id, client, peer, args, log):
    hold_s = args.hold_ms / 1000.0
    tune(client)
    # Read the client at once: a request that arrives while we connect upstream is held from its
    # arrival, not from the end of the connect.
    upward = start_reader(client)
    try:
        upstream = socket.create_connection((args.upstream_host, args.upstream_port), timeout=5)
        upstream.settimeout(None)
    except OSError as err:
        log.write("connect-failed", conn_id, "", 0, "", "", f"{time.time():.6f}", err)
        client.close()
        return
    tune(upstream)
    local = upstream.getsockname()
    log.write("conn", conn_id, "", 0, "", "", f"{time.time():.6f}",
              f"client={peer[0]}:{peer[1]} upstream_local={local[0]}:{local[1]}")
    done = threading.Semaphore(0)
    start_writer(conn_id, "c2s", upward, upstream, hold_s, log, done)
    start_writer(conn_id, "s2c", start_reader(upstream), client, hold_s, log, done)
    done.acquire()
    done.acquire()
    client.close()
    upstream.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen-host", required=True)
    parser.add_argument("--listen-port", type=int, required=True)
    parser.add_argument("--upstream-host", required=True)
    parser.add_argument("--upstream-port", type=int, required=True)
    parser.add_argument("--hold-ms", type=float, default=40.0)
    parser.add_argument("--log", help="TSV chunk log (wall-clock epoch times)")
    parser.add_argument("--ready-file", help="created once the relay is listening")
    args = parser.parse_args()
    if args.hold_ms < 0:
        parser.error("--hold-ms must be >= 0")

    # A thread woken by recv() or sleep() waits for the GIL up to this long: keep it small.
    sys.setswitchinterval(0.0005)
    log = ChunkLog(args.log)
    family = socket.AF_INET6 if ":" in args.listen_host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Enables receive timestamps before the first SYN: accepted sockets inherit the option, so
    # even a request queued before accept() returns carries its arrival time.
    listener.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    listener.bind((args.listen_host, args.listen_port))
    listener.listen(16)

    def stop(_signum, _frame):
        log.close()
        os._exit(0)  # daemon threads die with the process; nothing else to flush

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.ready_file:
        with open(args.ready_file, "w") as ready:
            ready.write(f"{os.getpid()}\n")

    conn_id = 0
    while True:
        client, peer = listener.accept()
        conn_id += 1
        threading.Thread(target=serve_connection, args=(conn_id, client, peer, args, log),
                         daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
