"""One JSON object per log line (time, level, logger, message, and the exception if any)."""

import json
import logging
from datetime import UTC, datetime


class JSONFormatter(logging.Formatter):
    FIELDS = ("status_code", "request_id", "source")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in self.FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
