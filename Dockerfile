# syntax=docker/dockerfile:1
FROM python:3.11-slim
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir -c constraints.txt .
USER 10001
CMD ["python", "-m", "bot", "run"]
