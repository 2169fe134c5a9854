"""A raw-socket SMTP client for byte-exact dialogues (smuggling, pipelining, drain).

smtplib normalises line ends; this one sends exactly the bytes given and parses replies
(multi-line aware) from the stream.
"""
import socket

from .net import LOOPBACK


class RawSmtp:
    def __init__(self, port, timeout=30):
        self.sock = socket.create_connection((LOOPBACK, port), timeout=timeout)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"connection closed (pending {self.buf!r})")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode(errors="replace")

    def reply(self):
        """One whole reply: (code, [text lines]), e.g. (250, ["2.0.0 Ok: queued as X"])."""
        lines = []
        while True:
            line = self._line()
            lines.append(line[4:])
            if len(line) < 4 or line[3] != "-":
                return int(line[:3]), lines

    def cmd(self, line):
        self.send(line.encode() + b"\r\n")
        return self.reply()

    def closed_by_peer(self):
        """True when the server closed the connection (reads EOF)."""
        try:
            return self.buf == b"" and self.sock.recv(1) == b""
        except OSError:
            return True

    def close(self):
        self.sock.close()
