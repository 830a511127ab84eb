"""Alerts a steward can act on: what failed, on which file, the error, and what to do.

Every alert goes to the alert log (data/alerts.log by default). A webhook (its URL read from the
environment variable named in impact.toml, never from the repository) and e-mail (SMTP settings in
impact.toml) are added when configured. A sink that fails is noted in the log; it never raises.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import smtplib
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage

from partnership.config import Settings


@dataclass
class Alert:
    subject: str
    job: str = ""
    run_id: str = ""
    failed: list[str] = field(default_factory=list)  # steps, assets or checks
    files: list[str] = field(default_factory=list)  # landing files, as feed/name
    error: str = ""
    what_to_do: str = ""
    raised_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def text(self) -> str:
        lines = [f"==== {self.raised_at:%Y-%m-%d %H:%M:%S} UTC  {self.subject}"]
        for label, value in (("job", self.job),
                             ("run", f"{self.run_id} (Dagster UI → Runs)" if self.run_id else ""),
                             ("failed", ", ".join(self.failed)), ("file(s)", ", ".join(self.files)),
                             ("error", self.error), ("what to do", self.what_to_do)):
            if value:
                lines.append(f"{label + ':':<12}" + value.replace("\n", "\n" + " " * 12))
        return "\n".join(lines) + "\n\n"


def what_to_do(failed: list[str], files: list[str], error: str) -> str:
    if any("publication_gate" in step for step in failed):
        return ("the publication gate stopped this reporting year: nothing was published. Read the failed "
                "expectations (`impact status`, or the check's metadata in the UI), correct the source data, "
                "then run `impact publish --year <year>` again.")
    if "another process is writing" in error:
        return "another process held the warehouse; run it again when that process has finished."
    if files:
        feeds = sorted({f.split("/")[0] for f in files})
        return (f"fix the file as the error says, then drop the corrected file "
                f"into landing/{feeds[0]}/ (a changed file is taken as new), or remove it. Nothing of it "
                f"was loaded. The rules: docs/ingest-policy.md.")
    return ("open the run in the Dagster UI, read the failed step's log, fix the cause and re-execute the run "
            "(\"Re-execute from failure\").")


def send(settings: Settings, alert: Alert) -> list[str]:
    """Deliver to every configured sink; returns one line per sink saying what happened."""
    outcomes = [_to_log(settings, alert.text())]
    if settings.alerts.webhook_url_env:
        outcomes.append(_guarded("webhook", lambda: _to_webhook(settings, alert)))
    if settings.alerts.smtp_host and settings.alerts.email_to:
        outcomes.append(_guarded("e-mail", lambda: _to_email(settings, alert)))
    problems = [o for o in outcomes[1:] if "FAILED" in o]
    if problems:
        _to_log(settings, "".join(f"  (alert delivery {p})\n" for p in problems) + "\n")
    return outcomes


def _guarded(name: str, deliver) -> str:
    try:
        return f"{name}: {deliver()}"
    except Exception as exc:  # a broken sink must not hide the alert or stop the sensor
        return f"{name}: FAILED ({type(exc).__name__}: {exc})"


def _to_log(settings: Settings, text: str) -> str:
    path = settings.alerts_path
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)
    return f"log: {path}"


def _to_webhook(settings: Settings, alert: Alert) -> str:
    url = os.environ.get(settings.alerts.webhook_url_env, "")
    if not url:
        raise RuntimeError(f"environment variable {settings.alerts.webhook_url_env} is not set")
    body = json.dumps({"text": alert.text().strip(), "subject": alert.subject, "job": alert.job,
                       "run_id": alert.run_id, "files": alert.files}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return f"sent (HTTP {response.status})"


def email_message(settings: Settings, alert: Alert) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"[{settings.partnership.short_name} impact] {alert.subject}"
    message["From"] = settings.alerts.email_from
    message["To"] = ", ".join(settings.alerts.email_to)
    message.set_content(alert.text())
    return message


def _to_email(settings: Settings, alert: Alert) -> str:
    config = settings.alerts
    with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=10) as smtp:
        if config.smtp_starttls:
            smtp.starttls()
        if config.smtp_user_env:
            smtp.login(os.environ.get(config.smtp_user_env, ""), os.environ.get(config.smtp_password_env, ""))
        smtp.send_message(email_message(settings, alert))
    return f"sent to {', '.join(config.email_to)}"
