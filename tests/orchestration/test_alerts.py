"""Run-failure alerts: a real failed landing run becomes a readable block; webhook and e-mail sinks."""

from __future__ import annotations

import json
import os
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterEventType, build_run_status_sensor_context, instance_for_test

from orchestration.alerts import Alert, email_message, send, what_to_do

CORPUS = Path(__file__).resolve().parents[1] / "ingest" / "corpus"


@pytest.fixture(scope="module")
def failed_landing_run(tmp_path_factory):
    """The ingest run the landing sensor starts for a truncated spend file, executed for real."""
    from orchestration.definitions import build_definitions
    from orchestration.landing import landing_tags
    from orchestration.sensors.landing import run_request
    from partnership.config import load_settings

    saved = dict(os.environ)
    os.environ["IMPACT_PSEUDONYMISATION_KEY"] = "test-key-0123456789abcdef"
    try:
        settings = load_settings(data_dir=tmp_path_factory.mktemp("alerts") / "data")
        path = settings.landing_dir / "spend" / "oxford-2024-05.csv"
        path.parent.mkdir(parents=True)
        path.write_bytes((CORPUS / "truncated_in_quotes.csv").read_bytes())
        defs = build_definitions(settings)
        spend_keys = defs.resolve_assets_def(AssetKey(["raw", "spend__payments"])).keys
        request = run_request("spend", path, "ab" * 32, spend_keys)
        assert request.tags == landing_tags("spend", path.name, "ab" * 32)
        with instance_for_test() as instance:
            result = defs.resolve_job_def(request.job_name).execute_in_process(
                instance=instance, tags=request.tags, asset_selection=request.asset_selection,
                raise_on_error=False)
            assert not result.success
            yield settings, defs, instance, instance.get_run_by_id(result.run_id)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_a_failed_landing_run_writes_a_readable_alert(failed_landing_run):
    settings, defs, instance, run = failed_landing_run
    [failure] = instance.all_logs(run.run_id, of_type=DagsterEventType.RUN_FAILURE)
    sensor = defs.resolve_sensor_def("run_failure_alerts")
    context = build_run_status_sensor_context(
        sensor_name=sensor.name, dagster_event=failure.dagster_event, dagster_instance=instance,
        dagster_run=run).for_run_failure()
    sensor(context)
    block = settings.alerts_path.read_text(encoding="utf-8")
    assert block.startswith("==== ") and "run failed: ingest_job on spend/oxford-2024-05.csv" in block
    lines = dict(line.split(":", 1) for line in block.splitlines()[1:] if line and not line.startswith(" "))
    assert lines["job"].strip() == "ingest_job"
    assert lines["run"].strip().startswith(run.run_id)
    assert lines["failed"].strip() == "ingest_spend"
    assert lines["file(s)"].strip() == "spend/oxford-2024-05.csv (sha256 abababababab…)"
    assert lines["error"].strip() == "oxford-2024-05.csv: the file ends inside a quoted field (truncated?)"
    assert "drop the corrected file into landing/spend/" in lines["what to do"]
    sensor(context)  # a second failure appends a second block, the first stays
    assert settings.alerts_path.read_text(encoding="utf-8").count("==== ") == 2


def test_what_to_do_names_the_gate_and_the_lock():
    assert "impact publish --year" in what_to_do(["metrics_publication_gate"], [], "")
    assert "when that process has finished" in what_to_do(
        ["ingest_spend"], [], "another process is writing /x/impact.duckdb (lock ...)")
    assert "Re-execute from failure" in what_to_do(["impact_dbt_models"], [], "dbt build failed")


ALERT = Alert(subject="run failed: ingest_job on spend/x.csv", job="ingest_job", run_id="r1",
              failed=["ingest_spend"], files=["spend/x.csv"], error="x.csv: binary content, not a text file",
              what_to_do="fix it")


@pytest.fixture
def webhook():
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()


def test_webhook_gets_the_alert_when_its_url_is_in_the_named_variable(settings, webhook, monkeypatch):
    url, received = webhook
    settings.alerts.webhook_url_env = "IMPACT_TEST_WEBHOOK"
    monkeypatch.setenv("IMPACT_TEST_WEBHOOK", url)
    outcomes = send(settings, ALERT)
    assert outcomes[1] == "webhook: sent (HTTP 204)"
    [body] = received
    assert body["files"] == ["spend/x.csv"] and "binary content, not a text file" in body["text"]
    assert "x.csv: binary content" in settings.alerts_path.read_text(encoding="utf-8")


def test_a_broken_sink_is_noted_and_never_raises(settings, monkeypatch):
    settings.alerts.webhook_url_env = "IMPACT_TEST_WEBHOOK"
    monkeypatch.delenv("IMPACT_TEST_WEBHOOK", raising=False)
    outcomes = send(settings, ALERT)
    assert outcomes[1].startswith("webhook: FAILED (RuntimeError: environment variable IMPACT_TEST_WEBHOOK")
    log = settings.alerts_path.read_text(encoding="utf-8")
    assert "binary content" in log and "(alert delivery webhook: FAILED" in log


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib to deliver one message (no aiosmtpd in the environment)."""

    messages: list[bytes] = []

    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 go ahead\r\n")
                body = b"".join(iter(lambda: self.rfile.readline(), b".\r\n"))
                self.messages.append(body)
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            self.wfile.write(b"250 ok\r\n")


def test_email_alert_is_delivered_over_smtp(settings):
    server = socketserver.TCPServer(("127.0.0.1", 0), _Smtp)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.alerts.smtp_host, settings.alerts.smtp_port = "127.0.0.1", server.server_address[1]
        settings.alerts.email_to = ["steward@example.org"]
        outcomes = send(settings, ALERT)
    finally:
        server.shutdown()
        server.server_close()
    assert outcomes[1] == "e-mail: sent to steward@example.org"
    [raw] = _Smtp.messages
    assert b"Subject: [OIEP impact] run failed: ingest_job on spend/x.csv" in raw
    assert b"binary content, not a text file" in raw
    message = email_message(settings, ALERT)
    assert message["To"] == "steward@example.org" and message["From"] == "impact-warehouse@localhost"
