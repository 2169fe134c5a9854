"""An SMTP sink that records more than sinks.Sink: connections, MAIL/RCPT parameters, and
which connection carried each message; it binds any loopback address and can offer a STARTTLS
that breaks.

    RecordingSink()                           plain; counts connections
    RecordingSink(host="127.0.0.2", port=p)   a second "host" on the same port (MX tests)
    RecordingSink(starttls="broken")          advertises STARTTLS, answers 220, and answers the
                                              ClientHello with bytes that are not TLS, then
                                              closes: the handshake fails, a plain reconnect
                                              works
    RecordingSink(starttls=(cert, key))       a working STARTTLS (optional for the client)
    RecordingSink(smtputf8=False)             does not advertise SMTPUTF8
    RecordingSink(idle_timeout=1)             closes a connection idle for 1s (no 421), as a
                                              remote MTA does with a client that lingers
    sink.defer_all = True                     every RCPT gets 451 4.3.0

It is an aiosmtpd server advertising 8BITMIME and (unless told not to) SMTPUTF8. A connection
is counted when aiosmtpd creates its protocol object for it (Controller.factory, once per
accepted TCP connection; a STARTTLS upgrade is not a new one); aiosmtpd's own start-up probe
connection is not counted. Waiting is on a Condition, never on a sleep.
"""
import asyncio
import dataclasses
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from .certs import server_context
from .net import LOOPBACK, free_port


@dataclasses.dataclass
class Envelope:
    mail_from: str
    mail_options: list   # MAIL parameters as sent, e.g. ["SMTPUTF8", "BODY=8BITMIME"]
    rcpt_tos: list
    data: bytes          # the content after dot-unstuffing, as the sender meant it
    tls: bool
    connection: int      # 1-based number of the connection that carried it
    peer: str = ""       # the client's IP address as the sink saw it
    helo: str = ""       # the name the client gave in EHLO/HELO


class _Server(SMTP):
    """aiosmtpd's SMTP with a per-connection number and an optional broken STARTTLS."""

    def __init__(self, sink, handler, **kwargs):
        super().__init__(handler, **kwargs)
        self.sink = sink
        self.connection_number = sink._connection_opened()

    def connection_lost(self, error):
        super().connection_lost(error)
        if self.connection_number:
            with self.sink._cond:
                self.sink.disconnects += 1
                self.sink._cond.notify_all()

    async def smtp_STARTTLS(self, arg):
        with self.sink._cond:
            self.sink.starttls_attempts += 1
            self.sink._cond.notify_all()
        if self.sink._starttls != "broken":
            return await super().smtp_STARTTLS(arg)
        await self.push("220 2.0.0 Ready to start TLS")
        # Wait for the client's ClientHello (a client must not see data before it sends one),
        # then answer with bytes that are not a TLS record: its handshake fails on them.
        try:
            await asyncio.wait_for(self._reader.read(1), 30)
        except (asyncio.TimeoutError, ConnectionError):
            pass
        self.transport.write(b"this is not TLS\r\n")
        self.transport.close()


class _Controller(Controller):
    def __init__(self, sink, handler, **kwargs):
        super().__init__(handler, **kwargs)
        self.sink = sink

    def factory(self):
        return _Server(self.sink, self.handler, **self.SMTP_kwargs)


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.sink._cond:
            reply = "451 4.3.0 Try again later" if self.sink.defer_all else "250 2.1.5 Ok"
            self.sink.rcpts.append((address, reply))
            self.sink._cond.notify_all()
        if reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return reply

    async def handle_DATA(self, server, session, envelope):
        msg = Envelope(mail_from=envelope.mail_from,
                       mail_options=list(envelope.mail_options),
                       rcpt_tos=list(envelope.rcpt_tos),
                       data=envelope.original_content or envelope.content,
                       tls=session.ssl is not None,
                       connection=server.connection_number,
                       peer=str(session.peer[0]) if session.peer else "",
                       helo=session.host_name or "")
        with self.sink._cond:
            self.sink.messages.append(msg)
            self.sink._cond.notify_all()
        return "250 2.0.0 Ok: recorded"


class RecordingSink:
    def __init__(self, host=LOOPBACK, port=None, starttls=None, smtputf8=True,
                 idle_timeout=None, ident="recording-sink"):
        if starttls not in (None, "broken") and not isinstance(starttls, tuple):
            raise ValueError("starttls: None, 'broken' or (cert, key)")
        self.host = host
        self.port = port  # None: a free port is chosen at start()
        self.defer_all = False
        self.connections = 0
        self.disconnects = 0  # connections that ended (either side closed)
        self.starttls_attempts = 0
        self.messages = []
        self.rcpts = []   # (address, reply)
        self._starttls = starttls
        self._smtputf8 = smtputf8
        self._idle_timeout = idle_timeout
        self._ident = ident
        self._counting = False
        self._cond = threading.Condition()
        self._controller = None

    def _connection_opened(self):
        with self._cond:
            if not self._counting:
                return 0  # aiosmtpd's start-up probe
            self.connections += 1
            self._cond.notify_all()
            return self.connections

    # -- awaiting --
    def wait_for_messages(self, count, timeout=30):
        return self._wait(lambda: len(self.messages) >= count, timeout,
                          f"{count} message(s) at {self.host}:{self.port} "
                          f"(have {len(self.messages)})", lambda: list(self.messages))

    def wait_for_disconnects(self, count, timeout=30):
        return self._wait(lambda: self.disconnects >= count, timeout,
                          f"{count} closed connection(s) at {self.host}:{self.port} "
                          f"(have {self.disconnects})", lambda: self.disconnects)

    def wait_for_rcpts(self, count, timeout=30):
        return self._wait(lambda: len(self.rcpts) >= count, timeout,
                          f"{count} RCPT(s) at {self.host}:{self.port} (have {len(self.rcpts)})",
                          lambda: list(self.rcpts))

    def _wait(self, ready, timeout, what, result):
        with self._cond:
            if not self._cond.wait_for(ready, timeout):
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            return result()

    # -- lifecycle --
    def start(self):
        kwargs = {"ident": self._ident, "enable_SMTPUTF8": self._smtputf8}
        if self._idle_timeout is not None:
            kwargs["timeout"] = self._idle_timeout
        if self._starttls == "broken":
            # aiosmtpd advertises STARTTLS only with a context; it is never used.
            kwargs["tls_context"] = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        elif self._starttls is not None:
            kwargs["tls_context"] = server_context(*self._starttls)
        if self.port is None:
            self.port = free_port()
        self._controller = _Controller(self, _Handler(self), hostname=self.host, port=self.port,
                                       **kwargs)
        self._controller.start()  # returns after aiosmtpd's probe connection was served
        with self._cond:
            self._counting = True
        return self

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
