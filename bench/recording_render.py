"""Render speed of recording files: ``python -m bench.recording_render [--minutes 1 60] [--rounds N]``.

For each length, format and channel layout, times what a first request for a recording costs:
synthesising the speech, encoding it (LAME through lameenc) and writing the file, through
``RecordingFiles.ensure`` into a temporary directory. Synthesis alone is timed too, to show where
the time goes. Prints one Markdown table row per case (seconds, times faster than real time,
file size). With ``--rounds N`` each case runs N times and the fastest counts (the machine is
shared; the fastest run is the one least disturbed).
"""

from __future__ import annotations

import argparse
import tempfile
import time

from trunkline.domain.recordings import audio, encoding
from trunkline.engine.recordings.files import RecordingFiles
from trunkline.store.recordings import Recording

SID = "9b1f0c2d3e4a5b6c7d8e9f0a1b2c3d4e"


def _synthesis_seconds(minutes: float, channels: str, recording_format: str) -> float:
    rate = encoding.profile(recording_format).sample_rate
    layout = audio.layout_for(channels, rate)
    started = time.perf_counter()
    for _ in audio.synthesise(SID, audio.frames_for(int(minutes * 60_000), rate), layout):
        pass
    return time.perf_counter() - started


def _render(files: RecordingFiles, recording: Recording) -> tuple[float, int]:
    started = time.perf_counter()
    file = files.ensure(recording)
    seconds = time.perf_counter() - started
    size = file.path.stat().st_size
    file.path.unlink()
    return seconds, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, nargs="+", default=[1, 60])
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    print(f"lameenc: {'yes' if encoding.mp3_available() else 'no (WAV fallback)'}")
    print("| Length | Format | Channels | Synthesis s | Render + write s | × real time | File |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="trunkline-bench-rec-") as tmp:
        files = RecordingFiles(tmp)
        for minutes in args.minutes:
            for recording_format in ("mp3", "mp3-hq"):
                for channels in ("single", "dual"):
                    synthesis = min(
                        _synthesis_seconds(minutes, channels, recording_format) for _ in range(args.rounds)
                    )
                    recording = Recording(
                        1, "bench", SID, f"exotelrecordings/bench/{SID}.mp3", "conversation",
                        channels, recording_format, int(minutes * 60_000),
                    )  # fmt: skip
                    seconds, size = min(_render(files, recording) for _ in range(args.rounds))
                    print(
                        f"| {minutes:g} min | {recording_format} | {channels} | {synthesis:.2f} | "
                        f"{seconds:.2f} | {minutes * 60 / seconds:,.0f}× | {size / 1e6:.1f} MB |"
                    )


if __name__ == "__main__":
    main()
