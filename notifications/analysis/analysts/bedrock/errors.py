"""Bedrock's refusals of a configuration, turned into one sentence that says what to change.

Shared by the analyst (a job that meets one stops) and `check_bedrock` (which
looks for them before a run).
"""

from __future__ import annotations

from notifications.analysis.analysts.base import AnalystMisconfigured
from notifications.analysis.analysts.bedrock.catalogue import profile_for, suggestion

# Refusals that no retry fixes: the same request fails for every customer.
CONFIGURATION_CODES = frozenset(
    {
        "ValidationException",
        "AccessDeniedException",
        "ResourceNotFoundException",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "ExpiredTokenException",
        "IncompleteSignature",
        "MissingAuthenticationToken",
    }
)
CREDENTIAL_CODES = frozenset(CONFIGURATION_CODES - {"ValidationException", "AccessDeniedException",
                                                     "ResourceNotFoundException"})  # fmt: skip
# A ValidationException about one customer's request (too long for the model), not about the set-up:
# that customer's step falls back to the offline analyst and the job goes on.
PER_REQUEST_HINTS = ("too long", "too many tokens", "exceeds the maximum", "input length", "context window")


def is_configuration_error(code: str, message: str) -> bool:
    if code == "ValidationException":
        return not any(hint in message.lower() for hint in PER_REQUEST_HINTS)
    return code in CONFIGURATION_CODES


def advice(code: str, message: str, *, model_id: str, region: str, setting: str, said: str = "") -> str:
    """One sentence: which model, where, what Bedrock said (or `said`), and what to change."""
    said = said or (f'Bedrock said "{message.strip().rstrip(".")}"' if message else f"Bedrock answered {code}")
    lowered = message.lower()
    if code == "NoCredentials":
        return (
            f"No AWS credentials were found for calling {model_id} in {region}: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, or an IAM role) to an identity allowed to use Bedrock."
        )
    if code in CREDENTIAL_CODES:
        return (
            f"AWS refused the credentials calling {model_id} in {region} ({said}): set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, or an IAM role) to an identity allowed to use Bedrock."
        )
    if "on-demand throughput" in lowered:
        return (
            f"Model {model_id} cannot be called on demand in {region} ({said}): set {setting} to its inference "
            f"profile {profile_for(model_id, region)}."
        )
    if code == "ValidationException" and "model identifier is invalid" in lowered:
        return (
            f"Bedrock in {region} does not recognise model {model_id}, which is retired or misspelt ({said}): "
            f"set {setting} to a current one such as {suggestion(setting, region)}."
        )
    if code == "AccessDeniedException":
        return (
            f"These AWS credentials may not call model {model_id} in {region} ({said}): enable access to the "
            "model in the Bedrock console (Model access) and allow bedrock:InvokeModel on the model and, for an "
            "inference profile, on the profile, in IAM."
        )
    if code == "ResourceNotFoundException":
        return (
            f"Bedrock in {region} has no model or inference profile {model_id} ({said}): check {setting}, or set "
            "AWS_REGION to a region that offers it."
        )
    return f"Bedrock refused calls to model {model_id} in {region} ({said}): check {setting} and AWS_REGION."


def misconfigured(code: str, message: str, *, model_id: str, region: str, setting: str) -> AnalystMisconfigured:
    sentence = advice(code, message, model_id=model_id, region=region, setting=setting)
    return AnalystMisconfigured(sentence, model_id=model_id, region=region, code=code, message=message)
