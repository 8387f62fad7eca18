from .analysis import CustomerAnalysis
from .jobs import AnalysisChunk, AnalysisJob
from .policies import ContactDecision, ContactPolicy
from .queue import Notification
from .usage import AICall

__all__ = [
    "AICall",
    "AnalysisChunk",
    "AnalysisJob",
    "ContactDecision",
    "ContactPolicy",
    "CustomerAnalysis",
    "Notification",
]
