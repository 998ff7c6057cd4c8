"""Checkpoints that load back what was saved, and damaged ones that fail as CheckpointError."""

from __future__ import annotations

import collections
import os
import pathlib
import random
import struct
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from gankit import Trainer
from gankit.callbacks import Callback
from gankit.losses import NSGAN
from gankit.models import MLPDiscriminator, MLPGenerator
from gankit.training import (
    CHECKPOINT_FORMAT,
    CheckpointError,
    load_checkpoint_file,
    load_generator,
    save_checkpoint_file,
)


class Holder(Callback):
    """A stateful callback whose state is whatever the test puts in it."""

    def __init__(self, state: dict[str, Any], key: str = "history") -> None:
        self.state = state
        self.key = key
        self.loaded: Mapping[str, Any] | None = None

    @property
    def state_key(self) -> str:
        return self.key

    def state_dict(self) -> dict[str, Any]:
        return self.state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.loaded = state


def tiny_trainer(*callbacks: Callback) -> Trainer:
    torch.manual_seed(0)
    G = MLPGenerator(2, (2,), hidden=(4,))
    D = MLPDiscriminator((2,), hidden=(4,))
    return Trainer(G, D, NSGAN(), callbacks=list(callbacks), seed=0, progress_bar=False)


def trained(*callbacks: Callback) -> Trainer:
    trainer = tiny_trainer(*callbacks)
    trainer.fit(torch.randn(64, 2), steps=2, batch_size=16)
    return trainer


@contextmanager
def crc32_off() -> Iterator[None]:
    """Write zip files without CRC-32s, as ``set_crc32_options(False)`` users do."""
    torch.serialization.set_crc32_options(False)
    try:
        yield
    finally:
        torch.serialization.set_crc32_options(True)


def raw_bytes(t: torch.Tensor) -> torch.Tensor:
    """A tensor's values as bytes (bit-exact, NaN payloads included)."""
    return t.reshape(-1).clone(memory_format=torch.contiguous_format).view(torch.uint8)


def assert_same(a: Any, b: Any, where: str = "ckpt") -> None:
    """Equal values of exactly the same types; tensors bit for bit."""
    assert type(a) is type(b), f"{where}: {type(a)} != {type(b)}"
    if isinstance(a, torch.Tensor):
        assert (a.dtype, a.shape, a.requires_grad) == (b.dtype, b.shape, b.requires_grad), where
        assert torch.equal(raw_bytes(a), raw_bytes(b)), where
    elif isinstance(a, np.ndarray):
        assert (a.dtype, a.shape) == (b.dtype, b.shape), where
        assert a.tobytes() == b.tobytes(), where
    elif isinstance(a, np.generic):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), where
    elif isinstance(a, dict):
        assert list(a) == list(b), f"{where}: keys {list(a)} != {list(b)}"
        for key in a:
            assert_same(a[key], b[key], f"{where}[{key!r}]")
        if type(a) is not dict:  # OrderedDict, Counter: their attributes too (``_metadata``)
            assert_same(vars(a), vars(b), f"{where}.__dict__")
    elif isinstance(a, (list, tuple, collections.deque)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
        if isinstance(a, collections.deque):
            assert a.maxlen == b.maxlen, where
    elif isinstance(a, float) and a != a:
        assert b != b, where
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


# --------------------------------------------------------------- (a) states round-trip
def harmless_state() -> dict[str, Any]:
    return {
        "window": collections.deque([1.5, np.float64(2.5), (3, "x")], maxlen=4),
        "unbounded": collections.deque(),
        "best": np.float64(0.25),
        "best32": np.float32(0.5),
        "count": np.int64(7),
        "small": np.uint8(200),
        "flag": np.bool_(True),
        "name": np.str_("run"),
        "curve": np.arange(12, dtype=np.float32).reshape(3, 4),
        "every_other": np.arange(10)[::2],
        "big_endian": np.array([1.0, -2.0], dtype=">f8"),
        "mask": np.array([True, False]),
        "labels": np.array(["a", "bc"]),
        "wide": np.ones(2, dtype=np.longdouble),
        "pair": (1, (2.0, "three"), [np.int32(4)]),
        "seen": {1, "a", (2, 3)},
        "frozen": frozenset({"x", "y"}),
        "ordered": collections.OrderedDict(b=1, a=np.float16(2)),
        "plain": {"nested": [{"t": torch.arange(3)}], 1: None, "z": 1j, "raw": b"\x00\xff"},
    }


def test_callback_state_round_trips_through_trainer_checkpoint(tmp_path: Path) -> None:
    state = harmless_state()
    reference = harmless_state()
    trainer = trained(Holder(state))
    path = trainer.save_checkpoint(tmp_path / "a.pt")
    assert_same(state, reference, "state after saving")  # the caller's objects are untouched
    assert type(state["window"]) is collections.deque and state["window"].maxlen == 4

    restored = Holder({})
    other = tiny_trainer(restored)
    other.load_checkpoint(path)
    assert restored.loaded is not None
    assert_same(dict(restored.loaded), reference, "restored state")
    assert other.step == trainer.step
    for a, b in zip(trainer.generator.parameters(), other.generator.parameters()):
        assert torch.equal(a, b)
    assert load_checkpoint_file(path)["format"] == CHECKPOINT_FORMAT


def test_plain_containers_keep_their_types(tmp_path: Path) -> None:
    state = {
        "tuple": (1, (2,), ()),
        "size": torch.Size([2, 3]),
        "counter": collections.Counter("abca"),
        "dtype": torch.bfloat16,
        "device": torch.device("cpu"),
        "param": torch.nn.Parameter(torch.ones(2)),
        "bytes": bytearray(b"ab"),
        "nan": float("nan"),
    }
    path = save_checkpoint_file({"extra": state}, tmp_path / "p.pt")
    assert_same(load_checkpoint_file(path)["extra"], state)


def test_module_state_dict_metadata_survives(tmp_path: Path) -> None:
    model = torch.nn.BatchNorm1d(3)
    sd = model.state_dict()
    path = save_checkpoint_file({"sd": sd, "n": np.int64(1)}, tmp_path / "m.pt")
    loaded = load_checkpoint_file(path)["sd"]
    assert loaded._metadata == sd._metadata  # type: ignore[attr-defined]


# --------------------------------------------------------------- (b) refused before writing
class Custom:
    pass


UNLOADABLE: dict[str, tuple[object, str]] = {
    "instance": (Custom(), "Custom"),
    "set_of_instances": ({Custom(), Custom()}, "Custom"),
    "lambda": (lambda: 0, "function"),
    "defaultdict": (collections.defaultdict(int), "collections.defaultdict"),
    "namedtuple": (collections.namedtuple("Point", "x y")(1, 2), "Point"),
    "object_array": (np.array([None, 1], dtype=object), "numpy.ndarray"),
    "numpy_key": ({np.int64(3): "a"}, "numpy.int64"),
}


@pytest.mark.parametrize("case", sorted(UNLOADABLE))
def test_unloadable_callback_state_is_refused_before_writing(tmp_path: Path, case: str) -> None:
    value, type_name = UNLOADABLE[case]
    state: dict[str, Any] = {"fine": 1, "window": value}
    trainer = trained(Holder(state, key="history"))
    path = tmp_path / "ckpt.pt"
    save_checkpoint_file({"format": CHECKPOINT_FORMAT, "previous": torch.ones(3)}, path)
    before = path.read_bytes()
    with pytest.raises(CheckpointError) as info:
        trainer.save_checkpoint(path)
    message = str(info.value)
    assert "callback 'history'" in message
    assert "'window'" in message
    assert type_name in message
    assert "weights_only" in message or "cannot store" in message or "keys" in message
    assert "ckpt.pt" in message
    assert path.read_bytes() == before  # byte for byte
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.pt"]  # no temp file


def test_refusal_outside_callbacks_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match=r"checkpoint key 'extra'\['deep'\]\[1\] holds"):
        save_checkpoint_file({"extra": {"deep": [0, Custom()]}}, tmp_path / "x.pt")
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(CheckpointError, match="contains itself"):
        save_checkpoint_file({"cycle": cycle}, tmp_path / "x.pt")
    with pytest.raises(CheckpointError, match="reserve"):
        save_checkpoint_file({"x": {"__gankit__": 1}}, tmp_path / "x.pt")
    assert not (tmp_path / "x.pt").exists()


# --------------------------------------------------------------- (c) damaged files
def member_regions(path: Path) -> list[tuple[str, int, int, int]]:
    """(name, local header offset, data start, data end) of each zip member."""
    data = path.read_bytes()
    regions = []
    with zipfile.ZipFile(path) as archive:
        for m in archive.infolist():
            fields = data[m.header_offset + 26 : m.header_offset + 30]
            name_len, extra_len = struct.unpack("<HH", fields)
            start = m.header_offset + 30 + name_len + extra_len
            regions.append((m.filename, m.header_offset, start, start + m.compress_size))
    return regions


def probe_positions(path: Path, spread: int = 300) -> tuple[list[int], set[int]]:
    """Evenly spread positions plus, in every member, header fields and data bytes.

    Returns the positions and the subset inside tensor records (``data/<n>``).
    """
    size = path.stat().st_size
    positions = set(range(0, size, max(1, size // spread))) | set(range(size - 22, size))
    tensor_bytes = set()
    for name, header, start, end in member_regions(path):
        positions |= {header, header + 8, header + 14, header + 26, header + 30}
        inside = {start, (start + end) // 2, end - 1} if end > start else set()
        positions |= inside
        if "/data/" in name:
            tensor_bytes |= inside
    return sorted(positions), tensor_bytes


def load_outcome(path: Path) -> dict[str, Any] | CheckpointError:
    try:
        return load_checkpoint_file(path)
    except CheckpointError as exc:
        return exc
    # any other exception type fails the test


def check_flips(
    good: Path, positions: list[int], xors: tuple[int, ...], tmp_path: Path
) -> collections.Counter[str]:
    reference = load_checkpoint_file(good)
    data = good.read_bytes()
    bad = tmp_path / "flipped.pt"
    outcomes: collections.Counter[str] = collections.Counter()
    for xor in xors:
        for i in positions:
            damaged = bytearray(data)
            damaged[i] ^= xor
            bad.write_bytes(damaged)
            result = load_outcome(bad)
            if isinstance(result, CheckpointError):
                assert "flipped.pt" in str(result), str(result)
                outcomes[_check_that_caught(str(result))] += 1
            else:
                assert_same(result, reference, f"byte {i} ^ {xor:#x}")
                outcomes["loads equal"] += 1
    return outcomes


def _check_that_caught(message: str) -> str:
    for words, check in (
        ("refusing", "refused global"),
        ("CRC-32 check", "crc32"),
        ("SHA-256", "sha256"),
        ("zip", "zip structure"),
        ("unpickler", "unpickler"),
        ("cannot be read", "torch.load"),
    ):
        if words in message:
            return check
    return "layout"


def test_every_flip_is_caught_or_harmless(tmp_path: Path) -> None:
    good = trained(Holder(harmless_state())).save_checkpoint(tmp_path / "good.pt")
    positions, tensor_bytes = probe_positions(good)
    assert len(positions) >= 300 and len(tensor_bytes) >= 30
    outcomes = check_flips(good, positions, (0xFF, 0x01), tmp_path)
    assert outcomes["crc32"] > 0 and outcomes["loads equal"] < sum(outcomes.values()) / 4
    # Flips inside tensor data are always read, so they must never load.
    data = good.read_bytes()
    for i in sorted(tensor_bytes):
        damaged = bytearray(data)
        damaged[i] ^= 0x10
        (tmp_path / "flipped.pt").write_bytes(damaged)
        with pytest.raises(CheckpointError, match="CRC-32"):
            load_checkpoint_file(tmp_path / "flipped.pt")


def test_flips_in_a_file_without_crc32_are_caught_by_the_digest(tmp_path: Path) -> None:
    with crc32_off():
        good = trained(Holder(harmless_state())).save_checkpoint(tmp_path / "good.pt")
    positions, tensor_bytes = probe_positions(good, spread=150)
    check_flips(good, positions, (0xFF,), tmp_path)
    data = good.read_bytes()
    for i in sorted(tensor_bytes):
        damaged = bytearray(data)
        damaged[i] ^= 0x01
        (tmp_path / "flipped.pt").write_bytes(damaged)
        with pytest.raises(CheckpointError, match=r"integrity check \(SHA-256 mismatch\)"):
            load_checkpoint_file(tmp_path / "flipped.pt")


def test_digest_catches_damage_with_valid_zip_checksums(tmp_path: Path) -> None:
    """A changed tensor re-zipped with fresh CRC-32s (damage before or during a copy)."""
    good = save_checkpoint_file({"w": torch.ones(4), "n": 3}, tmp_path / "good.pt")
    raw = torch.load(good, weights_only=True)  # the stored form, digest included
    raw["w"][2] = 1.5
    torch.save(raw, tmp_path / "rezipped.pt")
    with pytest.raises(CheckpointError, match=r"rezipped\.pt' failed its integrity check"):
        load_checkpoint_file(tmp_path / "rezipped.pt")
    raw = torch.load(good, weights_only=True)
    del raw["__gankit_sha256__"]
    torch.save(raw, tmp_path / "nodigest.pt")
    with pytest.raises(CheckpointError, match=r"integrity digest .* is missing"):
        load_checkpoint_file(tmp_path / "nodigest.pt")


def test_truncations_raise_checkpoint_error(tmp_path: Path) -> None:
    good = trained().save_checkpoint(tmp_path / "good.pt")
    data = good.read_bytes()
    size = len(data)
    lengths = sorted(set(range(0, size, size // 80)) | {size - k for k in range(1, 30)})
    cut = tmp_path / "cut.pt"
    for n in lengths:
        cut.write_bytes(data[:n])
        with pytest.raises(CheckpointError, match=r"cut\.pt"):
            load_checkpoint_file(cut)


def test_trainer_and_load_generator_raise_only_checkpoint_error(tmp_path: Path) -> None:
    good = trained().save_checkpoint(tmp_path / "good.pt")
    data = good.read_bytes()
    bad = tmp_path / "bad.pt"
    rng = random.Random(0)
    for i in rng.sample(range(len(data)), 40):
        damaged = bytearray(data)
        damaged[i] ^= 0xFF
        bad.write_bytes(damaged)
        for load in (lambda: tiny_trainer().load_checkpoint(bad), lambda: load_generator(bad)):
            try:
                load()
            except CheckpointError as exc:
                assert "bad.pt" in str(exc)


@pytest.mark.slow
def test_every_single_byte_flip(tmp_path: Path) -> None:
    """Exhaustive: every byte of a 38 kB checkpoint, two flips (several minutes)."""
    good = trained(Holder(harmless_state())).save_checkpoint(tmp_path / "good.pt")
    size = good.stat().st_size
    outcomes = check_flips(good, list(range(size)), (0xFF, 0x01), tmp_path)
    print(dict(outcomes))
    assert sum(outcomes.values()) == 2 * size


# --------------------------------------------------------------- (d) malice vs damage
def test_refusal_wording_only_for_disallowed_globals(tmp_path: Path) -> None:
    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, ("true",))

    evil = tmp_path / "evil.pt"
    torch.save({"format": CHECKPOINT_FORMAT, "payload": Evil()}, evil)
    with pytest.raises(CheckpointError, match=r"refusing to load .*system") as info:
        load_checkpoint_file(evil)
    assert "damaged" not in str(info.value)
    foreign = tmp_path / "foreign.pt"  # a class that is harmless, but still not a tensor
    torch.save({"format": CHECKPOINT_FORMAT, "payload": pathlib.PurePosixPath("a")}, foreign)
    with pytest.raises(CheckpointError, match=r"refusing to load .*PurePosixPath"):
        load_checkpoint_file(foreign)

    # The same kind of refusal, caused by a damaged byte in a global's name, is damage.
    good = save_checkpoint_file({"w": torch.ones(2)}, tmp_path / "good.pt")
    data = good.read_bytes()
    i = data.index(b"_rebuild_tensor_v2")
    damaged = bytearray(data)
    damaged[i + 3] ^= 0x01
    (tmp_path / "flipped.pt").write_bytes(damaged)
    with pytest.raises(CheckpointError, match="damaged") as info:
        load_checkpoint_file(tmp_path / "flipped.pt")
    assert "refusing" not in str(info.value)
    assert "objects other than tensors" not in str(info.value)


def test_unreadable_pickle_without_crc32_reads_as_damage(tmp_path: Path) -> None:
    with crc32_off():
        good = save_checkpoint_file({"w": torch.ones(2)}, tmp_path / "good.pt")
    data = good.read_bytes()
    pickle_start = member_regions(good)[0][2]  # archive/data.pkl comes first
    damaged = bytearray(data)
    damaged[pickle_start + 2] = 0xEE  # not a pickle opcode
    (tmp_path / "flipped.pt").write_bytes(damaged)
    with pytest.raises(CheckpointError, match="damaged: the unpickler cannot read it") as info:
        load_checkpoint_file(tmp_path / "flipped.pt")
    assert "refusing" not in str(info.value)


# --------------------------------------------------------------- (e) older checkpoints
def legacy_save(obj: Mapping[str, Any], path: Path) -> Path:
    """What ``save_checkpoint_file`` did before digests: a plain ``torch.save``."""
    torch.save({**obj, "format": "gankit-checkpoint-v1"}, path)
    return path


def test_checkpoints_without_a_digest_still_load(tmp_path: Path) -> None:
    trainer = trained()
    path = legacy_save(trainer.state_dict(), tmp_path / "old.pt")
    ckpt = load_checkpoint_file(path)
    assert ckpt["format"] == "gankit-checkpoint-v1" and "__gankit_sha256__" not in ckpt
    other = tiny_trainer()
    other.load_checkpoint(path)
    assert other.step == trainer.step
    G = load_generator(path)
    z = torch.randn(4, 2)
    trainer.generator.eval()
    assert torch.equal(G(z), trainer.generator(z))


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda c: c.pop("rng"), "'rng' is missing"),
        (lambda c: c.update(step="3"), "'step' should be an int"),
        (lambda c: c["generator"].pop("state_dict"), r"'generator'\]?\['state_dict'\] is missing"),
        (lambda c: c["rng"]["python"].update(state=torch.zeros(3)), r"\['python'\]\['state'\]"),
        (lambda c: c["g_optimizer"].update(param_groups=[1]), r"\['param_groups'\]\[0\]"),
        (lambda c: c.update(trainer=[]), "'trainer' should be a dict"),
    ],
)
def test_wrong_layout_is_corrupt_naming_the_key(tmp_path: Path, change: Any, key: str) -> None:
    ckpt = trained().state_dict()
    change(ckpt)
    path = legacy_save(ckpt, tmp_path / "odd.pt")
    with pytest.raises(CheckpointError, match=rf"odd\.pt' is corrupt: .*{key}"):
        load_checkpoint_file(path)
    with pytest.raises(CheckpointError, match="is corrupt"):
        tiny_trainer().load_checkpoint(path)
    with pytest.raises(CheckpointError, match="is corrupt"):
        load_generator(path)


def test_load_generator_needs_a_generator(tmp_path: Path) -> None:
    path = save_checkpoint_file({"weights": torch.ones(2)}, tmp_path / "plain.pt")
    with pytest.raises(CheckpointError, match="holds no generator"):
        load_generator(path)
