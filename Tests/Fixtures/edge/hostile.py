"""Misbehaving servers for the edge tests, each on its own 127.0.0.1 port:
stall     accepts and never answers (a TLS handshake that never finishes)
flood     answers any request with a status line and 10 MB of headers
control   answers with a header value holding control bytes
keyserver an HKP key server: GET /pks/lookup?op=get&search=0xFPR serves DIR/FPR.asc
usage: hostile.py STALL FLOOD CONTROL KEYSERVER DIR PIDFILE
"""
import os
import signal
import socket
import sys
import threading
import urllib.parse


def serve(port, handle):
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    while True:
        connection, _ = listener.accept()
        threading.Thread(target=guard, args=(handle, connection), daemon=True).start()


def guard(handle, connection):
    try:
        handle(connection)
    except OSError:
        pass
    finally:
        connection.close()


def request(connection):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def stall(connection):
    while connection.recv(4096):
        pass


def flood(connection):
    request(connection)
    connection.sendall(b"HTTP/1.1 200 OK\r\n")
    line = b"X-Fill: " + b"a" * 1000 + b"\r\n"
    for _ in range(10_000):
        connection.sendall(line)
    connection.sendall(b"\r\nbody")


def control(connection):
    request(connection)
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Evil: a\x01b\x7f\r\n\r\nok")


def keyserver(directory):
    def handle(connection):
        head = request(connection).split(b"\r\n")[0].decode("latin-1").split(" ")
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(head[1]).query) if len(head) > 1 else {}
        search = query.get("search", [""])[0].removeprefix("0x").upper()
        path = os.path.join(directory, search + ".asc")
        if search.isalnum() and os.path.exists(path):
            body = open(path, "rb").read()
            status = b"200 OK"
        else:
            body, status = b"No results found\n", b"404 Not Found"
        connection.sendall(
            b"HTTP/1.1 " + status + b"\r\nContent-Type: application/pgp-keys\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
    return handle


# A test runner spawns us with most signals blocked; `setup.sh stop` must be able to end us.
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
signal.signal(signal.SIGTERM, signal.SIG_DFL)
stall_port, flood_port, control_port, keyserver_port = (int(port) for port in sys.argv[1:5])
# Our own pid: a launcher in between (pyenv's shim) would make the shell's $! another process.
with open(sys.argv[6], "w") as pidfile:
    pidfile.write(str(os.getpid()))
for port, handle in ((stall_port, stall), (flood_port, flood), (control_port, control),
                     (keyserver_port, keyserver(sys.argv[5]))):
    threading.Thread(target=serve, args=(port, handle), daemon=True).start()
threading.Event().wait()
