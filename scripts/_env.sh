# Shared by scripts/run and scripts/test: make .venv and install the locked
# dependencies once, again only when pyproject.toml or constraints.txt change.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-python3}
extra=${1:-}
stamp=".venv/.installed${extra:+-$extra}"
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installing dependencies into .venv ..." >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    -c constraints.txt -e ".${extra:+[$extra]}" >&2
  echo "$want" > "$stamp"
fi
