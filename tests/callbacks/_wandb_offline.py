"""Read what an offline W&B run logged, from its transaction log ``run-<id>.wandb``.

``wandb.Api`` needs a server, offline runs write no ``wandb-summary.json``, and
wandb 0.31 dropped its Python reader (``wandb.sdk.internal.datastore``). The file
is a LevelDB-style log: a 7-byte header (``:W&B``, a 2-byte magic, a version
byte), then 32 KiB blocks of chunks, each with a 7-byte header (CRC-32, a
little-endian 2-byte length, a type: 1 full, 2 first, 3 middle, 4 last) and a
piece of a serialized ``wandb.proto.wandb_internal_pb2.Record``. This reader
follows that format (the one the W&B server's ``wandb sync`` reads), so it
does not depend on a private Python module.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HEADER = 7
BLOCK = 32 * 1024
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4


def records(path: Path) -> list[Any]:
    from wandb.proto import wandb_internal_pb2 as pb

    data = path.read_bytes()
    assert data[:4] == b":W&B", f"{path} is not a W&B transaction log"
    pos, pending, out = HEADER, b"", []
    while pos + HEADER <= len(data):
        left = BLOCK - pos % BLOCK
        if left < HEADER:  # the block's tail is padding
            pos += left
            continue
        _crc, length, kind = struct.unpack("<IHB", data[pos : pos + HEADER])
        chunk = data[pos + HEADER : pos + HEADER + length]
        pos += HEADER + length
        if kind == 0 and length == 0:  # zero padding
            continue
        pending = chunk if kind in (FULL, FIRST) else pending + chunk
        if kind in (FULL, LAST):
            record = pb.Record()
            record.ParseFromString(pending)
            out.append(record)
            pending = b""
    return out


@dataclass
class OfflineRun:
    run_id: str
    history: list[dict[str, Any]] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    folder: Path = Path()


def read_run(folder: Path) -> OfflineRun:
    """The run id, history rows and config of one ``offline-run-*`` folder."""
    (log,) = folder.glob("run-*.wandb")
    run = OfflineRun(run_id="", folder=folder)
    for record in records(log):
        kind = record.WhichOneof("record_type")
        if kind == "run":
            run.run_id = record.run.run_id
            for item in record.run.config.update:
                run.config[item.key] = json.loads(item.value_json)
        elif kind == "config":
            for item in record.config.update:
                run.config[item.key] = json.loads(item.value_json)
        elif kind == "history":
            run.history.append({item.key or "/".join(item.nested_key): json.loads(item.value_json)
                                for item in record.history.item})
    # W&B stores each config value as {"value": v} (and desc); unwrap them.
    run.config = {k: v["value"] if isinstance(v, dict) and "value" in v else v
                  for k, v in run.config.items()}
    return run


def offline_runs(save_dir: Path) -> list[OfflineRun]:
    """Every offline run under ``save_dir/wandb``, oldest first."""
    return [read_run(f) for f in sorted((save_dir / "wandb").glob("offline-run-*"))]
