"""Check the Bedrock set-up before a run: `manage.py check_bedrock` and the admin's "Check connection".

In order, stopping at the first problem, which is reported as one sentence
naming the model and what to change:

1. credentials (the usual AWS chain) and region;
2. for each model the configured operations use (the bulk model for
   segmentation and prioritisation, the draft model for drafts): the control
   plane describes it (`GetInferenceProfile` for a profile id, then
   `GetFoundationModel` for the model behind it), it is not LEGACY, and it can
   be called on demand;
3. one small Converse call per model with the real prompt and tool schema,
   reporting latency, tokens and £ for the call.

Control-plane permissions are often narrower than invoke permissions, so a
refused lifecycle lookup is noted and the Converse call decides.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from notifications.analysis.analysts.base import AnalystMisconfigured, AnalystUnavailable, InvalidAnswer
from notifications.analysis.analysts.bedrock.analyst import BedrockAnalyst
from notifications.analysis.analysts.bedrock.catalogue import is_inference_profile, suggestion
from notifications.analysis.analysts.bedrock.client import make_control_client
from notifications.analysis.analysts.bedrock.errors import advice
from notifications.analysis.analysts.bedrock.pricing import base_model_id, prices_usd
from notifications.profiles.schemas import ActivitySnapshot, CallUsage, CustomerProfile, InteractionRecord

_REGION = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-\d$")
ROLES = {"segment": "segmentation", "prioritise": "prioritisation", "draft": "drafts"}


@dataclass
class ModelCheck:
    model_id: str
    setting: str
    operations: list[str]
    lifecycle: str = ""  # ACTIVE | LEGACY | "" (not known)
    usage: CallUsage | None = None
    notes: list[str] = field(default_factory=list)
    problem: str = ""

    @property
    def role(self) -> str:
        return ", ".join(ROLES[op] for op in self.operations)


@dataclass
class Preflight:
    region: str
    credentials: str = ""  # where the credentials came from ("env", "iam-role", …)
    models: list[ModelCheck] = field(default_factory=list)
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem and all(not m.problem for m in self.models)

    @property
    def sentence(self) -> str:
        return self.problem or next((m.problem for m in self.models if m.problem), "")


def sample_profile(today: dt.date) -> CustomerProfile:
    """A made-up, price-conscious customer: enough for every prompt, nobody's data."""
    since = dt.datetime.combine(today - dt.timedelta(days=20), dt.time(10), tzinfo=dt.UTC)
    return CustomerProfile(
        customer_pk=0, customer_id="PREFLIGHT", name="Alex Example", age=41, location="Leeds",
        preferred_channel="Email", source_segment="Engaged", opted_in=True, income_bracket="Low",
        customer_since=today.replace(year=today.year - 5), satisfaction_score=6,
        activity=ActivitySnapshot(
            account_status="Active", last_transaction="Bill Payment", last_login=since,
            recent_activity="Viewed tariff comparison", engagement_score=50, account_tenure_years=Decimal("5"),
            subscription_type="Basic", churn_risk_score=Decimal("55"),
        ),
        interactions=(InteractionRecord(
            channel="Email", occurred_at=since, interaction_type="Query", sentiment="Neutral",
            summary="Asked whether a cheaper tariff is available.", response_time_minutes=30,
            resolution_status="Resolved", agent_id="AG-1",
        ),),
        interactions_total=1,
    )  # fmt: skip


def run_preflight(analyst: BedrockAnalyst | None = None, control: Any = None) -> Preflight:
    """Check what a Bedrock job would use (`BedrockAnalyst.from_settings()` unless given)."""
    region = settings.AWS_REGION or ""
    report = Preflight(region=region)
    if not _REGION.match(region):
        report.problem = f"AWS_REGION {region!r} is not an AWS region: set it to the region where your Bedrock "
        report.problem += "models are enabled, e.g. eu-west-2."
        return report
    if analyst is None:
        credentials = boto3.Session(region_name=region).get_credentials()
        if credentials is None:
            report.problem = advice("NoCredentials", "", model_id="Bedrock", region=region, setting="")
            return report
        report.credentials = credentials.method
        analyst = BedrockAnalyst.from_settings()
    control = control or make_control_client(region=region)
    for check in _model_checks(analyst, settings.BEDROCK_OPERATIONS):
        report.models.append(check)
        _describe(check, control, region)
        if not check.problem:
            _converse(check, analyst, region)
        if check.problem:
            break
    return report


def _model_checks(analyst: BedrockAnalyst, operations: list[str]) -> list[ModelCheck]:
    checks: dict[str, ModelCheck] = {}
    for op in ("segment", "prioritise", "draft"):
        if op in operations:
            model = analyst.models[op]
            checks.setdefault(model, ModelCheck(model, analyst.setting_names.get(op, "BEDROCK_MODEL_ID"), []))
            checks[model].operations.append(op)
    return list(checks.values())


def _describe(check: ModelCheck, control: Any, region: str) -> None:
    """Lifecycle and on-demand support from the control plane."""
    try:
        base = check.model_id
        if is_inference_profile(check.model_id):
            profile = control.get_inference_profile(inferenceProfileIdentifier=check.model_id)
            arns = [m["modelArn"] for m in profile.get("models", [])]
            base = base_model_id(arns[0]) if arns else base_model_id(check.model_id)
        details = control.get_foundation_model(modelIdentifier=base)["modelDetails"]
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code, message = error.get("Code", ""), error.get("Message", "")
        if code == "AccessDeniedException":  # may describe nothing, may still invoke: the call decides
            check.notes.append("lifecycle not checked: these credentials may not read the Bedrock control plane")
        elif exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) in (400, 403, 404):
            check.problem = advice(code, message, model_id=check.model_id, region=region, setting=check.setting)
        else:
            check.notes.append(f"lifecycle not checked: {code or exc}")
        return
    except BotoCoreError as exc:
        check.notes.append(f"lifecycle not checked: {exc}")
        return
    lifecycle = details.get("modelLifecycle", {})
    check.lifecycle = lifecycle.get("status", "")
    if check.lifecycle == "LEGACY":
        end = lifecycle.get("endOfLifeTime")
        when = f", end of life {end:%d %B %Y}" if isinstance(end, dt.datetime) else ""
        current = suggestion(check.setting, region)
        if base_model_id(current) == base_model_id(check.model_id):
            current = "the newest one in the Bedrock console's model catalogue"
        check.problem = f"Model {check.model_id} is LEGACY in {region}{when}: set {check.setting} to a current model"
        check.problem += f" such as {current}."
    elif not is_inference_profile(check.model_id) and "ON_DEMAND" not in (kinds := details.get(
        "inferenceTypesSupported", [])):  # fmt: skip
        said = f"Bedrock offers it through {' and '.join(kinds) or 'no inference type'} only"
        check.problem = advice("ValidationException", "on-demand throughput isn't supported", model_id=check.model_id,
                               region=region, setting=check.setting, said=said)  # fmt: skip


def _converse(check: ModelCheck, analyst: BedrockAnalyst, region: str) -> None:
    """One real call, on this model's first operation, with the real prompt and tool schema."""
    operation = check.operations[0]
    profile = sample_profile(analyst.today)
    analysis = analyst.offline.prioritise(profile) if operation == "draft" else None
    try:
        check.usage, problems = analyst.probe(operation, profile, analysis)
    except AnalystMisconfigured as exc:
        check.problem = str(exc)
        return
    except (AnalystUnavailable, InvalidAnswer) as exc:
        check.problem = (
            f"Bedrock did not answer a test call to {check.model_id} in {region} ({exc}): try again, and if it "
            "persists check BEDROCK_ENDPOINT_URL and this server's network access to Bedrock."
        )
        return
    if problems:
        check.notes.append(f"the test answer did not fit the schema ({problems[0]}); jobs retry once, then use "
                           "the offline result")  # fmt: skip
    if prices_usd(check.model_id) is None:
        check.notes.append("no price for this model in BEDROCK_PRICES_USD_PER_MTOK: its calls will count as £0 "
                           "against the budget until you add one")  # fmt: skip


def describe(check: ModelCheck) -> str:
    """One line per model, for check_bedrock and the admin's "Check connection"."""
    # "Model …" first: the admin capitalises a message's first letter, which would garble "eu.anthropic…".
    line = f"Model {check.model_id} ({check.setting}; {check.role}): {check.lifecycle or 'lifecycle unknown'}"
    if (u := check.usage) is not None:
        line += (
            f"; test call {u.latency_ms:,} ms, {u.input_tokens:,} input + {u.output_tokens:,} output tokens"
            f" (cache read {u.cache_read_tokens:,}, write {u.cache_write_tokens:,}), £{u.cost_gbp:.4f} per call"
        )
    return line + "".join(f"; {note}" for note in check.notes)


def report_lines(report: Preflight) -> list[str]:
    lines = [f"Region {report.region}; AWS credentials from {report.credentials}."] if report.credentials else []
    return lines + [describe(check) for check in report.models]
