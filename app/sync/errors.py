"""Why a sync file or command was refused (a catalogue message, like every refusal)."""

from app.kit.errors import Refusal


class SyncRefused(Refusal):
    status, code = 409, "sync_refused"
