"""The state machines of cofinance, as data: states, labels, tags and transitions."""

from workflows.agreement import AGREEMENT
from workflows.application import APPLICATION
from workflows.call import CALL
from workflows.payment import PAYMENT
from workflows.report import REPORT
from workflows.session import SESSION
from workflows.share import SHARE
from workflows.spec import Workflow

ALL: dict[str, Workflow] = {
    "application": APPLICATION,
    "share": SHARE,
    "call": CALL,
    "session": SESSION,
    "report": REPORT,
    "agreement": AGREEMENT,
    "payment": PAYMENT,
}

__all__ = ["AGREEMENT", "ALL", "APPLICATION", "CALL", "PAYMENT", "REPORT", "SESSION", "SHARE"]
