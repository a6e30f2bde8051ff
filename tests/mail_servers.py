"""Real mail servers on loopback for the email tests, started by the tests themselves:
Debian's dovecot (IMAP, STARTTLS with a certificate of a test CA, mailboxes in a temporary
folder) and aiosmtpd (SMTP with STARTTLS and sign-in, keeping every mail it accepts).

Mail reaches a mailbox the way a mail server delivers it: appended by IMAP as the raw RFC 5322
bytes. `make test` installs dovecot when it is missing (`scripts/test.sh`); without it these
tests fail, never skip.
"""

from __future__ import annotations

import imaplib
import itertools
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
MAIL_USER = "mail"  # Debian's system user for mail: the mailboxes' owner
PASSWORD = "mail-secret-1"


USERS = 500


def mailbox_user(number: int) -> str:
    return f"help{number}@shop.test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dovecot ended: {log.read_text() if log.exists() else ''}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("dovecot did not start listening")


@dataclass
class Tls:
    folder: Path
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""

    def __post_init__(self) -> None:
        ca = trustme.CA()
        cert = ca.issue_cert("localhost", "127.0.0.1")
        self.ca_file, self.cert_file, self.key_file = (
            str(self.folder / name) for name in ("ca.pem", "cert.pem", "key.pem")
        )
        ca.cert_pem.write_to_path(self.ca_file)
        cert.cert_chain_pems[0].write_to_path(self.cert_file)
        cert.private_key_pem.write_to_path(self.key_file)

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


@dataclass
class Dovecot:
    folder: Path
    tls: Tls
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    users: Path = field(init=False)

    def __post_init__(self) -> None:
        self.folder.chmod(0o755)  # dovecot's auth process (user dovecot) reads the users file
        self.users = self.folder / "users"
        # every mailbox the run may use, written once: dovecot caches the file by its mtime
        self.users.write_text(
            "".join(f"{user}:{{PLAIN}}{PASSWORD}\n" for user in map(mailbox_user, range(USERS)))
        )
        self.users.chmod(0o644)

    def start(self) -> None:
        self.port = free_port()
        for name in ("run", "state", "mail", "home"):
            (self.folder / name).mkdir(exist_ok=True)
        owner = pwd.getpwnam(MAIL_USER)  # dovecot keeps no mail as root
        for name in ("mail", "home"):
            os.chown(self.folder / name, owner.pw_uid, owner.pw_gid)
        log = self.folder / "dovecot.log"
        config = self.folder / "dovecot.conf"
        config.write_text(
            f"""
base_dir = {self.folder}/run
state_dir = {self.folder}/state
log_path = {log}
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{self.tls.cert_file}
ssl_key = <{self.tls.key_file}
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain login
disable_plaintext_auth = yes
first_valid_uid = 1
mail_location = maildir:{self.folder}/mail/%u
default_login_user = dovenull
default_internal_user = dovecot
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.users}
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={self.folder}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""
        )
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)])
        _wait_for_port(self.port, self.process, log)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def session(self, user: str) -> imaplib.IMAP4:
        box = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        box.starttls(ssl_context=self.tls.client_context())
        box.login(user, PASSWORD)
        return box

    def deliver(self, user: str, *mails: bytes) -> None:
        """Mail arrives in `user`'s inbox (unread), in this order."""
        box = self.session(user)
        try:
            for raw in mails:
                typ, data = box.append("INBOX", "", None, raw)
                assert typ == "OK", data
        finally:
            box.logout()

    def count(self, user: str) -> int:
        box = self.session(user)
        try:
            _typ, data = box.select("INBOX")
            return int(data[0] or 0)
        finally:
            box.logout()


class Capture:
    """aiosmtpd's handler: keeps what it accepts; refuses the recipients it is told to."""

    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []
        self.envelopes: list[Envelope] = []
        self.refuse: dict[str, str] = {}  # recipient: the SMTP answer, e.g. "550 no such user"

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(parsed, EmailMessage)
        self.mails.append(parsed)
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.mails) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.mails) >= count, f"{len(self.mails)} of {count} mails were sent"
        return list(self.mails)


def _authenticator(
    server: Any, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode().endswith("@shop.test")
        and auth_data.password.decode() == PASSWORD
    )
    return AuthResult(success=ok)


@dataclass
class Smtp:
    tls: Tls
    capture: Capture = field(default_factory=Capture)
    port: int = 0
    controller: Controller | None = None

    def start(self) -> None:
        self.port = free_port()
        self.controller = Controller(
            self.capture,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=self.tls.server_context(),
            require_starttls=True,
            authenticator=_authenticator,
            auth_require_tls=True,
            server_hostname="localhost",
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()


@dataclass
class MailServers:
    imap: Dovecot
    smtp: Smtp
    tls: Tls
    _numbers: Iterator[int] = field(default_factory=itertools.count)

    def mailbox(self) -> str:
        """A new mailbox (address and IMAP user) on the IMAP server."""
        number = next(self._numbers)
        assert number < USERS, "raise USERS in tests/mail_servers.py"
        return mailbox_user(number)

    def inbox_settings(self, address: str, **changes: Any) -> dict[str, Any]:
        """What an admin types into the email inbox form for `address`."""
        return {
            "address": address,
            "imap_host": "127.0.0.1",
            "imap_port": self.imap.port,
            "imap_user": address,
            "imap_password": PASSWORD,
            "imap_tls": True,
            "smtp_host": "127.0.0.1",
            "smtp_port": self.smtp.port,
            "smtp_user": address,
            "smtp_password": PASSWORD,
            "smtp_tls": True,
            **changes,
        }


@pytest.fixture(scope="session")
def mail_servers() -> Iterator[MailServers]:
    if not os.path.exists(DOVECOT):
        pytest.fail("dovecot is not installed: apt-get install dovecot-imapd (make test does)")
    folder = Path(tempfile.mkdtemp(prefix="helpdesk-mail-"))
    tls = Tls(folder)
    imap, smtp = Dovecot(folder, tls), Smtp(tls)
    imap.start()
    smtp.start()
    try:
        yield MailServers(imap=imap, smtp=smtp, tls=tls)
    finally:
        smtp.stop()
        imap.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def mail(mail_servers: MailServers, settings: Any) -> MailServers:
    """The servers, trusted by the helpdesk (their CA), with nothing captured yet."""
    settings.EMAIL_CA_FILE = mail_servers.tls.ca_file
    mail_servers.smtp.capture.mails.clear()
    mail_servers.smtp.capture.refuse.clear()
    return mail_servers
