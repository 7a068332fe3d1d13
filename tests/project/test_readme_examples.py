"""Every command the README shows works as written from a fresh copy of the repository.

The copy holds the repository's files only (what a clone has: no data/, no .env) and
this test's virtualenv as its ``.venv`` (with the stamp ``scripts/_env.sh`` checks, so
nothing is installed); ``PYTHONPATH`` points at the copy, as the editable install of a
real clone would. Each example is then run from the copy's root exactly as written,
after filling in the README's placeholders (``ID``, ``"..."``). What cannot run here is
proved otherwise, and an example of a shape this test does not know fails it, so a new
README example must be added here:

- ``docker ...`` / ``podman ...``: the image's entry point is ``python -m bot`` and the
  command given to it is a CLI command (no Docker engine here; hadolint checks the file);
- ``scripts/test``: this very suite;
- ``.venv/bin/python bench/...`` and ``npm ci``: the scripts exist (``test_bench_smoke``
  runs each one on a tiny site).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
NEEDS_TOKEN = {"run", "sync"}  # without one: exit 2 with the set-up steps


def readme_commands() -> list[str]:
    """Shell command examples: lines of ```sh blocks, ``$ `` lines of ```text blocks,
    and inline code that starts with a command."""
    text = README.read_text(encoding="utf-8")
    found: list[str] = []
    for lang, body in re.findall(r"```(\w*)\n(.*?)```", text, flags=re.S):
        body = re.sub(r"\\\n\s*", "", body)  # join continuation lines
        for line in body.splitlines():
            if lang == "sh":
                line = re.sub(r"\s+#\s.*$", "", line).strip()
                if line:
                    found.append(line)
            elif line.startswith("$ "):
                found.append(line[2:].strip())
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    for span in re.findall(r"`([^`\n]+)`", prose):
        if re.match(r"(scripts/|\.venv/bin/python |printf )", span):
            found.append(span.strip())
    return list(dict.fromkeys(found))


def fill(command: str) -> str:
    command = command.replace("--guild ID", "--guild 123456789012345678")
    command = command.replace("backup PATH", "backup state-copy.db")
    return command.replace('"..."', '"kubeflow"')


@pytest.fixture(scope="module")
def fresh_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    copy = tmp_path_factory.mktemp("clone") / "mukiudo-bot"
    for name in filter(None, (f.decode() for f in files)):
        source = ROOT / name
        if not source.is_file() or name == ".venv":
            continue
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    (copy / ".venv").symlink_to(Path(sys.prefix))
    return copy


def run_in(copy: Path, command: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "CONTENT_", "SITE_", "DATA_", "STATE_", "HEALTH_"))
    }
    env["PYTHONPATH"] = str(copy)
    return subprocess.run(
        ["bash", "-c", command],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def cli_words() -> set[str]:
    from bot.cli import build_parser

    parser = build_parser()
    actions = [a for a in parser._actions if hasattr(a, "choices") and a.choices]
    return set(actions[0].choices)  # type: ignore[arg-type]


def prove_otherwise(command: str) -> bool:
    """True when ``command`` cannot run here and is proved by other means (see above)."""
    words = shlex.split(command)
    if words[0] in {"docker", "podman"}:
        entry = (ROOT / "Dockerfile").read_text(encoding="utf-8")
        assert 'ENTRYPOINT ["python", "-m", "bot"]' in entry
        if words[1] == "run":
            image = len(words) - 1 - words[::-1].index("mukiudo-bot")  # not --name's
            rest = words[image + 1 :]
            assert not rest or rest[0] in cli_words(), command
        return True
    if command == "scripts/test":
        assert os.access(ROOT / "scripts" / "test", os.X_OK)
        return True
    if words[:2] == ["npm", "ci"]:
        assert (ROOT / "bench" / "package.json").is_file()
        return True
    if words[0] == ".venv/bin/python" and words[1].startswith("bench/"):
        assert (ROOT / words[1]).is_file(), command
        return True
    return False


COMMANDS = readme_commands()


def test_the_readme_has_examples_of_every_kind():
    assert any(c.startswith("scripts/run ask") for c in COMMANDS)
    assert any(c.startswith("docker run") for c in COMMANDS)
    assert "scripts/run --help" in COMMANDS
    assert not [c for c in COMMANDS if c.startswith("python -m bot")], (
        "a bare `python -m bot` fails in a fresh clone; write scripts/run or .venv/bin/python"
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_works_from_a_fresh_copy(fresh_copy: Path, command: str) -> None:
    if "COMMAND" in command or "NUMBER" in command or "state restore" in command:
        # patterns; and a restore would need a backup first (tests/cli covers state)
        pytest.skip("a pattern, not an example")
    if prove_otherwise(command):
        return
    words = shlex.split(command)
    if len(words) == 2 and words[0] == "scripts/run" and words[1] in {"ask", "search", "show"}:
        command += " --help"  # the prose names the command; its arguments are in --help
    done = run_in(fresh_copy, fill(command))
    output = done.stdout + done.stderr
    assert "Installing dependencies" not in output  # nothing reinstalled on first use
    assert "Traceback" not in output, output[-3000:]
    sub = None
    if words[0] == "scripts/run":
        sub = words[1] if len(words) > 1 else "run"
    if sub in NEEDS_TOKEN:
        assert done.returncode == 2, output[-2000:]
        assert "scripts/run sync" in done.stderr and 'scripts/run ask "' in done.stderr
    elif sub == "health":
        assert done.returncode == 1 and done.stdout.startswith("unhealthy:")
    elif sub == "state":  # a fresh clone has no state file yet: one clear line
        assert done.returncode == 1 and "no state file to back up" in done.stderr
    elif sub == "doctor":
        assert done.returncode == 1 and "FAIL  token" in done.stdout  # no token in a clone
        assert "ok    content" in done.stdout
    else:
        assert done.returncode == 0, output[-3000:]
        assert done.stdout.strip()
