#!/usr/bin/env python3
"""A store's WAN link for `make demo-cloud`: forwards TCP from 127.0.0.1:LISTEN to
127.0.0.1:TARGET (a store's leaf connection to the hub), and can be cut and restored:
SIGUSR1 drops every connection and refuses new ones (the WAN is down), SIGUSR2 takes
connections again.

    scripts/wan-link.py LISTEN TARGET
"""
import signal
import socket
import sys
import threading

listen_port, target_port = int(sys.argv[1]), int(sys.argv[2])
lock = threading.Lock()
up = True
open_sockets = set()


def pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.close()
            except OSError:
                pass
            with lock:
                open_sockets.discard(s)


def cut(_signum, _frame):
    global up
    with lock:
        up = False
        for s in list(open_sockets):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def restore(_signum, _frame):
    global up
    with lock:
        up = True


signal.signal(signal.SIGUSR1, cut)
signal.signal(signal.SIGUSR2, restore)
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", listen_port))
server.listen(16)
while True:
    try:
        client, _ = server.accept()
    except InterruptedError:
        continue
    with lock:
        accepting = up
    if not accepting:
        client.close()
        continue
    try:
        upstream = socket.create_connection(("127.0.0.1", target_port))
    except OSError:
        client.close()
        continue
    with lock:
        open_sockets.update((client, upstream))
    threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
    threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
