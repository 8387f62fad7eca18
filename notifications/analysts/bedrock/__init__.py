"""The Bedrock analyst (`AI_PROVIDER=bedrock`): Claude on AWS Bedrock through the Converse API."""

from .analyst import BedrockAnalyst

__all__ = ["BedrockAnalyst"]
