"""Episode notes written during the notification tests, from one template."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

TEMPLATE = (Path(__file__).parent / "fixtures" / "notify" / "note.md.tmpl").read_text(
    encoding="utf-8"
)


def write_note(
    root: Path,
    number: int,
    title: str,
    when: datetime,
    *,
    draft: bool = False,
    slug: str | None = None,
) -> str:
    """Write episode ``number`` under ``root`` and return its path relative to it."""
    rel = f"podcast/{number:04d}/index.md"
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = when.isoformat()
    path.write_text(
        TEMPLATE.format(
            title=f"#{number} {title}",
            summary=f"{title}の回",
            date=stamp,
            publish=stamp,
            draft=str(draft).lower(),
            slug=slug or f"ep{number}-e{number:05d}",
            body=f"{title}について話した。",
        ),
        encoding="utf-8",
    )
    return rel
