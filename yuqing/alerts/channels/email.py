"""E-mail over SMTP (smtplib): plain text with an HTML alternative, Chinese subject (RFC 2047).

With ``settings.smtp.host`` empty, the message is written as an .eml file under
``<data_dir>/outbox/mail/<department>/`` instead. The ``Message-ID`` is derived from the
idempotency key and the key is also sent as ``X-Yuqing-Idempotency-Key``, so a mail system
(or a person) can drop the rare duplicate.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from yuqing.alerts.channels.base import (
    IDEMPOTENCY_HEADER,
    ChannelContext,
    Outgoing,
    PermanentError,
    SendResult,
    TransientError,
)
from yuqing.alerts.channels.file import file_name
from yuqing.alerts.messages import one_line
from yuqing.atomic import write_atomic
from yuqing.config.departments import EmailChannel


def build_email(
    out: Outgoing, sender: str, to: list[str], cc: list[str] | None = None
) -> EmailMessage:
    """The message, identical on every retry (its date is the payload's creation time)."""
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = one_line(out.rendered.subject)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    domain = sender.rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(out.key.encode()).hexdigest()[:32]
    msg["Message-ID"] = f"<{digest}@{domain}>"
    created = out.payload.get("created_at")
    try:
        when = datetime.fromisoformat(str(created)) if created else None
    except ValueError:
        when = None
    if when is not None and when.tzinfo is not None:
        msg["Date"] = format_datetime(when)
    msg[IDEMPOTENCY_HEADER] = out.key
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(out.rendered.text, subtype="plain", charset="utf-8")
    msg.add_alternative(out.rendered.html, subtype="html", charset="utf-8")
    if out.kind == "digest":  # issue 6: the digest's own HTML, charts inline (digest_mail.py)
        from yuqing.alerts.digest_mail import set_digest_body

        set_digest_body(msg, out.payload.get("digest") or {})
    return msg


class EmailSender:
    def __init__(self, channel: EmailChannel, ctx: ChannelContext) -> None:
        self.channel = channel
        self.ctx = ctx

    def send(self, out: Outgoing) -> SendResult:
        smtp = self.ctx.settings.smtp
        msg = build_email(out, smtp.sender, self.channel.to, self.channel.cc)
        if not smtp.host:
            path = self.ctx.data_dir / "outbox" / "mail" / out.department_code
            path = path / file_name(out.key, ".eml")
            try:
                write_atomic(path, msg.as_bytes())
            except OSError as exc:
                raise TransientError(f"cannot write {path}: {exc.strerror or exc}") from exc
            return SendResult(detail=str(path))
        return self._smtp(msg)

    def _smtp(self, msg: EmailMessage) -> SendResult:
        smtp = self.ctx.settings.smtp
        where = f"SMTP {smtp.host}:{smtp.port}"
        timeout = smtp.timeout_seconds
        recipients = [*self.channel.to, *self.channel.cc]
        try:
            client: smtplib.SMTP
            if smtp.ssl:
                context = ssl.create_default_context()
                client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=timeout, context=context)
            else:
                client = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout)
            with client:
                if smtp.starttls and not smtp.ssl:
                    client.starttls(context=ssl.create_default_context())
                if smtp.username:
                    if not self.ctx.smtp_password:
                        raise PermanentError(
                            f"{where}: username set but YUQING_SMTP_PASSWORD is not"
                        )
                    client.login(smtp.username, self.ctx.smtp_password)
                refused = client.send_message(msg, from_addr=smtp.sender, to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(
                f"{where}: all recipients refused: {_refusals(exc.recipients)}"
            ) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentError(
                f"{where}: authentication failed ({exc.smtp_code})", exc.smtp_code
            ) from exc
        except smtplib.SMTPResponseException as exc:
            text = (
                exc.smtp_error.decode(errors="replace")
                if isinstance(exc.smtp_error, bytes)
                else str(exc.smtp_error)
            )
            message = f"{where}: {exc.smtp_code} {text}"
            if 400 <= exc.smtp_code < 500:
                raise TransientError(message, exc.smtp_code) from exc
            raise PermanentError(message, exc.smtp_code) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientError(f"{where}: {type(exc).__name__}: {exc}") from exc
        detail = f"sent to {len(recipients) - len(refused)} recipient(s)"
        if refused:
            detail += f"; refused: {_refusals(refused)}"
        return SendResult(status_code=250, detail=detail)


def _refusals(recipients: dict[str, tuple[int, bytes]]) -> str:
    return ", ".join(f"{addr} ({code})" for addr, (code, _msg) in sorted(recipients.items()))
