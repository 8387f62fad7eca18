"""British-English message templates: situation × channel (and a call script for Phone).

House style: warm, plain, specific; first name in the greeting; one clear next
step; signed by the team, never by an invented person; no figures that are not
the customer's own (placeholders only); no numbered lists (a number that is
not in the customer's data would fail the grounding check); straight quotes
and hyphens so SMS stays in the GSM-7 alphabet. Service messages carry no
offers at all (PECR); payment-difficulty messages offer help, never products
(SLC 27.5). Marketing messages end with the channel's opt-out line, which
drafting.py appends.

Placeholders: {hello} greeting with first name, {full} full name, {date} the
date of the event we are writing about, {since_year}, {plan} (Basic, Premium,
Green), {green_topic}.
"""

from __future__ import annotations

SIGN_OFF = "Kind regards,\nThe Customer Care team"

TEMPLATES: dict[str, dict[str, str]] = {
    "retention": {
        "subject": "Your complaint from {date}",
        "Email": (
            "{hello}\n\n"
            "I'm getting in touch about the complaint you raised with us on {date}. I'm sorry it still hasn't been "
            "put right. That isn't the service you should expect from us, and I'd like to change that.\n\n"
            "A member of our team will take ownership of it from here, look into what has happened so far and keep "
            "you updated until it's resolved. You won't need to explain it all again.\n\n"
            "If there's anything you'd like to add, or a good time for us to call, just reply to this email.\n\n"
            f"{SIGN_OFF}"
        ),
        "SMS": (
            "{hello} this is the Customer Care team. We're sorry your complaint from {date} hasn't been resolved "
            "yet. We'd like to put it right: reply with a good time and one of our team will call you."
        ),
        "App Push": "{hi} we're sorry your complaint from {date} is still open. We'd like to put it right - tap to "
        "choose a good time for us to call.",
        "Phone": (
            "Call script: following up an open complaint (service call - no offers)\n"
            "- Ask to speak to {full}.\n"
            "- Give your name and say you're calling from the Customer Care team.\n"
            "- \"I'm calling about the complaint you raised on {date}. I'm sorry it hasn't been resolved yet.\"\n"
            "- Listen first: ask what has happened since, and what would put it right for them.\n"
            "- Agree one next step, who owns it and when they'll hear from us.\n"
            "- Close: thank them, and check how they'd like to be kept updated."
        ),
    },
    "retention_checkin": {
        "subject": "How are things with your account, {first}?",
        "Email": (
            "{hello}\n\n"
            "You've been with us since {since_year}, and we'd like to make sure we're getting things right for you. "
            "If anything about your account, your bills or our service isn't working as it should, we want to hear "
            "about it and put it right.\n\n"
            "Just reply to this email with what's on your mind, or let us know a good time to call, and one of our "
            "team will pick it up personally.\n\n"
            f"{SIGN_OFF}"
        ),
        "SMS": (
            "{hello} this is the Customer Care team. We'd like to make sure everything with your account is "
            "working as it should. If anything isn't, reply to tell us and one of our team will call to put it right."
        ),
        "App Push": "{hi} is everything with your account working as it should? If not, tap to tell us and we'll "
        "put it right.",
        "Phone": (
            "Call script: customer care check-in (service call - no offers)\n"
            "- Ask to speak to {full}.\n"
            "- Give your name and say you're calling from the Customer Care team.\n"
            '- "You\'ve been with us since {since_year}, and we want to check things are working well for you."\n'
            "- Ask open questions about their bills, account and any recent contact with us; listen.\n"
            "- If something is wrong, own it: agree the fix, who does it and by when.\n"
            "- Close: thank them for their time."
        ),
    },
    "billing_support": {
        "subject": "Your bill query from {date}",
        "Email": (
            "{hello}\n\n"
            "Thank you for contacting us about your bill on {date}. I can see your query hasn't been fully resolved "
            "yet, and I'm sorry for the wait.\n\n"
            "We'd like to go through it with you: we'll check your meter readings and the charges on your bill, "
            "explain each one, and correct anything that's wrong.\n\n"
            "If you have a recent meter reading, please include it when you reply. It helps us make sure your bill "
            "is based on what you've actually used rather than an estimate.\n\n"
            "Just reply to this email, or let us know a good time to call.\n\n"
            f"{SIGN_OFF}"
        ),
        "SMS": (
            "{hello} this is the Customer Care team about your bill query from {date}. Sorry it's still open. "
            "We'd like to go through your bill and meter readings with you and correct anything that's wrong. "
            "Reply with a good time to call."
        ),
        "App Push": "{hi} your bill query from {date} is still open. We'd like to go through it with you - tap to "
        "choose a time for a call.",
        "Phone": (
            "Call script: open bill query (service call - no offers)\n"
            "- Ask to speak to {full}.\n"
            "- Give your name and say you're calling from the Customer Care team.\n"
            "- \"I'm calling about the bill query you raised on {date}. I'm sorry it's taken this long.\"\n"
            "- Go through the bill line by line; check the meter readings and replace any estimate with an actual "
            "reading.\n"
            "- Confirm any correction or refund, and when they'll see it.\n"
            "- Close: send a written summary and check they're happy the query is resolved."
        ),
    },
    "payment_difficulty": {
        "subject": "Help with paying for your energy",
        "Email": (
            "{hello}\n\n"
            "We're getting in touch because we want to make sure paying for your energy is manageable for you. If "
            "money is tight at the moment, you're not alone, and we can help.\n\n"
            "Depending on what suits you, we can:\n"
            "- agree a payment plan based on what you can afford\n"
            "- change your payment date or payment method\n"
            "- check whether you can get extra support, such as grants or our Priority Services Register\n\n"
            "There's nothing to sign up to and no pressure. Free, independent advice is also available from "
            "Citizens Advice and StepChange.\n\n"
            "If you'd like to talk it through, just reply to this email or call us on the number on your bill.\n\n"
            f"{SIGN_OFF}"
        ),
        "SMS": (
            "{hello} this is the Customer Care team. If paying for your energy is difficult at the moment, we can "
            "help, for example with a payment plan based on what you can afford. No pressure: reply to this message "
            "or call the number on your bill and we'll talk it through."
        ),
        "App Push": "{hi} if paying for your energy is hard right now, we can help, for example with a payment plan "
        "you can afford. Tap to talk to us - no pressure.",
        "Phone": (
            "Call script: payment support (service call - help only, never sales)\n"
            "- Ask to speak to {full}.\n"
            "- Give your name and say you're calling from the Customer Care team.\n"
            '- "We want to make sure paying for your energy is manageable for you. How are you getting on?"\n'
            "- Listen without judgement. Go through income and outgoings together (Standard Financial Statement).\n"
            "- Offer a payment plan they can afford, a different payment date or method, and a check for grants "
            "and the Priority Services Register.\n"
            "- Mention free, independent advice from Citizens Advice or StepChange.\n"
            "- Close: confirm what was agreed in writing and book a check-in."
        ),
    },
    "engagement": {
        "subject": "Managing your account, your way",
        "Email": (
            "{hello}\n\n"
            "A short note to make sure you're getting the most from your {plan} account. In your online account you "
            "can check your usage, see your bills and send meter readings whenever it suits you.\n\n"
            "If you'd prefer to hear from us less often, or by a different channel, reply to this email and we'll "
            "update your preferences.\n\n"
            f"{SIGN_OFF}"
        ),
        "SMS": (
            "{hello} a quick note from the Customer Care team: you can check your usage, see your bills and send "
            "meter readings in your online account whenever it suits you."
        ),
        "App Push": "{hi} you can check your usage, see your bills and send meter readings in the app whenever it "
        "suits you.",
        "Phone": (
            "Call script: account check-in (marketing call)\n"
            "- Ask to speak to {full}.\n"
            "- Give your name and say you're calling from the Customer Care team.\n"
            "- Check their contact details and how they'd like to hear from us.\n"
            "- Offer to show them how to check usage, see bills and send meter readings online.\n"
            "- Keep it short; if they're not interested, thank them and end the call."
        ),
    },
    "tariff_value": {
        "subject": "{first}, is your tariff still right for you?",
        "Email": (
            "{hello}\n\n"
            "You've been with us since {since_year}, and we'd like to make sure you're on the best tariff for the "
            "way you use energy.\n\n"
            "If you'd like, we'll compare your {plan} plan with our current tariffs using your own usage, and send "
            "you the figures, including any exit fees, so you can decide in your own time. There's no obligation to "
            "change.\n\n"
            "Just reply to this email to ask for your tariff review.\n\n"
            f"{SIGN_OFF}"
        ),
        "SMS": (
            "{hello} you've been with us since {since_year}. Would you like us to check whether another tariff "
            "would suit your usage better than your {plan} plan? There's no obligation: reply YES for a tariff "
            "review."
        ),
        "App Push": "{hi} could another tariff suit you better than your {plan} plan? Tap for a no-obligation "
        "tariff review.",
        "Phone": (
            "Call script: tariff review (marketing call)\n"
            "- Ask to speak to {full}.\n"
            "- Give your name and say you're calling from the Customer Care team.\n"
            "- \"You've been with us since {since_year}. Would you like us to check your tariff against your "
            'usage?"\n'
            "- If yes: compare their {plan} plan with current tariffs and give the real annual cost, including any "
            "exit fees.\n"
            "- Let them decide in their own time and send the figures in writing. No pressure to decide today."
        ),
    },
    "green_upgrade": {
        "subject": "Greener energy for your home, {first}",
        "Email": (
            "{hello}\n\n"
            "You've shown an interest in {green_topic}, so we thought you'd like to know about our Green plan, which "
            "matches the electricity you use with electricity from renewable sources.\n\n"
            "If you'd like, we'll compare it with your current {plan} plan using your own usage, so you can see what "
            "it would cost before deciding. There's no obligation to change.\n\n"
            "Just reply to this email and we'll send you the comparison.\n\n"
            f"{SIGN_OFF}"
        ),
        "SMS": (
            "{hello} you've shown an interest in {green_topic}. Our Green plan matches your electricity with "
            "renewable sources. Reply YES and we'll compare it with your {plan} plan using your own usage."
        ),
        "App Push": "{hi} interested in {green_topic}? Tap to compare our Green plan with your {plan} plan using "
        "your own usage.",
        "Phone": (
            "Call script: Green plan comparison (marketing call)\n"
            "- Ask to speak to {full}.\n"
            "- Give your name and say you're calling from the Customer Care team.\n"
            '- "You mentioned an interest in {green_topic}. Would you like to hear about our Green plan?"\n'
            "- If yes: compare it with their {plan} plan using their own usage; be clear about any difference in "
            "cost.\n"
            "- Send the comparison in writing and let them decide in their own time."
        ),
    },
}

# Words that showed green interest, turned into a phrase fit for a sentence.
GREEN_TOPICS = {
    "ev": "electric vehicles",
    "electric vehicle": "electric vehicles",
    "electric vehicles": "electric vehicles",
    "solar": "solar power",
    "wind": "wind power",
    "heat pump": "heat pumps",
    "heat pumps": "heat pumps",
    "carbon": "cutting your carbon footprint",
    "emissions": "cutting your carbon footprint",
    "renewable": "renewable energy",
    "renewables": "renewable energy",
    "insulation": "making your home more efficient",
    "smart export": "selling energy back to the grid",
}
DEFAULT_GREEN_TOPIC = "greener energy"
