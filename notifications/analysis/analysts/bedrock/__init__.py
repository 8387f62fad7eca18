"""The Bedrock analyst (`AI_PROVIDER=bedrock`): Claude on AWS Bedrock through the Converse API."""

from notifications.analysis.analysts.bedrock.analyst import BedrockAnalyst

__all__ = ["BedrockAnalyst"]
