"""The state machines of cofinance, as data: states, labels, tags and transitions."""

from workflows.application import APPLICATION
from workflows.call import CALL
from workflows.session import SESSION
from workflows.share import SHARE
from workflows.spec import Workflow

ALL: dict[str, Workflow] = {
    "application": APPLICATION,
    "share": SHARE,
    "call": CALL,
    "session": SESSION,
}

__all__ = ["ALL", "APPLICATION", "CALL", "SESSION", "SHARE"]
