"""SMTP sinks for tests: aiosmtpd servers on 127.0.0.1 that record every message.

A sink plays the remote MX or the relay host. It records each accepted message (envelope,
bytes, whether TLS was up, the AUTH login) and every RCPT it saw with the reply it gave, and
lets a test await "N messages arrived" without sleeping. Replies are scriptable:

    Sink(defer_first_rcpts=1)                 first RCPT gets 451 4.3.0, later ones 250
    Sink(reject={"bad@remote.test"})          that recipient gets 550 5.1.1
    sink.defer_all = True                     every RCPT gets 451 until set back to False
    Sink(tls=(cert, key), auth={"u": "p"})    STARTTLS required, then AUTH required (PLAIN/LOGIN)
    Sink(port=p)                              listen on a port chosen earlier (crash tests)

aiosmtpd runs its own event loop thread (Controller); recording is guarded by a Condition.
"""
import dataclasses
import threading
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from .certs import server_context
from .net import LOOPBACK, free_port

# aiosmtpd 1.4 itself sets the deprecated Session.login_data; we read auth_data.
warnings.filterwarnings("ignore", message="Session.login_data is deprecated")


@dataclasses.dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    data: bytes
    tls: bool
    auth_user: str  # "" when not authenticated
    peer: str


@dataclasses.dataclass
class RcptSeen:
    address: str
    reply: str


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.sink._rcpt_reply(address)
        if reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return reply

    async def handle_DATA(self, server, session, envelope):
        auth = session.auth_data
        login = auth.login.decode() if isinstance(auth, LoginPassword) else ""
        msg = Received(
            mail_from=envelope.mail_from,
            rcpt_tos=list(envelope.rcpt_tos),
            data=envelope.original_content or envelope.content,
            tls=self.sink._implicit or session.ssl is not None,
            auth_user=login,
            peer=str(session.peer))
        self.sink._record(msg)
        return "250 2.0.0 Ok: recorded"


class Sink:
    def __init__(self, tls=None, auth=None, implicit_tls=False, defer_first_rcpts=0,
                 reject=(), ident="test-sink", port=None):
        """tls: (cert, key) to offer STARTTLS (required when auth is set, or implicit_tls).
        auth: {user: password}; when given, STARTTLS and AUTH are both required."""
        self.port = port  # None: a free port is chosen at start()
        self.messages = []
        self.rcpts = []
        self.defer_all = False
        self._defer_left = defer_first_rcpts
        self._reject = set(reject)
        self._cond = threading.Condition()
        self._tls = tls
        self._auth = dict(auth) if auth else None
        self._implicit = implicit_tls
        self._ident = ident
        self._controller = None

    # -- scripted replies (called on the sink's loop thread) --
    def _rcpt_reply(self, address):
        with self._cond:
            if address in self._reject:
                reply = "550 5.1.1 No such user here"
            elif self.defer_all or self._defer_left > 0:
                self._defer_left = max(0, self._defer_left - 1)
                reply = "451 4.3.0 Try again later"
            else:
                reply = "250 2.1.5 Ok"
            self.rcpts.append(RcptSeen(address, reply))
            self._cond.notify_all()
            return reply

    def _record(self, msg):
        with self._cond:
            self.messages.append(msg)
            self._cond.notify_all()

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and self._auth is not None
              and self._auth.get(auth_data.login.decode()) == auth_data.password.decode())
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    # -- awaiting --
    def wait_for_messages(self, count, timeout=30):
        """Blocks until at least `count` messages were recorded; returns them all."""
        return self._wait(lambda: len(self.messages) >= count, timeout,
                          f"{count} message(s) at sink :{self.port} (have {len(self.messages)})",
                          lambda: list(self.messages))

    def wait_for_rcpts(self, count, timeout=30):
        """Blocks until at least `count` RCPT commands were answered; returns them all."""
        return self._wait(lambda: len(self.rcpts) >= count, timeout,
                          f"{count} RCPT(s) at sink :{self.port} (have {len(self.rcpts)})",
                          lambda: list(self.rcpts))

    def _wait(self, ready, timeout, what, result):
        with self._cond:
            if not self._cond.wait_for(ready, timeout):
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            return result()

    # -- lifecycle --
    def start(self):
        kwargs = {"ident": self._ident}
        if self._tls and not self._implicit:
            kwargs["tls_context"] = server_context(*self._tls)
        if self._implicit:
            kwargs["ssl_context"] = server_context(*self._tls)
        if self._auth is not None:
            kwargs.update(require_starttls=not self._implicit, auth_required=True,
                          auth_require_tls=True, authenticator=self._authenticate)
        if self.port is None:
            self.port = free_port()
        self._controller = Controller(_Handler(self), hostname=LOOPBACK, port=self.port,
                                      **kwargs)
        self._controller.start()
        return self

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
