"""Email through Django's email framework (EMAIL_BACKEND: file outbox in the demo, SMTP in production)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid

from notifications.delivery.backends.base import (
    DeliveryReceipt,
    OutgoingMessage,
    PermanentDeliveryError,
    TransientDeliveryError,
)


class EmailBackend:
    name = "email"

    @property
    def confirms_delivery(self) -> bool:
        # A file or memory outbox is the destination itself; SMTP only accepts, receipts come later.
        return "smtp" not in settings.EMAIL_BACKEND.lower()

    def send(self, message: OutgoingMessage) -> DeliveryReceipt:
        # Our own Message-ID is the provider message id: bounces and receipts quote it back.
        message_id = make_msgid(domain=settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or None)
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={"Message-ID": message_id, **message.headers},
            connection=get_connection(fail_silently=False),
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentDeliveryError(f"Recipient refused: {exc.recipients}", code="recipient_refused") from exc
        except smtplib.SMTPResponseException as exc:
            # 5xx is a permanent refusal by the server; 4xx is "try again later".
            error = PermanentDeliveryError if 500 <= exc.smtp_code < 600 else TransientDeliveryError
            raise error(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", code=str(exc.smtp_code)) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise TransientDeliveryError(f"Email server unavailable: {exc}", code="smtp_unavailable") from exc
        return DeliveryReceipt(provider=self.name, message_id=message_id.strip("<>"))
