"""The call record a run produces, as every dialect shows it, and the recording it leaves.

Derived from the run state alone, each time the engine writes a run: a run is the truth, a
``Call`` is how it looks from outside (v1's leg statuses, Duration and Price once settled).
"""

from __future__ import annotations

from dataclasses import dataclass

from trunkline.domain.calls.model import Call, Leg
from trunkline.domain.calls.pricing import RateTable
from trunkline.domain.calls.run_state import CallRun, LegStatus, Phase

#: How v1 shows a leg's status (Leg1Status/Leg2Status).
_SHOWN_LEG_STATUS = {LegStatus.DIALING: "queued", LegStatus.ANSWERED: "in-progress"}


@dataclass(frozen=True, slots=True)
class RecordingSpec:
    """What a recorded call's audio file must be."""

    path: str
    kind: str  # conversation | voicemail
    channels: str  # single | dual
    format: str  # mp3 | mp3-hq
    duration_ms: int


def recorded_segments(run: CallRun) -> list[tuple[int, int, str]]:
    """The recorded stretches of the call: (start, end, kind), in order."""
    if run.flow is not None:
        return [(int(start), int(end), str(kind)) for start, end, kind in run.flow.recorded]
    if run.record and run.bridged_at is not None and run.ended_at is not None:
        return [(run.bridged_at, run.ended_at, "conversation")]
    return []


def recording(run: CallRun) -> RecordingSpec | None:
    """The recording of a call that ended with something recorded (docs/api-choices.md §Recording links)."""
    if run.ended_at is None:
        return None
    segments = recorded_segments(run)
    duration_ms = sum(end - start for start, end, _ in segments)
    if duration_ms <= 0:
        return None
    kinds = {kind for _, _, kind in segments}
    return RecordingSpec(
        path=f"exotelrecordings/{run.account_sid}/{run.sid}.mp3",
        kind="conversation" if "conversation" in kinds else "voicemail",
        channels=run.recording_channels,
        format=run.recording_format,
        duration_ms=duration_ms,
    )


def recording_path(run: CallRun) -> str | None:
    spec = recording(run)
    return spec.path if spec else None


def conversation_seconds(run: CallRun) -> int:
    """Seconds both parties were on the call (the legs a flow connected, one after another); for a
    flow call that connected no one, the caller's time in the flow."""
    talk = sum(leg.on_call_seconds for leg in run.legs[1:])
    if talk == 0 and run.flow_app_id and run.is_over and run.legs:
        return run.legs[0].on_call_seconds
    return talk


def to_call(run: CallRun, rates: RateTable) -> Call:
    """The stored call record of a run. Duration and Price appear once the call has settled."""
    start_time = run.legs[0].dialed_at if run.legs else run.created_at
    settled = run.phase == Phase.SETTLED
    answered = [leg for leg in reversed(run.legs) if leg.answered_by]
    return Call(
        sid=run.sid,
        account_sid=run.account_sid,
        date_created=run.created_at,
        date_updated=run.updated_at or run.created_at,
        from_number=run.from_number,
        to_number=run.to_number if run.to_number is not None else run.caller_id,
        phone_number=run.caller_id,
        status=run.status,
        direction=run.direction,
        start_time=start_time,
        end_time=run.ended_at,
        duration=(run.ended_at // 1000 - start_time // 1000) if settled and run.ended_at else None,
        price_micros=rates.price_micros((leg.number, leg.on_call_seconds) for leg in run.legs)
        if settled
        else None,
        answered_by=answered[0].answered_by if answered else None,
        recording_path=recording_path(run),
        conversation_duration=conversation_seconds(run) if run.is_over else None,
        custom_field=run.custom_field,
        flow_app_id=run.flow_app_id,
        ivr_keys=",".join(run.flow.keys) if run.flow is not None and run.flow.keys else None,
        legs=[
            Leg(
                number,
                leg.number,
                _SHOWN_LEG_STATUS.get(LegStatus(leg.status), leg.status),
                leg.on_call_seconds,
                leg.answered_by,
            )
            for number, leg in enumerate(run.legs, start=1)
        ],
    )
