"""gankit._atomic.atomic_write: all or nothing, also when the writer fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from gankit._atomic import atomic_write


def test_a_failing_block_keeps_the_previous_file_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "log.csv"
    target.write_text("old\n", encoding="utf-8")
    with (
        pytest.raises(RuntimeError, match="disk on fire"),
        atomic_write(target, "w", encoding="utf-8") as f,
    ):
        f.write("half a new fi")
        raise RuntimeError("disk on fire")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["log.csv"]


def test_a_finished_block_replaces_the_file_and_creates_missing_folders(tmp_path: Path) -> None:
    target = tmp_path / "new" / "folder" / "blob.bin"
    with atomic_write(target) as f:
        f.write(b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    with atomic_write(target) as f:
        f.write(b"\x02")
    assert target.read_bytes() == b"\x02"
    assert [p.name for p in target.parent.iterdir()] == ["blob.bin"]


def test_the_file_gets_the_mode_a_plain_open_would_give(tmp_path: Path) -> None:
    # mkstemp's 0600 used to leak into checkpoints and logs, while pictures and
    # config.toml (written with open()) got 0644 under the usual umask.
    import os

    old = os.umask(0o022)
    try:
        plain = tmp_path / "plain.txt"
        plain.write_text("x", encoding="utf-8")
        target = tmp_path / "atomic.bin"
        with atomic_write(target) as f:
            f.write(b"x")
        assert plain.stat().st_mode & 0o777 == 0o644
        assert target.stat().st_mode & 0o777 == 0o644
        os.umask(0o077)
        with atomic_write(target) as f:
            f.write(b"y")
        assert target.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)
