"""The package's architecture, checked from its imports (parsed, never run).

The rules (README, "Project layout"): content, search, notify and library never import
discord; content and search do not import each other, config or library; notify does
not import library or config; ui never imports app or cogs; cogs do not import each
other; no cycles between the wings.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from paths import ROOT_DIR

PACKAGE = ROOT_DIR / "bot"
WINGS = ("content", "search", "library", "notify", "ui", "cogs", "cli")

# wing -> module prefixes it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "content": ("discord", "bot.search", "bot.config", "bot.library", "bot.notify", "bot.ui"),
    "search": ("discord", "bot.content", "bot.config", "bot.library", "bot.notify", "bot.ui"),
    "notify": ("discord", "bot.library", "bot.config", "bot.ui", "bot.search"),
    "library": ("discord", "bot.notify", "bot.ui"),
    "ui": ("bot.app", "bot.cogs", "bot.cli"),
}
CORE = ("content", "search", "notify", "library")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT_DIR).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> Iterator[tuple[str, int]]:
    """Every module ``path`` imports (absolute names), with its line, wherever it is
    written: at the top, inside a function or under ``TYPE_CHECKING``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = module_name(path).split(".")
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here if is_package else here[:-1]
                base = base[: len(base) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            yield name, node.lineno
            for alias in node.names:  # "from bot.search import engine" names a module too
                yield f"{name}.{alias.name}", node.lineno


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def wing_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "bot" and parts[1] in WINGS else None


def is_under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def rule_breaks(paths: list[Path]) -> list[str]:
    """Every import that breaks a rule, as "module:line imports name"."""
    found = []
    for path in paths:
        mod = module_name(path)
        wing = wing_of(mod)
        for name, line in imports_of(path):
            banned = FORBIDDEN.get(wing or "", ())
            if any(is_under(name, prefix) for prefix in banned):
                found.append(f"{mod}:{line} imports {name}")
            if wing == "cogs" and is_under(name, "bot.cogs"):
                own = ".".join(mod.split(".")[:3])  # bot.cogs.<cog>
                if not is_under(name, own) and name != "bot.cogs":
                    found.append(f"{mod}:{line} imports another cog {name}")
    return found


def wing_graph(paths: list[Path]) -> dict[str, set[str]]:
    """Which core wing imports which (module-level dependencies folded by wing)."""
    graph: dict[str, set[str]] = {w: set() for w in CORE}
    for path in paths:
        wing = wing_of(module_name(path))
        if wing not in CORE:
            continue
        for name, _ in imports_of(path):
            other = wing_of(name)
            if other in CORE and other != wing:
                graph[wing].add(other)
    return graph


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_every_wing_keeps_to_its_imports():
    assert rule_breaks(modules()) == []


def test_the_core_wings_import_each_other_without_cycles():
    assert cycle_in(wing_graph(modules())) is None


def test_each_wing_says_what_it_does_and_what_it_may_import():
    for wing in ("content", "search", "library", "notify", "ui"):
        doc = ast.get_docstring(ast.parse((PACKAGE / wing / "__init__.py").read_text()))
        assert doc and "import" in doc, wing


@pytest.mark.parametrize(
    ("wing", "source", "broken"),
    [
        ("content", "import discord\n", "discord"),
        ("search", "from bot.content import load_site\n", "bot.content"),
        ("search", "def f():\n    from bot.config import Settings\n", "bot.config"),
        ("notify", "from ..library import Catalog\n", "bot.library"),
        ("ui", "from bot.app import PodcastBot\n", "bot.app"),
        ("cogs", "from bot.cogs.search import SearchCog\n", "bot.cogs.search"),
    ],
)
def test_a_broken_rule_is_caught(tmp_path, monkeypatch, wing, source, broken):
    """The checker itself: a module that breaks a rule is reported with its line."""
    fake_root = tmp_path
    folder = fake_root / "bot" / wing / ("other" if wing == "cogs" else "")
    folder.mkdir(parents=True)
    module = folder / "bad.py"
    module.write_text(source)
    monkeypatch.setattr(f"{__name__}.ROOT_DIR", fake_root)
    found = rule_breaks([module])
    assert found and broken in found[0]


def test_a_cycle_between_wings_is_caught():
    assert cycle_in({"content": {"search"}, "search": {"library"}, "library": {"content"}})
    assert cycle_in({"content": set(), "search": set(), "library": {"search", "content"}}) is None


def test_the_public_api_is_importable_from_the_top(tmp_path):
    from bot import Catalog, Settings, create_bot, load_settings

    settings = Settings(content_dir=ROOT_DIR / "content", data_dir=tmp_path)
    catalog = Catalog.from_settings(settings)
    catalog.load()
    assert catalog.search("Kubeflow", 3).hits
    assert catalog.complete("Kube", 5)
    assert callable(create_bot) and callable(load_settings)
