"""A patient's scan arriving from the clinician's browser, in chunks, kept in memory only.

The browser sends the file as base64 chunks through the session's websocket
(one message per ≤ 1 MiB). When the last chunk arrives the scan becomes the
patient's anatomy (:func:`viz.scan.upload.anatomy_from_upload`) and a new scene
bundle that says what is measured (:func:`viz.export.scan_import.patient_bundle`),
in a worker thread so other sessions are not held up. Nothing is written to disk
or logged; the bytes are dropped as soon as they are processed, and the
session's anatomy disappears with the session. Bad input: a plain sentence, the
template anatomy stays.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from dataclasses import dataclass, field
from typing import Callable

from viz.errors import UserError
from viz.scan.sources import DEFAULT_MAX_UPLOAD_BYTES, check_upload_size

CHUNK_BYTES = 1 << 20
"""Raw bytes per websocket message the browser sends (before base64)."""


@dataclass
class ScanReceiver:
    """Collect one upload at a time for one session and turn it into a bundle.

    Parameters
    ----------
    on_status : callable(str state, str message)
        Called with ``("receiving"|"processing"|"ready"|"error", plain sentence)``.
    on_bundle : callable(SceneBundle, PatientScan)
        Called on the session's event loop with the new bundle.
    max_bytes : int, default: 300 MB
    """

    on_status: Callable[[str, str], None]
    on_bundle: Callable[[object, object], None]
    max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    _name: str = ""
    _size: int = 0
    _chunks: list[bytes] = field(default_factory=list)
    _received: int = 0

    def handle(self, msg: dict) -> None:
        """Take one message from the browser: ``scan-start``, ``scan-chunk`` or ``scan-end``."""
        try:
            kind = msg.get("kind")
            if kind == "scan-start":
                self._start(str(msg.get("name", ""))[:200], int(msg.get("size", 0)))
            elif kind == "scan-chunk":
                self._chunk(str(msg.get("data", "")))
            elif kind == "scan-end":
                self._finish()
        except UserError as error:
            self._reset()
            self.on_status("error", str(error))
        except (TypeError, ValueError, binascii.Error):
            self._reset()
            self.on_status("error", "The file did not arrive completely. Please try again.")

    def _reset(self) -> None:
        self._name, self._size, self._chunks, self._received = "", 0, [], 0

    def _start(self, name: str, size: int) -> None:
        self._reset()
        if size <= 0:
            raise UserError("The file is empty.")
        check_upload_size(size, self.max_bytes)
        self._name, self._size = name, size
        self.on_status("receiving", "")

    def _chunk(self, data: str) -> None:
        if not self._name:
            raise UserError("The upload was interrupted. Please choose the file again.")
        raw = base64.b64decode(data, validate=True)
        self._received += len(raw)
        if self._received > self._size or len(raw) > CHUNK_BYTES:
            raise UserError("The file is larger than it said it was.")
        self._chunks.append(raw)

    def _finish(self) -> None:
        if not self._name or self._received != self._size:
            raise UserError("The file did not arrive completely. Please try again.")
        name, payload = self._name, b"".join(self._chunks)
        self._reset()
        self.on_status("processing", "")
        asyncio.ensure_future(self._process(name, payload))

    async def _process(self, name: str, payload: bytes) -> None:
        def work():
            from viz.export.scan_import import patient_bundle
            from viz.scan.upload import anatomy_from_upload

            scan = anatomy_from_upload(name, payload, self.max_bytes)
            return patient_bundle(scan), scan

        try:
            bundle, scan = await asyncio.get_running_loop().run_in_executor(None, work)
        except UserError as error:
            self.on_status("error", str(error))
            return
        except Exception:  # noqa: BLE001 - any failure on a patient's file must end in a plain message
            self.on_status("error", "This scan could not be used. The usual model is still shown.")
            return
        self.on_bundle(bundle, scan)
        self.on_status("ready", scan.message)
