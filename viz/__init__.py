"""MILD explainer: a 3D story of minimally invasive lumbar decompression.

Rooms (data flows one way):

- :mod:`viz.models` builds the lumbar spine as meshes (millimetres, LPS+ frame:
  +x patient's left, +y posterior, +z superior) and computes metrics on them.
- :mod:`viz.scenes` turns the anatomy into the story: stages, cameras,
  instruments, captions, and the scene bundle every consumer reads.
- :mod:`viz.web` is the browser player and the Panel pages.
- :mod:`viz.export` writes standalone HTML, glTF, movies, images and meshes.
"""

__version__ = "0.1.0"
