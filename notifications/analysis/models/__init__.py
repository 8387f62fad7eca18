from notifications.analysis.models.analysis import CustomerAnalysis
from notifications.analysis.models.decisions import ContactDecision
from notifications.analysis.models.jobs import AnalysisChunk, AnalysisJob
from notifications.analysis.models.provider import ProviderSettings
from notifications.analysis.models.usage import AICall

__all__ = ["AICall", "AnalysisChunk", "AnalysisJob", "ContactDecision", "CustomerAnalysis", "ProviderSettings"]
