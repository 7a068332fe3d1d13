# syntax=docker/dockerfile:1
# mukiudo-bot: Discord companion for a podcast's Hugo show notes.
#   docker build -t mukiudo-bot .
#   docker run -d --name mukiudo-bot -e DISCORD_TOKEN=... -v mukiudo-data:/data mukiudo-bot
# Content: the bundled sample site, or mount yours read-only on /app/content.
# Token: DISCORD_TOKEN, or DISCORD_TOKEN_FILE=/run/secrets/discord_token with a Docker secret.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# -- build: a virtualenv with the locked dependencies and the bot ----------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first (pinned by constraints.txt), so code changes reuse this layer.
COPY pyproject.toml constraints.txt README.md ./
RUN mkdir bot && touch bot/__init__.py \
    && pip install --constraint constraints.txt . \
    && pip uninstall --yes mukiudo-bot
COPY bot ./bot
RUN pip install --no-deps --constraint constraints.txt . \
    && python -c "import bot.cli, bot.app"

# -- runtime: slim, non-root, content and data as volumes ------------------------
FROM ${PYTHON_IMAGE} AS runtime
# git: CONTENT_GIT_URL clones and pulls with the git CLI; tzdata: SITE_TIMEZONE.
# Versions come from the base image's Debian release (security updates included).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates git tzdata \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 10001 bot \
    && useradd --uid 10001 --gid bot --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin bot \
    && mkdir -p /data \
    && chown bot:bot /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY content ./content
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CONTENT_DIR=/app/content \
    DATA_DIR=/data
VOLUME ["/app/content", "/data"]
USER 10001:10001
# Healthy only when the heartbeat the bot writes to /data is fresh and says
# "gateway connected" and "index loaded".
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "health"]
# The bot closes within 8 s of SIGTERM (Docker waits 10 s before SIGKILL).
STOPSIGNAL SIGTERM
ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
