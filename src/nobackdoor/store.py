"""The scan store: products, versions, scans, findings and reviewers' triage decisions.

SQLite by default (a file in the user's data directory, no setup); PostgreSQL or any other database
SQLAlchemy speaks through a URL (``--db`` or ``NOBACKDOOR_DB``), with no code change.

A triage decision is attached to a finding's identity within a product (its fingerprint: rule + path
inside the filesystem + stable evidence, see :mod:`nobackdoor.saved`), not to one scan. So a decision
made on version N applies to the same finding in version N+1, where it is shown as *carried*.
"""
from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, create_engine, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from .models import ScanResult, Severity
from .saved import normalise_identities

DECISIONS = ("accepted", "confirmed")
ENV_VAR = "NOBACKDOOR_DB"


class StoreError(Exception):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    versions: Mapped[list["Version"]] = relationship(back_populates="product", order_by="Version.id")


class Version(Base):
    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("product_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)  # recording order is release order
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    product: Mapped[Product] = relationship(back_populates="versions")
    scans: Mapped[list["Scan"]] = relationship(back_populates="version", order_by="Scan.id")


class Scan(Base):
    __tablename__ = "scans"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"), index=True)
    target_path: Mapped[str] = mapped_column(Text)
    target_sha256: Mapped[str] = mapped_column(String(64))
    target_kind: Mapped[str] = mapped_column(String(20))
    tool_version: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # declaration summary, accepted, ...
    version: Mapped[Version] = relationship(back_populates="scans")
    findings: Mapped[list["FindingRecord"]] = relationship(back_populates="scan", order_by="FindingRecord.id",
                                                           cascade="all, delete-orphan")


class FindingRecord(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    rule: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(Text)
    relpath: Mapped[str] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer, nullable=True)
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    requirements: Mapped[list[Any]] = mapped_column(JSON, default=list)
    scan: Mapped[Scan] = relationship(back_populates="findings")


class TriageDecision(Base):
    """A reviewer's verdict on a finding identity within a product, made while looking at one version."""

    __tablename__ = "triage_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    decision: Mapped[str] = mapped_column(String(20))  # accepted | confirmed
    reason: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    version: Mapped[Version] = relationship()


# ---------------------------------------------------------------- URL


def default_url() -> str:
    import platformdirs

    directory = Path(platformdirs.user_data_dir("nobackdoor", appauthor=False))
    return f"sqlite:///{directory / 'nobackdoor.db'}"


def resolve_url(url: str | None = None) -> str:
    """``--db`` value, else ``$NOBACKDOOR_DB``, else the default SQLite file. A bare file name means
    SQLite; ``postgresql://`` and ``postgres://`` use psycopg 3 (the driver nobackdoor installs)."""
    url = url or os.environ.get(ENV_VAR) or default_url()
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


# ---------------------------------------------------------------- views


@dataclass
class TriagedFinding:
    fingerprint: str
    rule: str
    category: str
    severity: str
    path: str
    line: int | None
    message: str
    status: str  # untriaged | accepted | confirmed
    carried: bool  # the decision was made on an earlier version
    decided_on: str | None  # version the decision was made on
    reason: str | None
    reviewer: str | None
    decided_at: dt.datetime | None
    first_seen: str | None  # first version of the product with this finding

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items()}
        out["decided_at"] = self.decided_at.isoformat() if self.decided_at else None
        return out


@dataclass
class VersionSummary:
    version: str
    scans: int
    recorded_at: dt.datetime
    target: str
    target_sha256: str
    severities: dict[str, int]
    new: int  # findings not in the previous version
    resolved: int  # findings of the previous version gone in this one
    accepted: int
    confirmed: int
    carried: int
    untriaged: int

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["recorded_at"] = self.recorded_at.isoformat()
        return out


# ---------------------------------------------------------------- store


class Store:
    def __init__(self, url: str | None = None, *, engine: Engine | None = None) -> None:
        self.url = resolve_url(url)
        if engine is None:
            parsed = make_url(self.url)
            if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            try:
                engine = create_engine(self.url)
            except Exception as exc:  # bad URL, missing driver
                raise StoreError(f"cannot use scan store {self.display_url}: {exc}") from None
        self.engine = engine
        try:
            Base.metadata.create_all(self.engine)
        except Exception as exc:
            raise StoreError(f"cannot open scan store {self.display_url}: {type(exc).__name__}: "
                             f"{str(exc).splitlines()[0] if str(exc) else ''}") from None

    @property
    def display_url(self) -> str:
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except Exception:
            return "<invalid URL>"

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- recording

    def add_result(self, result: ScanResult, product: str, version: str) -> int:
        """Record a scan of ``product`` ``version``; returns the scan id."""
        rels = normalise_identities(result)
        with Session(self.engine) as s, s.begin():
            prod = s.scalar(select(Product).where(Product.name == product)) or Product(name=product)
            s.add(prod)
            s.flush()
            ver = s.scalar(select(Version).where(Version.product_id == prod.id, Version.name == version))
            if ver is None:
                ver = Version(product_id=prod.id, name=version)
                s.add(ver)
                s.flush()
            scan = Scan(version_id=ver.id, target_path=_text(result.target.path), target_sha256=result.target.sha256,
                        target_kind=result.target.kind, tool_version=result.tool_version,
                        stats=_jsonable(result.stats), extra=_jsonable(result.extra))
            s.add(scan)
            for f in result.findings:
                d = f.to_dict()
                scan.findings.append(FindingRecord(
                    fingerprint=f.fingerprint, rule=f.rule, category=f.category, severity=f.severity.value,
                    path=_text(f.path), relpath=_text(f.evidence.get("_relpath") or rels.get(f.path, f.path)),
                    line=f.line, message=_text(f.message), evidence=_jsonable(d["evidence"]),
                    requirements=list(f.requirements)))
            s.flush()
            return scan.id

    # -- reading

    def products(self) -> list[str]:
        with Session(self.engine) as s:
            return list(s.scalars(select(Product.name).order_by(Product.name)))

    def _product(self, s: Session, name: str) -> Product:
        prod = s.scalar(select(Product).where(Product.name == name))
        if prod is None:
            known = ", ".join(self.products()) or "none recorded yet"
            raise StoreError(f"no product {name!r} in the store (products: {known})")
        return prod

    def _version(self, s: Session, prod: Product, name: str | None) -> Version:
        if not prod.versions:
            raise StoreError(f"product {prod.name!r} has no recorded version")
        if name is None:
            return prod.versions[-1]
        for ver in prod.versions:
            if ver.name == name:
                return ver
        known = ", ".join(v.name for v in prod.versions)
        raise StoreError(f"product {prod.name!r} has no version {name!r} (versions: {known})")

    def findings(self, product: str, version: str | None = None) -> list[TriagedFinding]:
        """The findings of the latest scan of ``version`` (default: the latest version), with the
        triage decision that applies to each (made on this version or carried from an earlier one)."""
        with Session(self.engine) as s:
            prod = self._product(s, product)
            ver = self._version(s, prod, version)
            return self._triaged(s, prod, ver)

    def _triaged(self, s: Session, prod: Product, ver: Version) -> list[TriagedFinding]:
        if not ver.scans:
            return []
        scan = ver.scans[-1]
        decisions = self._decisions(s, prod, ver)
        first_seen = self._first_seen(s, prod, ver, {f.fingerprint for f in scan.findings})
        out = []
        for f in scan.findings:
            d = decisions.get(f.fingerprint)
            out.append(TriagedFinding(
                fingerprint=f.fingerprint, rule=f.rule, category=f.category, severity=f.severity, path=f.path,
                line=f.line, message=f.message, status=d.decision if d else "untriaged",
                carried=bool(d and d.version_id != ver.id), decided_on=d.version.name if d else None,
                reason=d.reason if d else None, reviewer=d.reviewer if d else None,
                decided_at=d.decided_at if d else None, first_seen=first_seen.get(f.fingerprint)))
        out.sort(key=lambda t: (-Severity.parse(t.severity).rank, t.path, t.rule))
        return out

    def _decisions(self, s: Session, prod: Product, ver: Version) -> dict[str, TriageDecision]:
        """Latest decision per fingerprint made on this version or an earlier one."""
        rows = s.scalars(select(TriageDecision).where(TriageDecision.product_id == prod.id,
                                                      TriageDecision.version_id <= ver.id)
                         .order_by(TriageDecision.decided_at, TriageDecision.id))
        return {d.fingerprint: d for d in rows}

    def _first_seen(self, s: Session, prod: Product, ver: Version, fps: set[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for v in prod.versions:
            if v.id > ver.id:
                break
            for scan in v.scans:
                for f in scan.findings:
                    if f.fingerprint in fps:
                        out.setdefault(f.fingerprint, v.name)
        return out

    def history(self, product: str) -> list[VersionSummary]:
        with Session(self.engine) as s:
            prod = self._product(s, product)
            out: list[VersionSummary] = []
            previous: set[str] = set()
            for ver in prod.versions:
                if not ver.scans:
                    continue
                scan = ver.scans[-1]
                triaged = self._triaged(s, prod, ver)
                fps = {t.fingerprint for t in triaged}
                status = Counter(t.status for t in triaged)
                out.append(VersionSummary(
                    version=ver.name, scans=len(ver.scans), recorded_at=scan.created_at, target=scan.target_path,
                    target_sha256=scan.target_sha256,
                    severities=dict(Counter(t.severity for t in triaged)),
                    new=len(fps - previous) if out else len(fps), resolved=len(previous - fps),
                    accepted=status["accepted"], confirmed=status["confirmed"],
                    carried=sum(1 for t in triaged if t.carried), untriaged=status["untriaged"]))
                previous = fps
            return out

    # -- deciding

    def decide(self, product: str, fingerprint: str, decision: str, reason: str, reviewer: str,
               version: str | None = None) -> TriagedFinding:
        """Record a decision on the finding whose fingerprint starts with ``fingerprint`` in ``version``
        (default: the latest version). It applies to this version and carries to later ones."""
        if decision not in DECISIONS:
            raise StoreError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
        if not reason.strip() or not reviewer.strip():
            raise StoreError("a triage decision needs a reason and a reviewer")
        with Session(self.engine) as s, s.begin():
            prod = self._product(s, product)
            ver = self._version(s, prod, version)
            fps = {f.fingerprint for scan in ver.scans for f in scan.findings}
            matches = sorted(fp for fp in fps if fp.startswith(fingerprint))
            if not matches:
                raise StoreError(f"no finding {fingerprint!r} in {product} {ver.name}")
            if len(matches) > 1:
                raise StoreError(f"{fingerprint!r} is ambiguous in {product} {ver.name}: {', '.join(matches[:5])}")
            s.add(TriageDecision(product_id=prod.id, version_id=ver.id, fingerprint=matches[0], decision=decision,
                                 reason=reason.strip(), reviewer=reviewer.strip()))
            s.flush()
            return next(t for t in self._triaged(s, prod, ver) if t.fingerprint == matches[0])


def _text(value: str) -> str:
    """PostgreSQL text cannot hold NUL; names and messages taken from hostile files may."""
    return value.replace("\x00", "\\x00")


def _jsonable(value: Any) -> Any:
    """Evidence and stats are JSON already; make sure of it (sets, paths, enums) before storing, and
    without NUL characters, which PostgreSQL refuses in text and JSON."""
    import json

    return json.loads(json.dumps(value, default=str).replace("\\u0000", "\\\\x00"))
