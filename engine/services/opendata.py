"""The open-data file of the subsidies granted in a funding year (décret 2017-779, DESIGN §11):
the SCDL « Subventions » 2.1.1 table (engine/reference/scdl-subventions-2.1.1.schema.json), its
exact columns in their order, one row per granted share, the funder being the attribuant.

A share is published once its decision is final: granted in a session that is closed. Its row:

- `dateConvention`: the day the convention came into force (countersigned) when the share has
  one, else the day of the decision (the decision letter is then the act); Paris days.
- `referenceDecision`: the file's reference, the act's number in this register.
- `idBeneficiaire` / `rnaBeneficiaire`: the organisation's SIRET and RNA, else those it filed.
- `montant`: the granted amount, decimal point; `pourcentageSubvention`: `1.00`: the schema
  defines it as the beneficiary's part of the subsidy, and each share has one beneficiary (it is
  not the part of the action's cost the funder pays).
- `conditionsVersement`: `échelonné` when paid as an advance and a balance (the payments opened
  for the share, else its schedule at the funder's advance rate), else `unique`.
- `datesPeriodeVersement`: the day of a single payment made; otherwise the period from the first
  payment (made or due, else the `dateConvention`) to the last one made, or, while one is to
  come, to the end of the action when that is later.
- `dispositifAide`: the scheme's label; `nature` « aide en numéraire », `notificationUE` « non »,
  `idRAE` empty (no aid here is an aid to companies in the RAE).

A row the schema would refuse is left out rather than published wrong: a funder without a SIRET
(set by `PATCH /funders/{code}`), a beneficiary with neither SIRET nor RNA. The table counts them
per funder so that staff can complete the funders' and organisations' records.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from engine.clock import paris_date
from engine.db import Database
from engine.formatting import PARIS
from engine.models import (
    Agreement,
    Application,
    Call,
    Funder,
    Meeting,
    Organisation,
    Payment,
    Share,
)
from engine.rulebook import FieldError, InvalidInput, default_registry
from engine.rulebook.plan import payment_schedule
from engine.services.identity import compact, rna_valid, siret_valid
from engine.services.payments import advance_rate
from workflows.payment import OUTGOING

SCHEMA_FILE = "scdl-subventions-2.1.1.schema.json"
FIRST_YEAR, LAST_YEAR = 2000, 2100
COLUMNS = (
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
)
NATURE = "aide en numéraire"
SINGLE, INSTALMENTS = "unique", "échelonné"
OBJECT_LENGTH = 256  # `objet`'s maxLength
ONE_BENEFICIARY = "1.00"


@dataclass(frozen=True)
class SubsidyRow:
    """One row of the table, every value as written in the file."""

    values: tuple[str, ...]

    def __getitem__(self, column: str) -> str:
        return self.values[COLUMNS.index(column)]


@dataclass
class SubsidyTable:
    """The rows of a funding year, and per funder name the granted shares left out because the
    schema would refuse their row (no SIRET for the funder, neither SIRET nor RNA for the
    beneficiary)."""

    year: int
    rows: list[SubsidyRow] = field(default_factory=list)
    left_out: Counter[str] = field(default_factory=Counter)

    @property
    def left_out_count(self) -> int:
        return sum(self.left_out.values())


def check_year(year: int) -> int:
    """A funding year between 2000 and 2100 (422 naming `year` otherwise)."""
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(
            [FieldError("year", "year_unknown", year=year, first=FIRST_YEAR, last=LAST_YEAR)]
        )
    return year


def _of_year(year: int) -> ColumnElement[bool]:
    """Files of the funding year: their reference date's year, else their submission's (a Paris
    calendar year)."""
    start_at = datetime(year, 1, 1, tzinfo=PARIS).astimezone(UTC)
    end_at = datetime(year + 1, 1, 1, tzinfo=PARIS).astimezone(UTC)
    reference = col(Application.reference_date)
    submitted = col(Application.submitted_at)
    return or_(
        and_(reference >= date(year, 1, 1), reference < date(year + 1, 1, 1)),
        and_(reference.is_(None), submitted >= start_at, submitted < end_at),
    )


def _granted(year: int) -> Any:
    """The shares granted for `year` whose session is closed (their decision is final)."""
    return (
        select(Share.id)
        .join(Application, col(Application.id) == col(Share.application_id))
        .join(Meeting, col(Meeting.id) == col(Share.session_id))
        .where(Share.state == "granted", Meeting.state == "closed", _of_year(year))
    )


def subsidies(db: Database, year: int) -> SubsidyTable:
    """The SCDL rows of the shares granted for `year`, in the order of the files' references and
    the funders' names. Public: nothing here that the décret does not publish. A few queries
    whatever the number of files (the shares are picked by a subquery, not a list of ids)."""
    check_year(year)
    table = SubsidyTable(year)
    granted = _granted(year)
    with db.reading() as session:
        found = session.exec(
            select(Share, Application, Funder, Organisation)
            .join(Application, col(Application.id) == col(Share.application_id))
            .join(Funder, col(Funder.id) == col(Share.funder_id))
            .join(Organisation, col(Organisation.id) == col(Application.organisation_id))
            .where(col(Share.id).in_(granted))
            .order_by(col(Application.reference), col(Application.id), col(Funder.name))
        ).all()
        schemes = {c.id: c.scheme for c in session.exec(select(Call))}
        agreements = {
            a.share_id: a
            for a in session.exec(select(Agreement).where(col(Agreement.share_id).in_(granted)))
        }
        payments: dict[int, list[Payment]] = {}
        for payment in session.exec(
            select(Payment)
            .where(col(Payment.share_id).in_(granted), col(Payment.kind).in_(OUTGOING))
            .order_by(col(Payment.id))
        ):
            payments.setdefault(payment.share_id, []).append(payment)
        for share, application, funder, organisation in found:
            row = _row(
                session,
                share,
                application,
                schemes[application.call_id],
                funder,
                organisation,
                agreements.get(share.id or 0),
                payments.get(share.id or 0, []),
            )
            if row is None:
                table.left_out[funder.name] += 1
            else:
                table.rows.append(row)
    return table


def _identifier(*candidates: Any) -> str | None:
    for candidate in candidates:
        if isinstance(candidate, str) and compact(candidate):
            return compact(candidate)
    return None


def _row(
    session: Session,
    share: Share,
    application: Application,
    scheme: str,
    funder: Funder,
    organisation: Organisation,
    agreement: Agreement | None,
    payments: list[Payment],
) -> SubsidyRow | None:
    holder = application.data.get("holder")
    filed = holder if isinstance(holder, dict) else {}
    siret = _identifier(organisation.siret, filed.get("siret"))
    rna = _identifier(organisation.rna, filed.get("rna"))
    siret = siret if siret is not None and siret_valid(siret) else None
    rna = rna if rna is not None and rna_valid(rna) else None
    funder_siret = _identifier(funder.siret)
    if funder_siret is None or not siret_valid(funder_siret) or (siret is None and rna is None):
        return None
    granted = share.granted or Decimal("0.00")
    convention = _convention_day(share, agreement)
    values = {
        "nomAttribuant": funder.name,
        "idAttribuant": funder_siret,
        "dateConvention": convention.isoformat(),
        "referenceDecision": application.reference or "",
        "nomBeneficiaire": _inert(organisation.name),
        "idBeneficiaire": siret or "",
        "rnaBeneficiaire": rna or "",
        "objet": _inert(_shortened(application.title, OBJECT_LENGTH)),
        "montant": f"{granted:.2f}",
        "nature": NATURE,
        "conditionsVersement": _conditions(session, share, payments),
        "datesPeriodeVersement": payment_period(application, convention, payments),
        "idRAE": "",
        "notificationUE": "non",
        "pourcentageSubvention": ONE_BENEFICIARY,
        "dispositifAide": _scheme_label(scheme),
    }
    return SubsidyRow(tuple(values[c] for c in COLUMNS))


def _convention_day(share: Share, agreement: Agreement | None) -> date:
    if agreement is not None and agreement.kind == "convention" and agreement.countersigned_at:
        return paris_date(agreement.countersigned_at)
    assert share.decided_at is not None  # a granted share was decided
    return paris_date(share.decided_at)


def _conditions(session: Session, share: Share, payments: list[Payment]) -> str:
    if payments:
        kinds = {p.kind for p in payments if p.amount > 0}
    else:
        schedule = payment_schedule(share.granted or Decimal(0), advance_rate(session, share))
        kinds = {kind for kind, amount in schedule.items() if Decimal(amount) > 0}
    return INSTALMENTS if len(kinds) > 1 else SINGLE


def payment_period(application: Application, convention: date, payments: list[Payment]) -> str:
    paid = sorted(p.paid_on for p in payments if p.paid_on is not None)
    pending = [p for p in payments if p.paid_on is None]
    if payments and not pending and len(paid) == 1:
        return paid[0].isoformat()  # a single payment, made: its day
    known = paid + [p.due_on for p in pending if p.due_on is not None]
    start = min(known) if known else convention
    end = max(paid) if paid else start
    if pending or not payments:  # a payment still to come: at the latest, the action's end
        action_end = _day((application.data.get("period") or {}).get("end"))
        if action_end is not None and action_end > end:
            end = action_end
    return f"{start.isoformat()}/{max(start, end).isoformat()}"


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _scheme_label(code: str) -> str:
    scheme = default_registry().schemes.get(code)
    return scheme.label if scheme else code


def _shortened(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _inert(text: str) -> str:
    """Text typed by people as a cell a spreadsheet never runs as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def subsidies_csv(table: SubsidyTable) -> bytes:
    """The table as published: UTF-8 without byte-order mark, `,` between columns, CRLF, the
    header row alone for a year without grants."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(row.values for row in table.rows)
    return out.getvalue().encode("utf-8")
