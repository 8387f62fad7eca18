from .analysis import CustomerAnalysis
from .delivery import ConsentChange, CustomerContact, Delivery, NotificationEvent, ProviderReceipt
from .jobs import AnalysisChunk, AnalysisJob
from .policies import ContactDecision, ContactPolicy
from .queue import Notification
from .usage import AICall

__all__ = [
    "AICall",
    "AnalysisChunk",
    "AnalysisJob",
    "ContactDecision",
    "ConsentChange",
    "ContactPolicy",
    "CustomerContact",
    "CustomerAnalysis",
    "Delivery",
    "Notification",
    "NotificationEvent",
    "ProviderReceipt",
]
