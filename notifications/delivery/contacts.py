"""Customer contact details: the datasets carry none, so the demo derives safe placeholders.

Placeholder addresses can never reach a real person: `…@example.invalid`
(RFC 2606 reserves .invalid), +44 7700 900xxx (the range Ofcom reserves for
drama) and a push endpoint ARN in AWS account 000000000000, which does not exist.
Real details are set on CustomerContact (admin or an import of Customer
Contacts.csv). With ALLOW_PLACEHOLDER_CONTACTS off (production settings) a
placeholder is never sent to: the send is refused with a clear reason.
"""

from __future__ import annotations

from django.conf import settings

from customers.models import Customer, CustomerContact

BAD_FLAG = {"Email": "email_bad", "SMS": "phone_bad", "App Push": "push_bad"}
ADDRESS_FIELD = {"Email": "email", "SMS": "phone", "App Push": "push_endpoint_arn"}


def placeholder_email(customer: Customer) -> str:
    return f"{customer.customer_id.lower()}@example.invalid"


def placeholder_phone(customer: Customer) -> str:
    return f"+447700900{customer.pk % 1000:03d}"


def placeholder_push_endpoint(customer: Customer) -> str:
    # Account 000000000000 does not exist: SNS would refuse it, the outbox records it.
    return f"arn:aws:sns:eu-west-2:000000000000:endpoint/DEMO/sne-demo/{customer.customer_id}"


def contact_for(customer: Customer) -> CustomerContact:
    contact, _ = CustomerContact.objects.get_or_create(
        customer=customer,
        defaults={
            "email": placeholder_email(customer),
            "phone": placeholder_phone(customer),
            "push_endpoint_arn": placeholder_push_endpoint(customer),
            "is_placeholder": True,
        },
    )
    return contact


NO_REAL_ADDRESS = "no_real_address"  # the failure code a refused send records, so refusals can be counted


def no_real_address(customer: Customer, channel: str) -> str | None:
    """Why a message on `channel` cannot go to this customer's real address, or None if it can
    (read only: nothing is created). Phone calls are made by the agent and are not checked here."""
    if channel not in BAD_FLAG or settings.ALLOW_PLACEHOLDER_CONTACTS:
        return None
    contact = CustomerContact.objects.filter(customer=customer).first()
    if contact is None or not recipient(contact, channel):
        return f"No real {channel} address for this customer: import their details (Customer Contacts.csv)."
    if contact.is_placeholder:
        return (
            f"Only a demo placeholder {channel} address is on file for this customer: "
            "import their real details (Customer Contacts.csv) before sending."
        )
    return None


def recipient(contact: CustomerContact, channel: str) -> str:
    field = ADDRESS_FIELD.get(channel)
    return getattr(contact, field) if field else ""


def is_bad(contact: CustomerContact, channel: str) -> bool:
    flag = BAD_FLAG.get(channel)
    return bool(flag and getattr(contact, flag))


def mark_bad(contact: CustomerContact, channel: str, reason: str, *, address: str) -> bool:
    """After a bounce or a permanent refusal: no further attempts to `address`, the one that failed.

    Only while it is still the customer's address on that channel: a bounce can arrive days later,
    after an import or an agent has put a new address on file, and must not condemn the new one.
    """
    flag = BAD_FLAG.get(channel)
    if flag is None:
        return False
    if not CustomerContact.objects.filter(pk=contact.pk, **{ADDRESS_FIELD[channel]: address}).update(
        **{flag: True, "bad_reason": reason[:300]}
    ):
        return False
    setattr(contact, flag, True)
    contact.bad_reason = reason[:300]
    return True


def known_contact(customer: Customer) -> CustomerContact | None:
    """The stored contact row, read through the customer (select_related("customer__contact")), or None."""
    try:
        return customer.contact
    except CustomerContact.DoesNotExist:
        return None


def phone_to_call(customer: Customer) -> tuple[str, bool, bool]:
    """(number, is a demo placeholder, marked bad) for a call task; reads, never writes (unlike contact_for)."""
    contact = known_contact(customer)
    if contact is None:
        return placeholder_phone(customer), True, False
    return contact.phone, contact.is_placeholder, contact.phone_bad
