"""Email transports: SMTP (`COFINANCE_SMTP_URL`) or `.eml` files under the data folder.

The SMTP URL says everything about the connection:

- `smtp://relay.example.org` — plain SMTP on port 25 (a relay on the local network);
- `smtp://user:password@smtp.example.org:587?starttls=1` — STARTTLS, then login (the usual
  submission port);
- `smtps://user:password@smtp.example.org` — implicit TLS (port 465 by default).

Query parameters: `starttls=1` (required STARTTLS), `timeout=SECONDS`, `cafile=PATH` (a private
certificate authority, for a relay with its own certificate), `helo=NAME`. User and password are
percent-encoded (`%40` for `@`). Certificates are always verified.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import Message
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

_TRUE = {"1", "true", "yes", "on", "required"}
_FALSE = {"0", "false", "no", "off", ""}
_KNOWN = {"starttls", "timeout", "cafile", "helo"}


class DeliveryError(Exception):
    """A message could not be delivered. `permanent`: retrying the same message cannot help."""

    def __init__(self, detail: str, *, permanent: bool = False, connection: bool = False) -> None:
        super().__init__(detail)
        self.permanent = permanent
        # The server could not be reached or refused us: the next messages will fail the same way.
        self.connection = connection


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # "plain" | "starttls" | "tls"
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    cafile: str | None = None
    helo: str | None = None

    @classmethod
    def from_url(cls, url: str, timeout: float = 30.0) -> SmtpConfig:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"SMTP URL: scheme must be smtp or smtps, not {parts.scheme!r}")
        if not parts.hostname:
            raise ValueError("SMTP URL: no host")
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        unknown = sorted(set(query) - _KNOWN)
        if unknown:
            raise ValueError(f"SMTP URL: unknown parameter(s) {', '.join(unknown)}")
        starttls = query.get("starttls", "0").lower()
        if starttls not in _TRUE | _FALSE:
            raise ValueError("SMTP URL: starttls must be 1 or 0")
        if parts.scheme == "smtps":
            if starttls in _TRUE:
                raise ValueError("SMTP URL: smtps:// is TLS already; starttls applies to smtp://")
            security, default_port = "tls", 465
        else:
            security = "starttls" if starttls in _TRUE else "plain"
            default_port = 25
        try:
            port = parts.port or default_port
        except ValueError as exc:
            raise ValueError(f"SMTP URL: {exc}") from None
        if "timeout" in query:
            try:
                timeout = float(query["timeout"])
            except ValueError:
                raise ValueError("SMTP URL: timeout must be a number of seconds") from None
        return cls(
            host=parts.hostname,
            port=port,
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            timeout=timeout,
            cafile=query.get("cafile") or None,
            helo=query.get("helo") or None,
        )

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cafile)

    def redacted(self) -> str:
        who = f"{self.username}:***@" if self.username else ""
        return f"{self.security} {who}{self.host}:{self.port}"


class Transport(Protocol):
    def send(self, message: Message, name: str) -> None: ...

    def close(self) -> None: ...


class EmlTransport:
    """The embedded default: each message written atomically as `<name>.eml` in a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: Message, name: str) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self.folder / f"{name}.eml"
            temporary = target.with_suffix(".tmp")
            temporary.write_bytes(bytes(message))
            temporary.replace(target)
        except OSError as exc:
            raise DeliveryError(f"cannot write {name}.eml: {exc}", connection=True) from exc

    def close(self) -> None:
        pass


class SmtpTransport:
    """One SMTP connection, opened on the first message and reused for the next ones."""

    def __init__(self, config: SmtpConfig, envelope_from: str) -> None:
        self.config = config
        self.envelope_from = parseaddr(envelope_from)[1] or envelope_from
        self._client: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        client: smtplib.SMTP
        try:
            if config.security == "tls":
                client = smtplib.SMTP_SSL(
                    config.host,
                    config.port,
                    local_hostname=config.helo,
                    timeout=config.timeout,
                    context=config.tls_context(),
                )
            else:
                client = smtplib.SMTP(
                    config.host, config.port, local_hostname=config.helo, timeout=config.timeout
                )
            try:
                client.ehlo()
                if config.security == "starttls":
                    client.starttls(context=config.tls_context())
                    client.ehlo()
                if config.username:
                    client.login(config.username, config.password or "")
            except BaseException:
                _quietly_close(client)
                raise
        except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
            # Unreachable, TLS or login refused: a matter of configuration or of the server,
            # never of one message, so it is retried (and shown to the administrator).
            raise DeliveryError(
                f"SMTP {config.redacted()}: {_describe(exc)}", connection=True
            ) from exc
        return client

    def send(self, message: Message, name: str) -> None:
        if self._client is None:
            self._client = self._connect()
        recipients = [parseaddr(r)[1] for r in message.get_all("To", [])]
        try:
            refused = self._client.send_message(
                message, from_addr=self.envelope_from, to_addrs=recipients
            )
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(
                f"recipient refused: {_describe(exc)}", permanent=all(c >= 500 for c in codes)
            ) from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise DeliveryError(_describe(exc), permanent=exc.smtp_code >= 500) from exc
        except (OSError, smtplib.SMTPException) as exc:
            # The connection broke: drop it, the next message opens a new one.
            self.close()
            raise DeliveryError(_describe(exc), connection=True) from exc
        if refused:
            raise DeliveryError(f"recipient refused: {refused}", permanent=True)

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            _quietly_close(client)


def _quietly_close(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
        return f"{exc.smtp_code} {text}"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
