"""The message a backend sends: exactly the approved text, plus what the channel needs.

Email gets a plain-text part (the approved body, the unsubscribe link for
marketing) and a simple HTML alternative (the same text escaped, a tracked
call-to-action link, the open pixel). Marketing email carries RFC 2369
`List-Unsubscribe` and RFC 8058 `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.html import escape, linebreaks

from notifications.delivery.backends import OutgoingMessage
from notifications.delivery.tracking import click_url, open_url
from notifications.delivery.unsubscribe import unsubscribe_url
from notifications.queue.models import Notification

CTA_TEXT = "View your account"


def compose(n: Notification, to: str) -> OutgoingMessage:
    marketing = n.kind == "marketing"
    if n.channel != "Email":
        return OutgoingMessage(n.pk, n.channel, to, n.subject, n.body, marketing)
    text = n.body.rstrip()
    headers: dict[str, str] = {}
    unsubscribe = ""
    if marketing:
        unsubscribe = unsubscribe_url(n.customer_id, n.pk, n.channel)
        text += f"\n\nUnsubscribe from marketing emails: {unsubscribe}"
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    text += f"\n\n{CTA_TEXT}: {settings.ACCOUNT_URL}"
    html = _html(n, unsubscribe)
    return OutgoingMessage(n.pk, n.channel, to, n.subject, text + "\n", marketing, html=html, headers=headers)


def _html(n: Notification, unsubscribe: str) -> str:
    cta = escape(click_url(n.pk, settings.ACCOUNT_URL))
    parts = [
        '<!doctype html><html lang="en-GB"><body style="font-family:Arial,sans-serif;line-height:1.5">',
        linebreaks(escape(n.body)),  # the agent's text, escaped: never HTML from a draft
        f'<p><a href="{cta}">{CTA_TEXT}</a></p>',
    ]
    if unsubscribe:
        parts.append(
            f'<p style="font-size:12px;color:#555"><a href="{escape(unsubscribe)}">Unsubscribe</a> '
            "from marketing emails. One click, no login.</p>"
        )
    parts.append(f'<img src="{escape(open_url(n.pk))}" width="1" height="1" alt="">')
    parts.append("</body></html>")
    return "\n".join(parts)
