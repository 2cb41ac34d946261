"""Recording audio without a server: the synthesiser is deterministic, exact in length, puts each
speaker on its own side in dual, and the encoders give files of the right length and layout."""

from __future__ import annotations

import io
import time
import wave
from array import array

import miniaudio
import pytest

from trunkline.domain.recordings import audio, encoding
from trunkline.domain.recordings.render import RecordingAudio, cache_key, render

SID = "5f2a9c0e3b8d4e6fa1b2c3d4e5f60718"


def _pcm(
    sid: str, frames: int, channels: str, rate: int = 8000, kind: str = audio.CONVERSATION
) -> array[int]:
    samples = array("h", b"".join(audio.synthesise(sid, frames, audio.layout_for(channels, rate), kind=kind)))
    return samples


def test_the_same_sid_gives_the_same_audio_and_another_sid_other_audio() -> None:
    assert _pcm(SID, 40_000, "dual") == _pcm(SID, 40_000, "dual")
    assert _pcm(SID, 40_000, "dual") != _pcm("another" + SID[7:], 40_000, "dual")


def test_a_longer_recording_starts_with_the_shorter_one() -> None:
    assert _pcm(SID, 90_000, "single")[:30_000] == _pcm(SID, 30_000, "single")


@pytest.mark.parametrize("frames", [0, 1, 7, 8000, 8001, 123_457])
@pytest.mark.parametrize("channels", ["single", "dual"])
def test_the_length_is_exact(frames: int, channels: str) -> None:
    layout = audio.layout_for(channels, 8000)
    chunks = list(audio.synthesise(SID, frames, layout))
    assert sum(map(len, chunks)) == frames * layout.frame_bytes
    assert all(len(chunk) % layout.frame_bytes == 0 for chunk in chunks)


def test_dual_puts_the_caller_left_and_the_callee_right_taking_turns() -> None:
    stereo = _pcm(SID, 8000 * 60, "dual")
    left, right = stereo[0::2], stereo[1::2]
    assert max(map(abs, left)) > 4000 and max(map(abs, right)) > 4000
    assert not any(a and b for a, b in zip(left, right, strict=True))  # never both at once
    # Each side talks for a good part of the minute, and is silent for a good part.
    for side in (left, right):
        talking = sum(1 for second in range(60) if any(side[second * 8000 : (second + 1) * 8000]))
        assert 10 <= talking <= 55


def test_single_is_the_mix_of_the_two_dual_channels() -> None:
    stereo = _pcm(SID, 8000 * 20, "dual")
    mono = _pcm(SID, 8000 * 20, "single")
    assert list(mono) == [a + b for a, b in zip(stereo[0::2], stereo[1::2], strict=True)]


def test_a_voicemail_is_one_speaker() -> None:
    stereo = _pcm(SID, 8000 * 30, "dual", kind=audio.VOICEMAIL)
    assert max(map(abs, stereo[0::2])) > 4000
    assert not any(stereo[1::2])


def test_silence_between_words_and_turns() -> None:
    mono = _pcm(SID, 8000 * 30, "single")
    quiet_10ms = sum(1 for i in range(0, len(mono), 80) if not any(mono[i : i + 80]))
    assert 0.15 < quiet_10ms / (len(mono) / 80) < 0.7


def test_an_hour_synthesises_in_seconds() -> None:
    started = time.perf_counter()
    size = sum(map(len, audio.synthesise(SID, 16000 * 3600, audio.layout_for("dual", 16000))))
    assert size == 16000 * 3600 * 4
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(
    ("recording_format", "channels", "rate", "nchannels"),
    [
        ("mp3", "single", 8000, 1),
        ("mp3", "dual", 8000, 2),
        ("mp3-hq", "single", 16000, 1),
        ("mp3-hq", "dual", 16000, 2),
    ],
)
@pytest.mark.parametrize("duration_ms", [0, 1500, 61_234])
def test_the_mp3_decodes_to_the_duration_within_a_frame(
    recording_format: str, channels: str, rate: int, nchannels: int, duration_ms: int
) -> None:
    data = b"".join(render(RecordingAudio(SID, "conversation", channels, recording_format, duration_ms)))
    decoded = miniaudio.mp3_read_s16(data)
    assert (decoded.sample_rate, decoded.nchannels) == (rate, nchannels)
    expected = audio.frames_for(duration_ms, rate)
    if duration_ms:
        assert expected <= decoded.num_frames <= expected + 2 * encoding.MP3_FRAME_SAMPLES
    else:  # an empty recording is still a playable file
        assert decoded.num_frames <= 4 * encoding.MP3_FRAME_SAMPLES
    kbps = encoding.profile(recording_format).kbps(nchannels)
    assert len(data) == pytest.approx(decoded.num_frames / rate * kbps * 125, rel=0.05, abs=2000)


@pytest.mark.parametrize("channels", ["single", "dual"])
def test_the_wav_fallback_has_the_exact_length_and_layout(channels: str) -> None:
    data = b"".join(render(RecordingAudio(SID, "conversation", channels, "mp3-hq", 2_500), mp3=False))
    with wave.open(io.BytesIO(data)) as wav:
        assert wav.getframerate() == 16000 and wav.getsampwidth() == 2
        assert wav.getnchannels() == (2 if channels == "dual" else 1)
        assert wav.getnframes() == 40_000
        pcm = wav.readframes(wav.getnframes())
    assert pcm == b"".join(audio.synthesise(SID, 40_000, audio.layout_for(channels, 16000)))
    empty = b"".join(render(RecordingAudio(SID, "conversation", channels, "mp3", 0), mp3=False))
    with wave.open(io.BytesIO(empty)) as wav:
        assert wav.getnframes() == 0


def test_the_cache_key_changes_with_everything_the_bytes_depend_on() -> None:
    base = RecordingAudio(SID, "conversation", "single", "mp3", 45_000)
    keys = {
        cache_key(base, "mp3"),
        cache_key(base, "wav"),
        cache_key(RecordingAudio(SID[::-1], "conversation", "single", "mp3", 45_000), "mp3"),
        cache_key(RecordingAudio(SID, "voicemail", "single", "mp3", 45_000), "mp3"),
        cache_key(RecordingAudio(SID, "conversation", "dual", "mp3", 45_000), "mp3"),
        cache_key(RecordingAudio(SID, "conversation", "single", "mp3-hq", 45_000), "mp3"),
        cache_key(RecordingAudio(SID, "conversation", "single", "mp3", 45_001), "mp3"),
    }
    assert len(keys) == 7


def test_bad_descriptions_are_refused() -> None:
    with pytest.raises(ValueError, match="RecordingFormat"):
        encoding.profile("wav")
    with pytest.raises(ValueError, match="channels"):
        audio.layout_for("stereo", 8000)
