# Shared by scripts/run and scripts/test: make .venv and install the locked
# dependencies once, again only when pyproject.toml or constraints.txt change.
# The caller names the extra to install in ENV_EXTRA (scripts/test: "test"); the
# caller's own arguments are never read here (scripts/run passes them to the bot).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-python3}
extra=${ENV_EXTRA:-}
stamp=".venv/.installed${extra:+-$extra}"
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
installed() { [ -f "$1" ] && [ "$(cat "$1")" = "$want" ]; }
# The test extra is a superset of the plain install: a venv made by scripts/test runs the bot.
if ! installed "$stamp" && ! { [ -z "$extra" ] && installed .venv/.installed-test; }; then
  echo "Installing dependencies into .venv ..." >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    -c constraints.txt -e ".${extra:+[$extra]}" >&2
  echo "$want" > "$stamp"
fi
