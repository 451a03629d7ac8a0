"""A minimal FastCGI client, for talking to the server without nginx (stdlib only)."""
import struct


def recvall(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed")
        data += chunk
    return data


def fcgi_get(sock, uri, method="GET", timeout=10, extra=()):
    """One FastCGI request as nginx sends it on sock (extra: more (name, value) params,
    HTTP_ACCEPT_LANGUAGE...); returns the raw CGI response."""
    def record(kind, content):
        return struct.pack("!BBHHBx", 1, kind, 1, len(content), 0) + content
    params = b""
    for k, v in (("REQUEST_METHOD", method), ("REQUEST_URI", uri)) + tuple(extra):
        k, v = k.encode(), v.encode()
        params += bytes([len(k), len(v)]) + k + v
    sock.settimeout(timeout)
    sock.sendall(record(1, struct.pack("!HB5x", 1, 0)) + record(4, params) +
                 record(4, b"") + record(5, b""))
    out = b""
    while True:
        _, kind, _, clen, plen = struct.unpack("!BBHHB", recvall(sock, 8)[:7])
        content = recvall(sock, clen)
        recvall(sock, plen)
        if kind == 6:
            out += content
        elif kind == 3:
            return out.decode("utf-8", "replace")
