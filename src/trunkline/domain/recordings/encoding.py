"""Encoding a recording's PCM: MP3 with LAME (the ``lameenc`` package), or WAV when it is missing.

| ``RecordingFormat`` | Sample rate | single (mono) | dual (stereo) |
|---|---|---|---|
| ``mp3``    | 8 kHz (telephone, MPEG-2.5)  | 32 kbit/s CBR | 48 kbit/s CBR |
| ``mp3-hq`` | 16 kHz (wideband, MPEG-2)    | 64 kbit/s CBR | 96 kbit/s CBR |

LAME's algorithm quality is 7 ("fast") for ``mp3`` and 5 (its default) for ``mp3-hq``: on
synthetic telephone speech the difference is inaudible, and it keeps an hour-long call to
seconds of CPU.

Both are constant bit rate, so the byte size of a file is proportional to its length (players
seek by it). LAME delays its output by ``MP3_DELAY_FRAMES`` samples of silence (576 for the
encoder, 529 for the decoder's overlap); the synthesiser feeds that much less audio, so a decoded
file lasts the recording's duration rounded up to the next MP3 frame (576 samples: 72 ms at
8 kHz, 36 ms at 16 kHz) rather than an eighth of a second more.

Without ``lameenc`` (an unusual platform without a wheel) the same audio is written as 16-bit PCM
WAV at the same sample rate, served as ``audio/wav``.
"""

from __future__ import annotations

import contextlib
import importlib
import struct
from dataclasses import dataclass
from typing import Any, Protocol

lameenc: Any = None
# A dependency of the project; only a platform without a wheel for it lacks it (then: WAV).
with contextlib.suppress(ImportError):
    lameenc = importlib.import_module("lameenc")

MP3, MP3_HQ = "mp3", "mp3-hq"
MP3_TYPE, WAV_TYPE = "audio/mpeg", "audio/wav"
MP3_DELAY_FRAMES = 1105
MP3_FRAME_SAMPLES = 576  # per channel, in a MPEG-2 / 2.5 layer III frame


@dataclass(frozen=True, slots=True)
class Profile:
    sample_rate: int
    mono_kbps: int
    stereo_kbps: int
    lame_quality: int  # 0 best … 9 fastest

    def kbps(self, channels: int) -> int:
        return self.stereo_kbps if channels == 2 else self.mono_kbps


PROFILES = {MP3: Profile(8000, 32, 48, 7), MP3_HQ: Profile(16000, 64, 96, 5)}


def profile(recording_format: str) -> Profile:
    try:
        return PROFILES[recording_format]
    except KeyError:
        raise ValueError(f"RecordingFormat must be mp3 or mp3-hq, not {recording_format!r}") from None


class Encoder(Protocol):
    media_type: str
    codec: str
    """``mp3`` or ``wav``: what the bytes are (part of a rendered file's cache key)."""
    delay_frames: int
    """Silent frames the codec adds at the start, which the caller leaves out of its input."""

    def encode(self, pcm: bytes) -> bytes: ...

    def finish(self) -> bytes: ...


def mp3_available() -> bool:
    return lameenc is not None


class Mp3Encoder:
    media_type = MP3_TYPE
    codec = "mp3"
    delay_frames = MP3_DELAY_FRAMES

    def __init__(self, sample_rate: int, channels: int, kbps: int, quality: int) -> None:
        if lameenc is None:  # pragma: no cover
            raise RuntimeError("lameenc is not installed")
        self._lame = lameenc.Encoder()
        self._lame.set_in_sample_rate(sample_rate)
        self._lame.set_out_sample_rate(sample_rate)  # never resample
        self._lame.set_channels(channels)
        self._lame.set_bit_rate(kbps)
        self._lame.set_quality(quality)
        self._lame.silence()
        self._frame_bytes = 2 * channels
        self._started = False

    def encode(self, pcm: bytes) -> bytes:
        self._started = self._started or bool(pcm)
        return bytes(self._lame.encode(pcm))

    def finish(self) -> bytes:
        # LAME refuses to flush an encoder that never saw a sample: give a near-empty recording
        # one silent sample, so it still becomes a valid (one-frame-or-so) file.
        head = b"" if self._started else self.encode(bytes(self._frame_bytes))
        return head + bytes(self._lame.flush())


class WavEncoder:
    """16-bit PCM in a RIFF/WAVE container. The length is known up front, so the header is exact."""

    media_type = WAV_TYPE
    codec = "wav"
    delay_frames = 0

    def __init__(self, sample_rate: int, channels: int, frames: int) -> None:
        data = frames * channels * 2
        self._header = b"RIFF" + struct.pack("<I", 36 + data) + b"WAVE"
        self._header += b"fmt " + struct.pack(
            "<IHHIIHH", 16, 1, channels, sample_rate, sample_rate * channels * 2, channels * 2, 16
        )
        self._header += b"data" + struct.pack("<I", data)

    def encode(self, pcm: bytes) -> bytes:
        header, self._header = self._header, b""
        return header + pcm

    def finish(self) -> bytes:
        return self._header  # the header alone when there was no audio at all


def codec_name(*, mp3: bool | None = None) -> str:
    """What a new file would be encoded as: ``mp3``, or ``wav`` without lameenc."""
    return "mp3" if (mp3_available() if mp3 is None else mp3) else "wav"


def open_encoder(
    recording_format: str, channels: int, frames: int, *, mp3: bool | None = None
) -> tuple[Encoder, int]:
    """An encoder for ``frames`` sample frames of ``channels`` at the format's sample rate, and the
    frames of PCM to feed it (fewer than ``frames`` by the codec's delay, so the decoded length is
    right). ``mp3=False`` forces the WAV fallback."""
    chosen = profile(recording_format)
    if codec_name(mp3=mp3) == "mp3":
        encoder = Mp3Encoder(chosen.sample_rate, channels, chosen.kbps(channels), chosen.lame_quality)
        return encoder, max(0, frames - MP3_DELAY_FRAMES)
    return WavEncoder(chosen.sample_rate, channels, frames), frames
