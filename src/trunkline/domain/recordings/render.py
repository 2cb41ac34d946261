"""A recording's file content, from its description alone: synthesised speech, encoded.

Everything that decides the bytes is in ``RecordingAudio`` (plus the codec and ``RENDER_VERSION``),
so a file rendered once can be kept and served for as long as its ``cache_key`` is the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from trunkline.domain.recordings import audio, encoding

RENDER_VERSION = 1
"""Bump when the synthesis or the encoder settings change: files rendered before are not reused."""
MAX_DURATION_MS = 6 * 3600 * 1000
"""Longer than any call (TimeLimit is at most 4 h); a longer stored length is cut to this."""


@dataclass(frozen=True, slots=True)
class RecordingAudio:
    call_sid: str
    kind: str  # conversation | voicemail
    channels: str  # single | dual
    format: str  # mp3 | mp3-hq
    duration_ms: int

    @property
    def clamped_ms(self) -> int:
        return min(max(self.duration_ms, 0), MAX_DURATION_MS)


def media_type(codec: str) -> str:
    return encoding.MP3_TYPE if codec == "mp3" else encoding.WAV_TYPE


def cache_key(recording: RecordingAudio, codec: str) -> str:
    """A short digest of everything the file's bytes depend on."""
    text = "|".join(
        map(
            str,
            (
                RENDER_VERSION,
                codec,
                recording.call_sid,
                recording.kind,
                recording.channels,
                recording.format,
                recording.clamped_ms,
            ),
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def render(recording: RecordingAudio, *, mp3: bool | None = None) -> Iterator[bytes]:
    """The file's bytes in pieces (MP3, or WAV when ``mp3`` is False or lameenc is missing)."""
    rate = encoding.profile(recording.format).sample_rate
    layout = audio.layout_for(recording.channels, rate)
    frames = audio.frames_for(recording.clamped_ms, rate)
    encoder, feed = encoding.open_encoder(recording.format, layout.channels, frames, mp3=mp3)
    for pcm in audio.synthesise(recording.call_sid, feed, layout, kind=recording.kind):
        piece = encoder.encode(pcm)
        if piece:
            yield piece
    tail = encoder.finish()
    if tail:
        yield tail
