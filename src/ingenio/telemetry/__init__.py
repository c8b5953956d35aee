"""Telemetry over MQTT: the edge agent, the ingester and what travels between them.

``payloads`` (topics and JSON Schemas), ``outbox`` (the agent's SQLite outbox),
``agent`` (publish QoS 1, delete on PUBACK, backfill), ``simulate`` (a plant that
follows its plan), ``csvdrop`` (a folder of CSV files), ``stream`` (parsing and the
per-meter rules) and ``ingest`` (MQTT v5 persistent session, ack after commit).
The store writes the ingester's batches; the edges reach all this through
:mod:`ingenio.services.telemetry`. See ``docs/telemetry.md``.
"""
