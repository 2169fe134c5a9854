"""Ports and waiting: the only places integration tests block.

Contract: every wait is on an observable event (a port accepting, a predicate over files or
recorded messages) with a bounded timeout; a timeout raises TimeoutError naming what was
awaited, never returns silently.
"""
import errno
import socket
import time

LOOPBACK = "127.0.0.1"


_handed_out = set()


def free_port(kind=socket.SOCK_STREAM):
    """A port that was free on 127.0.0.1 a moment ago (bind to 0, read, release), and never
    one this process handed out before: the kernel may offer a just-released port again, and
    a config with the same port on two listeners is refused."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, kind) as s:
            s.bind((LOOPBACK, 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port
    raise RuntimeError("no fresh free port on 127.0.0.1")


def free_port_udp_tcp():
    """A port free for both UDP and TCP on 127.0.0.1 (a DNS server needs both)."""
    for _ in range(100):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind((LOOPBACK, 0))
        port = udp.getsockname()[1]
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            tcp.bind((LOOPBACK, port))
            return port
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise
        finally:
            tcp.close()
            udp.close()
    raise RuntimeError("no port free for both UDP and TCP")


def wait_until(predicate, timeout, what, interval=0.02):
    """Polls `predicate` until it returns a truthy value, which is returned.

    Polling is how we await events that have no notification (a file appearing, a port
    opening in another process); the interval is short and the bound is explicit.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def port_accepts(port, host=LOOPBACK):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for_port(port, timeout=20, host=LOOPBACK, alive=None):
    """Waits until host:port accepts a TCP connection.

    `alive`, when given, is called on every round; it raises to abort the wait early (e.g.
    when the process that should open the port has exited).
    """
    def check():
        if alive is not None:
            alive()
        return port_accepts(port, host)
    wait_until(check, timeout, f"{host}:{port} to accept connections", interval=0.05)


def wait_for_port_closed(port, timeout=20, host=LOOPBACK):
    wait_until(lambda: not port_accepts(port, host), timeout,
               f"{host}:{port} to stop accepting connections", interval=0.05)
