"""Database tables (SQLModel). Money is Numeric(12, 2); workflow rows carry a version column."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    Table,
    Unicode,
    UniqueConstraint,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import relationship
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, Relationship, SQLModel


def utcnow() -> datetime:
    from engine.clock import now

    return now()


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite forgets zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware values only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Organisation(SQLModel, table=True):
    __tablename__ = "organisations"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300, unique=True)
    siret: str | None = Field(default=None, max_length=14)
    address: str | None = Field(default=None, max_length=500)
    email: str | None = Field(default=None, max_length=320)
    # The holder's profile (migration 0009): what every new application of it starts from.
    kind: str | None = Field(default=None, max_length=20)
    rna: str | None = Field(default=None, max_length=10)
    cer_signed: bool | None = Field(default=None)


class OrganisationDocument(SQLModel, table=True):
    """A supporting document kept in the holder's profile (statuts, RIB…), copied into each new
    application (migration 0009)."""

    __tablename__ = "organisation_documents"
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    kind: str = Field(max_length=50)
    filename: str = Field(max_length=255)
    blob_id: int = Field(foreign_key="blobs.id", unique=True)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_by: int = Field(foreign_key="users.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=150, unique=True, index=True)
    name: str = Field(max_length=300)
    # Job title printed after the name under a signature (migration 0007): « Présidente du
    # comité des financeurs ».
    title: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    password_hash: str = Field(max_length=300)
    role: str = Field(max_length=20)
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id")
    funder_id: int | None = Field(default=None, foreign_key="funders.id")
    active: bool = True
    token_generation: int = 0


class Funder(SQLModel, table=True):
    __tablename__ = "funders"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=50, unique=True, index=True)
    name: str = Field(max_length=300)
    kind: str = Field(max_length=50)
    insee: str | None = Field(default=None, max_length=5)
    email: str | None = Field(default=None, max_length=320)
    advance_rate: Decimal | None = Field(default=None, sa_type=Numeric(5, 4), nullable=True)
    # Printed on its conventions as a party's identity (migration 0014).
    siret: str | None = Field(default=None, max_length=14)
    # A deactivated funder is no longer offered to new calls; its existing shares keep working.
    active: bool = True


_call_version = Column("version", Integer, nullable=False)


class Call(SQLModel, table=True):
    __tablename__ = "calls"
    __mapper_args__ = {"version_id_col": _call_version}
    id: int | None = Field(default=None, primary_key=True)
    scheme: str = Field(max_length=50)
    title: str = Field(max_length=300)
    opens_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    closes_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    state: str = Field(default="draft", max_length=20, index=True)
    version: int = Field(default=1, sa_column=_call_version)


class CallEnvelope(SQLModel, table=True):
    __tablename__ = "call_envelopes"
    __table_args__ = (UniqueConstraint("call_id", "funder_id"),)
    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="calls.id", index=True)
    funder_id: int = Field(foreign_key="funders.id")
    envelope: Decimal = Field(sa_type=Numeric(12, 2))


_application_version = Column("version", Integer, nullable=False)


class Application(SQLModel, table=True):
    __tablename__ = "applications"
    # Funders only ever see filed applications (migration 0004).
    __table_args__ = (
        Index(
            "ix_applications_submitted",
            "id",
            postgresql_where=text("submitted_at IS NOT NULL"),
            sqlite_where=text("submitted_at IS NOT NULL"),
        ),
        # A call's files, read from the index alone: the envelope use (migration 0020).
        Index("ix_applications_call_state", "call_id", "state", "id"),
    )
    __mapper_args__ = {"version_id_col": _application_version}
    id: int | None = Field(default=None, primary_key=True)
    reference: str | None = Field(default=None, max_length=40, unique=True)
    call_id: int = Field(foreign_key="calls.id", index=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    created_by: int = Field(foreign_key="users.id")
    title: str = Field(max_length=300)
    state: str = Field(default="draft", max_length=20, index=True)
    version: int = Field(default=1, sa_column=_application_version)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    eligibility: str | None = Field(default=None, max_length=20)
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # The result as lists read it (`list_result`), kept by the flush (migration 0020).
    result_summary: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    reference_date: date | None = None
    override_reason: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


# What lists leave out of a stored rule result: its trace and per-funder detail, two thirds of its
# size. A list of 80 files used to cut them out of each row's JSON at every read.
LIST_RESULT_OMITS = ("trace", "shares")


def list_result(result: Any) -> Any:
    """A stored rule result as lists read it."""
    if not isinstance(result, dict):
        return result
    return {key: value for key, value in result.items() if key not in LIST_RESULT_OMITS}


@event.listens_for(Application, "before_insert")
def _summarise_new_result(_mapper: Any, _connection: Any, application: Application) -> None:
    # Every ORM write of an application keeps its summary with its result; the bulk writers
    # (the scale generator) call `list_result` themselves.
    application.result_summary = list_result(application.result)


@event.listens_for(Application, "before_update")
def _summarise_changed_result(_mapper: Any, _connection: Any, application: Application) -> None:
    # Only a result set anew: a row read without it (deferred) must not be loaded in a flush.
    if inspect(application).attrs.result.history.has_changes():
        application.result_summary = list_result(application.result)


_share_version = Column("version", Integer, nullable=False)


class Share(SQLModel, table=True):
    __tablename__ = "shares"
    __table_args__ = (
        UniqueConstraint("application_id", "funder_id"),
        # A funder's inbox: the files that ask this funder (migration 0004).
        Index("ix_shares_funder_application", "funder_id", "application_id"),
        # A file's shares; on PostgreSQL the sums of a call's shares are read from this index
        # alone: the envelope use on every session screen (migration 0020, replacing the plain
        # index on application_id).
        Index(
            "ix_shares_application_amounts",
            "application_id",
            postgresql_include=["funder_id", "state", "granted", "proposed"],
        ),
    )
    __mapper_args__ = {"version_id_col": _share_version}
    id: int | None = Field(default=None, primary_key=True)
    # Indexed by ix_shares_application_amounts (above).
    application_id: int = Field(foreign_key="applications.id")
    funder_id: int = Field(foreign_key="funders.id", index=True)
    state: str = Field(default="requested", max_length=20, index=True)
    version: int = Field(default=1, sa_column=_share_version)
    requested: Decimal = Field(sa_type=Numeric(12, 2))
    proposed: Decimal | None = Field(default=None, sa_type=Numeric(12, 2), nullable=True)
    granted: Decimal | None = Field(default=None, sa_type=Numeric(12, 2), nullable=True)
    eligible: bool | None = None
    failed: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    explanation: str | None = Field(default=None, max_length=4000)
    comment: str | None = Field(default=None, max_length=4000)
    conditions: str | None = Field(default=None, max_length=4000)
    session_id: int | None = Field(default=None, foreign_key="sessions.id")
    decided_by: int | None = Field(default=None, foreign_key="users.id")
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class Blob(SQLModel, table=True):
    """The bytes of one stored file (an uploaded document, a generated PDF).

    Stored in the database (SQLite BLOB, PostgreSQL bytea) and written in the same transaction
    as the `documents` or `letters` row that points to it (`blob_id`, unique: one owner each):
    any server process serves them, a database backup carries them, and a crash leaves neither
    a row without its content nor content without its row (engine/blobs.py).

    A table of its own rather than a column on each row: listing documents and letters (an
    application's files, a session's letters, the outbox) never reads their content, which is
    loaded only to be served or attached, and both kinds of file share one code path.
    """

    __tablename__ = "blobs"
    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64)
    size: int
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class Document(SQLModel, table=True):
    __tablename__ = "documents"
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    kind: str = Field(max_length=50)
    filename: str = Field(max_length=255)
    # Set on every row the application writes; None only for a row whose file was already
    # missing when migration 0005 moved the files into the database (served as 404).
    blob_id: int | None = Field(default=None, foreign_key="blobs.id", unique=True)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_by: int = Field(foreign_key="users.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


_session_version = Column("version", Integer, nullable=False)


class Meeting(SQLModel, table=True):
    __tablename__ = "sessions"
    __mapper_args__ = {"version_id_col": _session_version}
    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="calls.id", index=True)
    title: str = Field(max_length=300)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    location: str = Field(max_length=300)
    state: str = Field(default="planned", max_length=20, index=True)
    version: int = Field(default=1, sa_column=_session_version)
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class MeetingCall(SQLModel, table=True):
    """A call whose files a session may examine (migration 0008): a meeting may hold files of
    several calls of the same committee; `Meeting.call_id` stays its first call."""

    __tablename__ = "session_calls"
    session_id: int = Field(foreign_key="sessions.id", primary_key=True)
    call_id: int = Field(foreign_key="calls.id", primary_key=True, index=True)


class AgendaItem(SQLModel, table=True):
    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("session_id", "application_id"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="sessions.id", index=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    position: int


class Event(SQLModel, table=True):
    """Append-only audit trail: who did what, when, from which state to which, and why."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_entity", "entity", "entity_id"),
        # When each file was notified: the processing times of the statistics (migration 0019).
        Index(
            "ix_events_notified",
            "application_id",
            "created_at",
            postgresql_where=text("action = 'notify'"),
            sqlite_where=text("action = 'notify'"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=20)
    entity_id: int
    application_id: int | None = Field(default=None, foreign_key="applications.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    action: str = Field(max_length=50)
    from_state: str | None = Field(default=None, max_length=20)
    to_state: str | None = Field(default=None, max_length=20)
    reason: str | None = Field(default=None, max_length=2000)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class Letter(SQLModel, table=True):
    __tablename__ = "letters"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # decision | funder | convocation | minutes
    application_id: int | None = Field(default=None, foreign_key="applications.id", index=True)
    session_id: int | None = Field(default=None, foreign_key="sessions.id", index=True)
    funder_id: int | None = Field(default=None, foreign_key="funders.id")
    title: str = Field(max_length=300)
    # As Document.blob_id: always set, but for a file already missing at migration 0005.
    blob_id: int | None = Field(default=None, foreign_key="blobs.id", unique=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class ProductionJob(SQLModel, table=True):
    """A document a session's decisions call for, produced after they are locked
    (engine/services/production/): the decision letters of one file (`letter`), the minutes
    (`minutes`), one member's convocation (`convocation`).

    Recorded in the transaction that locks the decisions; a worker claims it (`attempts + 1`, a
    lease until `lease_until`), renders outside any transaction, then in one transaction marks
    it done (only if its claim still holds) and stores its letters, their blobs and the emails
    that attach them. `key` names what it produces, once: a close or a convening recorded twice
    cannot ask for it twice.
    """

    __tablename__ = "production_jobs"
    __table_args__ = (Index("ix_production_jobs_due", "state", "lease_until"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=20)  # letter | minutes | convocation
    session_id: int = Field(foreign_key="sessions.id", index=True)
    application_id: int | None = Field(default=None, foreign_key="applications.id")
    actor_id: int | None = Field(default=None, foreign_key="users.id")  # who signs (the chair)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    state: str = Field(default="pending", max_length=20)  # pending | done
    attempts: int = 0
    lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_error: str | None = None
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class OutboxMessage(SQLModel, table=True):
    """A notification to deliver, written in the transaction that caused it."""

    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)
    recipient: str = Field(max_length=320)
    subject: str = Field(max_length=300)
    body_text: str
    body_html: str | None = None
    attachments: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    application_id: int | None = Field(default=None, foreign_key="applications.id", index=True)
    message_id: str = Field(max_length=200, unique=True)
    state: str = Field(default="pending", max_length=20, index=True)
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    key: str = Field(max_length=200)
    fingerprint: str = Field(max_length=64)
    status_code: int
    response: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class Notification(SQLModel, table=True):
    """An in-app notification: one per user for each email queued to that user's address."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    kind: str = Field(max_length=30)
    title: str = Field(max_length=300)
    body: str
    application_id: int | None = Field(default=None, foreign_key="applications.id")
    session_id: int | None = Field(default=None, foreign_key="sessions.id")
    outbox_id: int | None = Field(default=None, foreign_key="outbox.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    read_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The email it stands for, set when both are queued in one transaction: the flush then
    # inserts the transaction's emails, then their notifications, each kind in one statement,
    # instead of a flush per email to learn its id.
    outbox: OutboxMessage | None = Relationship(sa_relationship=relationship(OutboxMessage))


class SentReminder(SQLModel, table=True):
    """Which scheduled reminder went out: the unique key makes every reminder go out once."""

    __tablename__ = "sent_reminders"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=30)
    application_id: int | None = Field(default=None, foreign_key="applications.id", index=True)
    session_id: int | None = Field(default=None, foreign_key="sessions.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


# APScheduler 3's job store table (engine/scheduler.py), declared here so that migrations own it
# and autogenerate does not propose to drop it. Same shape as SQLAlchemyJobStore's own.
apscheduler_jobs = Table(
    "apscheduler_jobs",
    SQLModel.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


class LoginFailure(SQLModel, table=True):
    """A failed sign-in, kept to throttle guessing per account and per address."""

    __tablename__ = "login_failures"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=150, index=True)
    address: str = Field(max_length=64, index=True)
    at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )


class PasswordReset(SQLModel, table=True):
    """A request for a new password (migration 0010): kept to throttle requests per account and
    per address, and, for a known account, the hash of the single-use token sent by email."""

    __tablename__ = "password_resets"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=320, index=True)  # as typed: a username or an email
    address: str = Field(max_length=64, index=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    # A hash of the password hash at issue time: the token dies when the password changes.
    password_stamp: str | None = Field(default=None, max_length=64)
    at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class Attendance(SQLModel, table=True):
    """Who sat at a session (migration 0011): present, excused, or represented by a proxy (a
    member present who speaks for them). The quorum at opening and who may decide are counted
    from these rows."""

    __tablename__ = "session_attendance"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="sessions.id", index=True)
    user_id: int = Field(foreign_key="users.id")
    status: str = Field(max_length=20)  # present | excused | represented
    proxy_user_id: int | None = Field(default=None, foreign_key="users.id")
    recorded_by: int | None = Field(default=None, foreign_key="users.id")
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class Opinion(SQLModel, table=True):
    """A funder member's opinion on its funder's share of a file, given before the session
    (migration 0013): one per member and share, updated until the session opens. Shown beside
    the plan in session, in the session pack and in the minutes."""

    __tablename__ = "share_opinions"
    __table_args__ = (UniqueConstraint("application_id", "funder_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    funder_id: int = Field(foreign_key="funders.id")
    user_id: int = Field(foreign_key="users.id")
    opinion: str = Field(max_length=20)  # favourable | reserved | unfavourable
    comment: str | None = Field(default=None, max_length=2000)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


_payment_version = Column("version", Integer, nullable=False)


class Payment(SQLModel, table=True):
    """Money moving for one granted share (migration 0015): the `advance` and the `balance` the
    funder pays the holder, or a `recovery` the holder pays back. `amount` is always positive;
    the kind says which way it goes. Workflow `payment` (workflows/payment.py)."""

    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_funder_state", "funder_id", "state"),)
    __mapper_args__ = {"version_id_col": _payment_version}
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    share_id: int = Field(foreign_key="shares.id", index=True)
    funder_id: int = Field(foreign_key="funders.id")
    kind: str = Field(max_length=20)  # advance | balance | recovery
    amount: Decimal = Field(sa_type=Numeric(12, 2))
    state: str = Field(default="pending", max_length=20)
    version: int = Field(default=1, sa_column=_payment_version)
    due_on: date | None = None
    # The funder's accounting reference: its payment order (mandat) or its recovery order.
    reference: str | None = Field(default=None, max_length=100)
    paid_on: date | None = None


class InterestDeclaration(SQLModel, table=True):
    """A member of a funder who takes no part in the decision on one file of a session
    (migration 0012): declared by the member, recorded by the chair, or found automatically (the
    holder is the funder itself, or the member belongs to the holder organisation)."""

    __tablename__ = "conflicts_of_interest"
    __table_args__ = (UniqueConstraint("session_id", "application_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="sessions.id", index=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    reason: str = Field(max_length=2000)
    source: str = Field(max_length=20)  # declared | recorded_by_chair | automatic
    declared_by: int | None = Field(default=None, foreign_key="users.id")  # None: automatic
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


_agreement_version = Column("version", Integer, nullable=False)


class Agreement(SQLModel, table=True):
    """The act that binds a funder to the holder for one granted share (migration 0014): a
    `convention` to sign when the funder's grants to that organisation for the year pass the
    legal threshold, else a `notification` (the decision letter is the act). The convention's
    PDF and the holder's signed copy are blobs, written with the row that points to them."""

    __tablename__ = "agreements"
    __mapper_args__ = {"version_id_col": _agreement_version}
    id: int | None = Field(default=None, primary_key=True)
    share_id: int = Field(foreign_key="shares.id", unique=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    funder_id: int = Field(foreign_key="funders.id", index=True)
    kind: str = Field(max_length=20)  # convention | notification
    state: str = Field(max_length=20, index=True)
    version: int = Field(default=1, sa_column=_agreement_version)
    amount: Decimal = Field(sa_type=Numeric(12, 2))
    # The civil year of the action's start and what the funder had granted to the
    # organisation for it when this agreement was opened (this share included): why this kind.
    year: int
    cumulated: Decimal = Field(sa_type=Numeric(12, 2))
    blob_id: int | None = Field(default=None, foreign_key="blobs.id", unique=True)
    signed_blob_id: int | None = Field(default=None, foreign_key="blobs.id", unique=True)
    signed_filename: str | None = Field(default=None, max_length=255)
    signed_by: int | None = Field(default=None, foreign_key="users.id")
    signed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    countersigned_by: int | None = Field(default=None, foreign_key="users.id")
    countersigned_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class Settlement(SQLModel, table=True):
    """The settlement (solde) of a notified application's plan, computed when its final report
    is approved by every funder (engine/services/settlements.py, DESIGN §10; migration 0017).
    `lines` holds per funder its granted amount, reductions, final amount, what was paid and the
    balance or recovery; `trace` the formula, the figures and the parameter read, and the
    French explanation shown under « pourquoi ce montant ? »."""

    __tablename__ = "settlements"
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", unique=True)
    # The approved report it was computed from (final_reports.id); no foreign key so that the
    # settlement's table does not depend on the order the report's migration lands in.
    report_id: int | None = None
    total_granted: Decimal = Field(sa_type=Numeric(12, 2))
    other_resources: Decimal = Field(sa_type=Numeric(12, 2))
    total_cost: Decimal = Field(sa_type=Numeric(12, 2))
    excess: Decimal = Field(sa_type=Numeric(12, 2))
    lines: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    trace: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


_report_version = Column("version", Integer, nullable=False)


class FinalReport(SQLModel, table=True):
    """The holder's final financial report (CERFA 15059) on a notified application (migration
    0016): actual figures beside the forecast, activity figures and a narrative."""

    __tablename__ = "final_reports"
    __mapper_args__ = {"version_id_col": _report_version}
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", unique=True)
    state: str = Field(default="due", max_length=20, index=True)
    version: int = Field(default=1, sa_column=_report_version)
    due_on: date = Field(index=True)
    actual_total_cost: Decimal | None = Field(default=None, sa_type=Numeric(12, 2), nullable=True)
    actual_other_resources: Decimal | None = Field(
        default=None, sa_type=Numeric(12, 2), nullable=True
    )
    # [{label, kind: charge|income, forecast, actual}], amounts as strings.
    lines: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    # {parents, children, sessions}
    activity: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    narrative: str | None = Field(default=None, max_length=8000)
    # Each submission opens a round of reviews: only the current round's approvals count.
    round: int = 0
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    approved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class ReportReview(SQLModel, table=True):
    """One funder's review of one submission of a final report (append-only)."""

    __tablename__ = "report_reviews"
    __table_args__ = (UniqueConstraint("report_id", "funder_id", "round"),)
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="final_reports.id", index=True)
    funder_id: int = Field(foreign_key="funders.id")
    round: int
    outcome: str = Field(max_length=20)  # approved | revision
    comment: str | None = Field(default=None, max_length=4000)
    # An extra reduction for non-conformity, with its reason (kept for the settlement's trace).
    reduction: Decimal | None = Field(default=None, sa_type=Numeric(12, 2), nullable=True)
    reduction_reason: str | None = Field(default=None, max_length=4000)
    reviewed_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class ReportDocument(SQLModel, table=True):
    """A supporting document joined to a final report (migration 0018): an invoice, a receipt,
    a photo of the action. Its bytes are a blob written with the row, like an application's
    documents; a table of its own so that the application's documents (rule G3) never count it."""

    __tablename__ = "report_documents"
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="final_reports.id", index=True)
    filename: str = Field(max_length=255)
    blob_id: int = Field(foreign_key="blobs.id", unique=True)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_by: int = Field(foreign_key="users.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
