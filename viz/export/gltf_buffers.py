"""A small glTF 2.0 binary builder: one buffer, tightly packed accessors with bounds.

Only packing: what to pack is decided by :mod:`viz.export.gltf`. Positions are
written as given (millimetres, LPS+: +x patient's left, +y posterior,
+z superior); the conversion to glTF's metres and +Y up happens once, in the
root node that :mod:`viz.export.gltf` adds.

References
----------
Khronos Group. glTF 2.0 specification, §3.6 (binary data storage) and §5.1
(accessors: POSITION and animation inputs need ``min``/``max``; offsets aligned to
the component size). https://registry.khronos.org/glTF/specs/2.0/glTF-2.0.html
"""

from __future__ import annotations

import numpy as np
import pygltflib

ARRAY_BUFFER = 34962
ELEMENT_ARRAY_BUFFER = 34963

_COMPONENT = {np.dtype("float32"): pygltflib.FLOAT, np.dtype("uint32"): pygltflib.UNSIGNED_INT,
              np.dtype("uint16"): pygltflib.UNSIGNED_SHORT}
_TYPE = {1: pygltflib.SCALAR, 2: pygltflib.VEC2, 3: pygltflib.VEC3, 4: pygltflib.VEC4}


class GltfBuilder:
    """Collects nodes, meshes, materials, animations and one binary buffer."""

    def __init__(self) -> None:
        self.gltf = pygltflib.GLTF2(asset=pygltflib.Asset(version="2.0", generator="mild-explainer"))
        self._chunks: list[bytes] = []
        self._length = 0

    def accessor(self, values: np.ndarray, target: int | None = None, bounds: bool = False) -> int:
        """Append ``values`` ((n,) or (n, k), float32/uint32/uint16) as one accessor.

        Parameters
        ----------
        values : ndarray
            Data; 2-D arrays give VEC2..VEC4 accessors.
        target : int, optional
            Buffer view target (:data:`ARRAY_BUFFER` for vertex data,
            :data:`ELEMENT_ARRAY_BUFFER` for indices, None for animation data).
        bounds : bool, default: False
            Write per-component ``min``/``max`` (required for POSITION and for
            animation inputs).

        Returns
        -------
        int
            The accessor index.
        """
        values = np.ascontiguousarray(values)
        width = 1 if values.ndim == 1 else values.shape[1]
        raw = values.astype(values.dtype.newbyteorder("<"), copy=False).tobytes()
        view = pygltflib.BufferView(buffer=0, byteOffset=self._length, byteLength=len(raw), target=target)
        self.gltf.bufferViews.append(view)
        padding = (-len(raw)) % 4
        self._chunks.append(raw + b"\0" * padding)
        self._length += len(raw) + padding
        accessor = pygltflib.Accessor(bufferView=len(self.gltf.bufferViews) - 1, byteOffset=0,
                                      componentType=_COMPONENT[values.dtype], count=int(len(values)),
                                      type=_TYPE[width])
        if bounds:
            flat = values.reshape(len(values), width)
            accessor.min = [_plain(v) for v in flat.min(axis=0)]
            accessor.max = [_plain(v) for v in flat.max(axis=0)]
        self.gltf.accessors.append(accessor)
        return len(self.gltf.accessors) - 1

    def material(self, name: str, rgb: tuple[float, float, float], opacity: float,
                 roughness: float = 0.65) -> int:
        """Add a non-metallic PBR material; ``opacity < 1`` uses alpha blending."""
        blend = opacity < 0.999
        material = pygltflib.Material(
            name=name, doubleSided=blend, alphaMode=pygltflib.BLEND if blend else pygltflib.OPAQUE,
            pbrMetallicRoughness=pygltflib.PbrMetallicRoughness(
                baseColorFactor=[float(c) for c in rgb] + [float(opacity)],
                metallicFactor=0.0, roughnessFactor=roughness))
        self.gltf.materials.append(material)
        return len(self.gltf.materials) - 1

    def node(self, **fields) -> int:
        """Add a node (keyword fields of :class:`pygltflib.Node`); return its index."""
        self.gltf.nodes.append(pygltflib.Node(**fields))
        return len(self.gltf.nodes) - 1

    def to_glb(self) -> bytes:
        """Return the finished binary glTF (.glb)."""
        self.gltf.buffers = [pygltflib.Buffer(byteLength=self._length)]
        self.gltf.set_binary_blob(b"".join(self._chunks))
        return b"".join(self.gltf.save_to_bytes())


def _plain(value: np.generic) -> float | int:
    return int(value) if np.issubdtype(type(value), np.integer) else float(value)
