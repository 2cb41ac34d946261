"""A small application to test: click-to-call for a support desk.

An agent clicks "call" next to a customer; the desk asks Exotel (or Trunkline) to ring the agent
first and then connect the customer, and learns how the call ended from Exotel's status callback,
which its web framework hands to ``on_status_callback``. It knows nothing of Trunkline: it is given
an SDK client, which points at Exotel in production and at the sandbox in tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from trunkline_client import Trunkline, V1StatusCallback, parse_status_callback


@dataclass
class Outcome:
    status: str
    talked_seconds: int | None


class ClickToCall:
    def __init__(self, client: Trunkline, *, caller_id: str, status_callback_url: str) -> None:
        self._client = client
        self._caller_id = caller_id
        self._status_callback_url = status_callback_url
        self.outcomes: dict[str, Outcome] = {}
        """How each call ended, by CallSid, as the status callbacks said."""

    def call_customer(self, agent_phone: str, customer_phone: str, ticket: str) -> str:
        """Ring the agent, then the customer; the call's Sid."""
        call = self._client.calls.connect(
            from_=agent_phone,
            to=customer_phone,
            caller_id=self._caller_id,
            status_callback=self._status_callback_url,
            status_callback_events=["terminal"],
            custom_field=ticket,
        )
        return call.sid

    def on_status_callback(self, body: bytes, content_type: str | None) -> None:
        """The web handler behind ``status_callback_url``: remember how the call ended."""
        event = parse_status_callback(body, content_type)
        if isinstance(event, V1StatusCallback) and event.event_type == "terminal":
            self.outcomes[event.call_sid] = Outcome(str(event.status), event.conversation_duration)
