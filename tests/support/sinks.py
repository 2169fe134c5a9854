"""SMTP sinks for tests: aiosmtpd servers on 127.0.0.1 that record every message.

A sink plays the remote MX or the relay host. It records each accepted message (envelope,
bytes, whether TLS was up, the AUTH login) and every RCPT it saw with the reply it gave, and
lets a test await "N messages arrived" without sleeping. Replies are scriptable:

    Sink(defer_first_rcpts=1)                 first RCPT gets 451 4.3.0, later ones 250
    Sink(reject={"bad@remote.test"})          that recipient gets 550 5.1.1
    sink.defer_all = True                     every RCPT gets 451 until set back to False
    Sink(tls=(cert, key), auth={"u": "p"})    STARTTLS required, then AUTH required (PLAIN/LOGIN)
    Sink(port=p)                              listen on a port chosen earlier (crash tests)

More control, keyword-only (the C++ unit tests' fixture, `python3 tests/support smtp-sink`, is
built from these):

    Sink(mail_reply=f, rcpt_reply=f, data_reply=f)   f(address or bytes) -> reply to refuse
                                              with, or None to go on as usual
    Sink(ehlo=False)                          EHLO answered 502 5.5.1: clients fall back to HELO
    Sink(extensions=["PIPELINING"])           extra EHLO keywords to advertise
    Sink(require_starttls=False, require_auth=False)   override what auth= implies
    Sink(exclude_auth=["PLAIN"])              offer only the other mechanisms
    Sink(max_size=n, server_name="mx.test")   SIZE limit; the name in the banner and EHLO
    Sink(on_message=f)                        f(Received), called as each message is recorded

aiosmtpd runs its own event loop thread (Controller); recording is guarded by a Condition, and
every hook above runs on that thread.
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
    mail_options: list = dataclasses.field(default_factory=list)  # MAIL FROM parameters
    peer_port: int = 0


@dataclasses.dataclass
class RcptSeen:
    address: str
    reply: str


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname  # this hook's duty in aiosmtpd 1.4
        if not self.sink._ehlo:
            return ["502 5.5.1 EHLO not implemented"]
        for keyword in self.sink._extensions:  # before the last line ("250 HELP")
            responses.insert(len(responses) - 1, "250-" + keyword)
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.sink._mail_reply is not None:
            refusal = self.sink._mail_reply(address)
            if refusal is not None:
                return refusal
        # What aiosmtpd does without this hook.
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.sink._rcpt_reply(address)
        if reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return reply

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        if self.sink._data_reply is not None:
            refusal = self.sink._data_reply(data)
            if refusal is not None:
                return refusal
        auth = session.auth_data
        login = auth.login.decode() if isinstance(auth, LoginPassword) else ""
        msg = Received(
            mail_from=envelope.mail_from,
            rcpt_tos=list(envelope.rcpt_tos),
            data=data,
            tls=self.sink._implicit or session.ssl is not None,
            auth_user=login,
            peer=str(session.peer),
            mail_options=list(envelope.mail_options),
            peer_port=session.peer[1])
        self.sink._record(msg)
        return "250 2.0.0 Ok: recorded"


class Sink:
    def __init__(self, tls=None, auth=None, implicit_tls=False, defer_first_rcpts=0,
                 reject=(), ident="test-sink", port=None, *, mail_reply=None, rcpt_reply=None,
                 data_reply=None, ehlo=True, extensions=(), require_starttls=None,
                 require_auth=None, exclude_auth=(), max_size=None, server_name=None,
                 on_message=None):
        """tls: (cert, key) to offer STARTTLS (required when auth is set, or implicit_tls).
        auth: {user: password}; when given, STARTTLS and AUTH are both required unless
        require_starttls / require_auth say otherwise. The rest: see the module docstring."""
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
        self._mail_reply = mail_reply
        self._rcpt_hook = rcpt_reply
        self._data_reply = data_reply
        self._ehlo = ehlo
        self._extensions = list(extensions)
        self._require_starttls = require_starttls
        self._require_auth = require_auth
        self._exclude_auth = list(exclude_auth)
        self._max_size = max_size
        self._server_name = server_name
        self._on_message = on_message
        self._controller = None

    # -- scripted replies (called on the sink's loop thread) --
    def _rcpt_reply(self, address):
        with self._cond:
            refusal = self._rcpt_hook(address) if self._rcpt_hook is not None else None
            if refusal is not None:
                reply = refusal
            elif address in self._reject:
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
        if self._on_message is not None:
            self._on_message(msg)

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
        if self._server_name is not None:
            kwargs["server_hostname"] = self._server_name
        if self._max_size is not None:
            kwargs["data_size_limit"] = self._max_size
        if self._tls and not self._implicit:
            kwargs["tls_context"] = server_context(*self._tls)
        if self._implicit:
            kwargs["ssl_context"] = server_context(*self._tls)
        require_starttls = self._require_starttls
        if require_starttls is None:
            require_starttls = self._auth is not None and not self._implicit
        if require_starttls:
            kwargs["require_starttls"] = True
        if self._auth is not None:
            require_auth = self._require_auth if self._require_auth is not None else True
            # AUTH only over TLS. aiosmtpd counts only STARTTLS as TLS, so with implicit TLS
            # (already encrypted) its own check is off, or it would never offer AUTH.
            kwargs.update(auth_required=require_auth, auth_require_tls=not self._implicit,
                          authenticator=self._authenticate)
            if self._exclude_auth:
                kwargs["auth_exclude_mechanism"] = self._exclude_auth
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
