"""Speech-like audio for a recording: deterministic PCM from the call Sid, fast for hour-long calls.

No real voices exist in the sandbox, so a recording is synthesised: two speakers (caller and
callee) take turns, each turn a run of "syllables" — a voiced tone whose pitch glides, shaped by
vowel-like formant peaks, with a short noisy consonant onset — separated by word gaps and the
pauses between turns. A voicemail is one speaker with pauses.

Speed comes from tiling: each call draws a small bank of syllables per speaker once (a few
hundred milliseconds of audio, rendered sample by sample from a one-period wavetable), and the
whole recording is those byte blocks and runs of silence laid end to end. An hour of audio is
about ten thousand block copies, not a hundred million samples computed in Python.

Layouts: ``single`` is one mono channel; ``dual`` is interleaved stereo with leg 1 (the caller)
on the left and leg 2 on the right. Speakers never overlap, so the mono mix of a call is exactly
the sum of its two dual channels (a test holds this). Samples are signed 16-bit little-endian.
"""

from __future__ import annotations

import hashlib
import math
import random
import sys
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

SINGLE, DUAL = "single", "dual"
CONVERSATION, VOICEMAIL = "conversation", "voicemail"

_SEED_DOMAIN = b"trunkline recording v1\x00"
_TABLE_BITS = 11
_TABLE_SIZE = 1 << _TABLE_BITS
_PEAK = 12_000  # of 32,767: speech peaks around -8.7 dBFS, clear of clipping after encoding
_SYLLABLES_PER_SPEAKER = 14
_Draw = Callable[[], float]
_CHUNK_SECONDS = 1.0
"""Size of the PCM chunks handed to the encoder: small enough to keep memory flat for long calls."""

# Vowel formants (F1, F2, F3) in Hz: enough spectral shape to sound like speech, not like a beep.
_VOWELS = (
    (730, 1090, 2440),  # a
    (270, 2290, 3010),  # i
    (300, 870, 2240),  # u
    (530, 1840, 2480),  # e
    (570, 840, 2410),  # o
    (660, 1720, 2410),  # ae
)
# Speaker voices: base pitch (Hz), formant scale (shorter vocal tracts have higher formants).
_VOICES = (
    (105.0, 0.96),
    (120.0, 1.0),
    (138.0, 1.02),
    (175.0, 1.1),
    (205.0, 1.14),
    (230.0, 1.17),
)


@dataclass(frozen=True, slots=True)
class PcmLayout:
    sample_rate: int
    channels: int  # 1 (single) or 2 (dual)

    @property
    def frame_bytes(self) -> int:
        return 2 * self.channels


def layout_for(channels: str, sample_rate: int) -> PcmLayout:
    if channels not in (SINGLE, DUAL):
        raise ValueError(f"channels must be single or dual, not {channels!r}")
    return PcmLayout(sample_rate, 2 if channels == DUAL else 1)


def frames_for(duration_ms: int, sample_rate: int) -> int:
    """Sample frames (per channel) in ``duration_ms`` of audio."""
    return max(0, (duration_ms * sample_rate + 500) // 1000)


def seed_of(call_sid: str) -> int:
    return int.from_bytes(hashlib.sha256(_SEED_DOMAIN + call_sid.encode()).digest()[:8], "big")


def synthesise(call_sid: str, frames: int, layout: PcmLayout, *, kind: str = CONVERSATION) -> Iterator[bytes]:
    """``frames`` sample frames of speech-like audio for ``call_sid``, in chunks of about a second.

    The same Sid, length, layout and kind always give the same bytes."""
    rng = random.Random(seed_of(call_sid))
    draw = rng.random
    speakers = 1 if kind == VOICEMAIL else 2
    first = int(draw() * len(_VOICES))
    # The second voice differs from the first by at least two steps: two distinct-sounding people.
    second = (first + 2 + int(draw() * (len(_VOICES) - 3))) % len(_VOICES)
    rate = layout.sample_rate
    banks = [_syllable_bank(draw, voice, rate) for voice in (first, second)[:speakers]]
    blocks = [[_place(pcm, speaker, layout) for pcm in bank] for speaker, bank in enumerate(banks)]

    total = frames * layout.frame_bytes
    chunk = max(layout.frame_bytes, int(_CHUNK_SECONDS * rate) * layout.frame_bytes)
    silence = bytes(chunk)
    out = bytearray()
    produced = 0
    for speaker, pieces in _timeline(draw, speakers, rate):
        if speaker < 0:
            gap = pieces * layout.frame_bytes
            while gap:
                step = min(gap, chunk)
                out += silence[:step]
                gap -= step
        else:
            out += blocks[speaker][pieces]
        while len(out) >= chunk:
            step = min(chunk, total - produced)
            if step:
                yield bytes(out[:step])
            produced += step
            if produced >= total:
                return
            del out[:chunk]
    # The timeline never ends; the loop returns once ``total`` bytes are out.


def _timeline(draw: _Draw, speakers: int, rate: int) -> Iterator[tuple[int, int]]:
    """Endless (speaker, syllable index) and (-1, silent frames) steps."""
    ms = rate // 1000
    yield -1, int((150 + 350 * draw()) * ms)  # the line opens
    speaker = 0
    while True:
        words = 2 + int(draw() * (9 if speakers > 1 else 14))
        if speakers > 1 and draw() < 0.15:
            words = 1  # a short acknowledgement: "mm", "yes"
        for word in range(words):
            for _ in range(1 + int(draw() * 3)):
                yield speaker, int(draw() * _SYLLABLES_PER_SPEAKER)
                yield -1, int((15 + 45 * draw()) * ms)
            if word < words - 1:
                yield -1, int((60 + 160 * draw()) * ms)
        # The pause between turns; a one-person recording only breathes.
        yield -1, int((300 + 700 * draw()) * ms if speakers > 1 else (350 + 900 * draw()) * ms)
        if speakers > 1 and draw() < 0.85:
            speaker = 1 - speaker


def _syllable_bank(draw: _Draw, voice: int, rate: int) -> list[array[int]]:
    pitch = _VOICES[voice][0] * (0.94 + 0.12 * draw())  # this speaker on this call
    bank = []
    for _ in range(_SYLLABLES_PER_SPEAKER):
        table = _wavetable(voice, int(draw() * len(_VOWELS)), rate)
        seconds = 0.11 + 0.21 * draw()
        start = pitch * (0.9 + 0.25 * draw())
        end = start * (0.82 + 0.3 * draw())  # mostly falling, sometimes rising intonation
        gain = 0.55 + 0.45 * draw()
        onset = 0.0 if draw() < 0.35 else 0.012 + 0.03 * draw()  # a consonant, or none
        bank.append(_syllable(table, rate, seconds, start, end, gain, onset, draw))
    return bank


@lru_cache(maxsize=len(_VOICES) * len(_VOWELS) * 4)
def _wavetable(voice: int, vowel: int, rate: int) -> array[float]:
    """One period of a voiced sound: harmonics of the voice's pitch weighted by the vowel's formant
    resonances and a -6 dB/octave glottal tilt, band-limited to the telephone band with room for
    pitch glides below Nyquist. Shared by every call (a few milliseconds each to build)."""
    pitch, formant_scale = _VOICES[voice]
    formants = [f * formant_scale for f in _VOWELS[vowel]]
    top = min(3400.0, 0.45 * rate)
    weights = []
    for k in range(1, int(top / (pitch * 1.2)) + 1):
        f = k * pitch
        resonance = sum(1.0 / (1.0 + ((f - fc) / (60.0 + 0.06 * fc)) ** 2) for fc in formants)
        weights.append((k, resonance / k))
    table = [0.0] * _TABLE_SIZE
    step = 2.0 * math.pi / _TABLE_SIZE
    for k, weight in weights:
        phase = 0.7 * k  # fixed phases keep the peak factor tame
        for i in range(_TABLE_SIZE):
            table[i] += weight * math.sin(k * i * step + phase)
    peak = max(abs(v) for v in table) or 1.0
    return array("d", (v / peak for v in table))


def _syllable(
    table: array[float],
    rate: int,
    seconds: float,
    start_hz: float,
    end_hz: float,
    gain: float,
    onset_s: float,
    draw: _Draw,
) -> array[int]:
    n = max(1, int(seconds * rate))
    attack, release = max(1, int(0.018 * rate)), max(1, int(0.05 * rate))
    noise_n = int(onset_s * rate)
    amplitude = _PEAK * gain
    mask = _TABLE_SIZE - 1
    per_sample = _TABLE_SIZE / rate
    slope = (end_hz - start_hz) / n
    samples = array("h", bytes(2 * (noise_n + n)))
    # A consonant: soft noise, high-passed by a first difference, fading in and out.
    previous = 0.0
    for i in range(noise_n):
        white = draw() * 2.0 - 1.0
        shaped = white - previous
        previous = white
        envelope = math.sin(math.pi * i / noise_n)
        samples[i] = int(0.18 * amplitude * envelope * shaped)
    # The vowel: phase accumulation through the wavetable with a gliding pitch and a smooth envelope.
    phase = 0.0
    for i in range(n):
        if i < attack:
            envelope = 0.5 - 0.5 * math.cos(math.pi * i / attack)
        elif i >= n - release:
            envelope = 0.5 - 0.5 * math.cos(math.pi * (n - i) / release)
        else:
            envelope = 1.0
        samples[noise_n + i] = int(amplitude * envelope * table[int(phase) & mask])
        phase += (start_hz + slope * i) * per_sample
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def _place(pcm: array[int], speaker: int, layout: PcmLayout) -> bytes:
    """A syllable as bytes of the layout: mono as is; stereo on the speaker's side, silence on the other."""
    if layout.channels == 1:
        return pcm.tobytes()
    stereo = array("h", bytes(4 * len(pcm)))
    stereo[speaker::2] = pcm
    return stereo.tobytes()
