from .analysis import CustomerAnalysis
from .jobs import AnalysisJob
from .policies import ContactDecision, ContactPolicy
from .queue import Notification
from .usage import AICall

__all__ = ["AICall", "AnalysisJob", "ContactDecision", "ContactPolicy", "CustomerAnalysis", "Notification"]
