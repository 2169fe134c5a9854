"""Sending and finding mail in tests: SMTP clients, messages, maildirs."""
import email
import email.policy
import os
import smtplib
import uuid

from .certs import client_context_no_verify
from .net import LOOPBACK, wait_until


def make_message(mail_from, to, subject="test", body="Hello from the Postern tests.\r\n"):
    """RFC 5322 bytes with CRLF line ends and a unique Message-ID (returned too)."""
    msgid = f"<{uuid.uuid4().hex}@tests.postern.test>"
    text = (f"From: {mail_from}\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Message-ID: {msgid}\r\nDate: Mon, 01 Jan 2024 00:00:00 +0000\r\n"
            f"\r\n{body}")
    return text.encode(), msgid


def connect(port, tls="none", user=None, password=None, timeout=30):
    """An smtplib client: tls none | starttls | implicit; AUTH when `user` is given."""
    ctx = client_context_no_verify()
    if tls == "implicit":
        client = smtplib.SMTP_SSL(LOOPBACK, port, timeout=timeout, context=ctx)
    else:
        client = smtplib.SMTP(LOOPBACK, port, timeout=timeout)
    client.ehlo("client.tests.postern.test")
    if tls == "starttls":
        client.starttls(context=ctx)
        client.ehlo("client.tests.postern.test")
    if user is not None:
        client.login(user, password)
    return client


def submit(client, mail_from, rcpts, data):
    """One transaction; returns (code, text) of the reply to the end of DATA.

    Raises smtplib errors for refused MAIL/RCPT so a test sees exactly which step failed.
    """
    code, text = client.mail(mail_from)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, text, mail_from)
    for rcpt in rcpts:
        code, text = client.rcpt(rcpt)
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({rcpt: (code, text)})
    code, text = client.data(data)
    return code, text.decode(errors="replace")


def queue_id_from(reply_text):
    """The id in "2.0.0 Ok: queued as <id>" (the last word)."""
    return reply_text.strip().split()[-1]


def maildir_files(root):
    """Every delivered file (in any new/ or cur/ below root), sorted by path."""
    found = []
    for dirpath, _, files in os.walk(root):
        if os.path.basename(dirpath) in ("new", "cur"):
            found += [os.path.join(dirpath, f) for f in files]
    return sorted(found)


def wait_for_maildir(root, count, timeout=30):
    """Waits until at least `count` messages were delivered below root; returns their bytes."""
    files = wait_until(lambda: (lambda f: f if len(f) >= count else None)(maildir_files(root)),
                       timeout, f"{count} message(s) in maildir {root}")
    out = []
    for path in files:
        with open(path, "rb") as f:
            out.append(f.read())
    return out


def parse(data):
    return email.message_from_bytes(data, policy=email.policy.compat32)
