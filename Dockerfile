FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext nodejs npm make && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
RUN make assets messages && DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --noinput
USER nobody
CMD ["gunicorn", "contactcenter.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4"]
