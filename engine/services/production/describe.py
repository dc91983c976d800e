"""What each kind of production job renders, and how it stores what was rendered.

A claimed job is described (read in one reading transaction for the whole batch) as the
documents to render and a `store` step: the letters with their PDFs, the emails attaching them,
and — when the holder has no email address, the letter being then available on the holder's
pages — the domain step `mark_notified`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from engine.access import SYSTEM, Actor
from engine.clock import paris_date
from engine.documents.pack import SessionPack
from engine.models import (
    AgendaItem,
    Application,
    Funder,
    Meeting,
    Organisation,
    ProductionJob,
    Share,
    User,
)
from engine.notify.outbox import (
    Outbox,
    funder_recipients,
    holders_recipients,
    notify_holder,
    readers_of,
    remember_readers,
)
from engine.services import letters
from engine.services.agreements import CumulatedGrants
from engine.services.notification import mark_notified
from engine.services.production.jobs import STATUS_LABELS
from engine.services.session_pack import pack_record
from engine.settings import Settings

SHARE_LABELS = {"granted": "accordée", "refused": "refusée", "deferred": "ajournée"}


@dataclass(frozen=True)
class Claim:
    job_id: int
    token: int  # the attempt number this claim made; storing needs it unchanged


@dataclass
class Work:
    """A claimed job, described: the documents to render and how to store their PDFs."""

    claim: Claim
    job: ProductionJob
    documents: list[letters.Document]
    # Stores the PDFs in the session's transaction; its emails go to the group's outbox.
    store: Callable[[Session, list[bytes], Outbox], None]
    files: tuple[int, ...] = ()  # the applications `store` reads again


def preload(session: Session, works: Iterable[Work]) -> list[object]:
    """Read the files (and their holders) a group of jobs stores, in two statements, before
    each job's `store` reads its own from the session. The caller holds what this returns
    while it stores: the session's identity map keeps only what is referenced."""
    applications, organisations = _files(session, {i for work in works for i in work.files})
    return [*applications, *organisations]


def _files(
    session: Session, ids: Iterable[int | None]
) -> tuple[list[Application], list[Organisation]]:
    """These files and their organisations, in two statements (none when there are no files)."""
    wanted = set(ids)
    if not wanted:
        return [], []
    applications = list(session.exec(select(Application).where(col(Application.id).in_(wanted))))
    holders = {a.organisation_id for a in applications}
    query = select(Organisation).where(col(Organisation.id).in_(holders))
    return applications, list(session.exec(query))


class Context:
    """What the jobs of one batch read, loaded once: funders, the shares of their files."""

    def __init__(self, session: Session, settings: Settings, claims: list[Claim]) -> None:
        self.session = session
        self.settings = settings
        self.jobs = {
            job.id: job
            for job in session.exec(
                select(ProductionJob).where(col(ProductionJob.id).in_([c.job_id for c in claims]))
            )
        }
        self.funders: dict[int | None, Funder] = {f.id: f for f in session.exec(select(Funder))}
        self.meetings: dict[int, Meeting] = {}
        self.signers: dict[int | None, Actor] = {}
        self.users: list[User | None] = []
        self.recipients: dict[int | None, list[str]] = {}
        self.packs: dict[tuple[int, tuple[int, ...]], SessionPack] = {}
        wanted = {j.application_id for j in self.jobs.values() if j.kind == "letter"}
        self.shares = _shares_of(session, wanted)
        # The batch's files, their organisations (held here: the session's identity map keeps
        # only what is referenced, and the letters read each file's organisation with
        # `session.get`), their addresses and the cumulated rule's figures, each read in one
        # statement rather than once per file.
        applications, self.organisations = _files(session, wanted)
        self.applications = {a.id: a for a in applications}
        self.holders = holders_recipients(session, {o.id or 0 for o in self.organisations})
        self.grants = CumulatedGrants.for_files(session, applications)

    def meeting(self, session_id: int) -> Meeting:
        if session_id not in self.meetings:
            meeting = self.session.get(Meeting, session_id)
            if meeting is None:
                raise LookupError(f"no session {session_id}")
            self.meetings[session_id] = meeting
        return self.meetings[session_id]

    def recipients_of(self, funder: Funder) -> list[str]:
        """A funder's addresses, read once per batch (a 500-file close writes to each funder
        500 times)."""
        if funder.id not in self.recipients:
            self.recipients[funder.id] = funder_recipients(self.session, funder)
        return self.recipients[funder.id]

    def signer(self, job: ProductionJob) -> Actor:
        if job.actor_id not in self.signers:
            user = self.session.get(User, job.actor_id) if job.actor_id is not None else None
            self.signers[job.actor_id] = Actor.of(user) if user is not None else SYSTEM
            self.users.append(user)  # held: each letter's signatory reads it again
        return self.signers[job.actor_id]

    def describe(self, claim: Claim) -> Work:
        job = self.jobs.get(claim.job_id)
        if job is None:
            raise LookupError(f"no production job {claim.job_id}")
        meeting = self.meeting(job.session_id)
        if job.kind == "letter":
            return self._letters(claim, job, meeting)
        if job.kind == "minutes":
            return self._minutes(claim, job, meeting)
        if job.kind == "convocation":
            return self._convocation(claim, job, meeting)
        raise ValueError(f"unknown production job kind {job.kind!r}")

    def _letters(self, claim: Claim, job: ProductionJob, meeting: Meeting) -> Work:
        application = self.applications.get(job.application_id)
        if application is None:
            raise LookupError(f"no application {job.application_id}")
        shares = self.shares[application.id]
        described = letters.decision_documents(
            self.session,
            self.settings,
            application,
            meeting,
            self.signer(job),
            self.funders,
            shares,
            self.grants,
        )
        lines = [
            {
                "funder_name": self.funders[s.funder_id].name,
                "label": SHARE_LABELS.get(s.state, s.state),
                "amount": s.granted,
            }
            for s in shares
        ]

        # Read now, in the batch's reading transaction: `store` runs in another one.
        recipients = {funder.id: self.recipients_of(funder) for funder, _ in described.funders}
        holder = self.holders[application.organisation_id]
        addresses = {e for emails in [holder, *recipients.values()] for e in emails}
        readers = readers_of(self.session, addresses)

        def store(session: Session, pdfs: list[bytes], outbox: Outbox) -> None:
            remember_readers(session, readers)
            holder_letter, per_funder = letters.store_decision_letters(
                session, described, meeting, iter(pdfs)
            )
            current = session.get(Application, application.id)
            assert current is not None
            # A deferred file's letter is not its decision: its email says so, and its
            # delivery notifies nothing (the decision comes after a later session).
            sent = notify_holder(
                session,
                current,
                "decision" if current.state == "decided" else "deferral",
                attachments=[holder_letter.id or 0],
                outbox=outbox,
                recipients=holder,
                meeting=meeting,
                lines=lines,
            )
            for funder, letter in per_funder:
                outbox.add(
                    "funder_decision",
                    recipients[funder.id],
                    {"meeting": meeting, "application": current, "funder": funder},
                    application_id=current.id,
                    attachments=[letter.id or 0],
                )
            if not sent:
                # No address to write to: the letter, available on the holder's pages, is the
                # notification.
                mark_notified(session, current, letter=holder_letter.id)

        return Work(claim, job, described.documents(), store, (application.id or 0,))

    def _minutes(self, claim: Claim, job: ProductionJob, meeting: Meeting) -> Work:
        agenda = _agenda(self.session, meeting)
        document = letters.minutes_document(
            self.session,
            self.settings,
            meeting,
            agenda,
            self.signer(job),
            STATUS_LABELS,
            self.funders,
            _shares_of(self.session, [a.id for a in agenda]),
        )

        def store(session: Session, pdfs: list[bytes], outbox: Outbox) -> None:
            letters.store_minutes(session, meeting, pdfs[0])

        return Work(claim, job, [document], store)

    def _convocation(self, claim: Claim, job: ProductionJob, meeting: Meeting) -> Work:
        ids = [int(i) for i in job.data.get("agenda", [])]
        found = {
            a.id: a
            for a in self.session.exec(select(Application).where(col(Application.id).in_(ids)))
        }
        agenda = [found[i] for i in ids if i in found]
        document = letters.convocation_document(
            meeting,
            str(job.data.get("name", "")),
            agenda,
            self.signer(job).name,
            paris_date(job.created_at),
        )
        email = str(job.data.get("email", ""))
        # The pack of the job's own agenda, read now: an amended convocation carries it anew.
        key = (meeting.id or 0, tuple(ids))
        if key not in self.packs:
            self.packs[key] = pack_record(self.session, meeting, agenda)

        def store(session: Session, pdfs: list[bytes], outbox: Outbox) -> None:
            letter = letters.store_convocation(session, meeting, pdfs[0])
            pack = letters.store_pack(session, meeting, pdfs[1])
            outbox.add(
                "convocation",
                [email],
                {
                    "meeting": meeting,
                    "count": len(agenda),
                    # An amended convocation (agenda, date or place changed) says what changed.
                    "changes": list(job.data.get("changes") or []),
                },
                attachments=[letter.id or 0, pack.id or 0],
            )

        return Work(claim, job, [document, self.packs[key]], store)


def _shares_of(
    session: Session, application_ids: Iterable[int | None]
) -> dict[int | None, list[Share]]:
    """The shares of these files, each file's in their order."""
    shares: dict[int | None, list[Share]] = {i: [] for i in application_ids}
    for share in session.exec(
        select(Share).where(col(Share.application_id).in_(list(shares))).order_by(col(Share.id))
    ):
        shares[share.application_id].append(share)
    return shares


def _agenda(session: Session, meeting: Meeting) -> list[Application]:
    return list(
        session.exec(
            select(Application)
            .join(AgendaItem, col(AgendaItem.application_id) == col(Application.id))
            .where(AgendaItem.session_id == meeting.id)
            .order_by(col(AgendaItem.position))
        )
    )
