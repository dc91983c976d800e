"""A financing plan's flags, as the applications, the session screen and the simulator show them."""

from __future__ import annotations

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from api.models.common import MoneyOut


@with_config(ConfigDict(extra="allow"))
class PlanFlags(TypedDict, total=False):
    """The flags that apply; a flag that does not apply is absent (`{}`: a coherent plan)."""

    financing_gap: MoneyOut  # what no funder covers
    over_financing: MoneyOut  # what the shares give beyond the need
    convention_required: list[str]  # funders whose amount calls for a convention
