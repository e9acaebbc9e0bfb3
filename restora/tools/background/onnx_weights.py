"""The weights inside an ONNX file, read without the ``onnx`` package.

An ONNX model is one protobuf message (``ModelProto``). Its weights are the graph's *initializers*:
``TensorProto`` messages with a name, dims, an element type and the numbers (``raw_data`` little-endian
bytes, or a packed ``float_data`` list). Reading them needs only the protobuf wire format, so a net that
was exported to ONNX can get its weights back into PyTorch (U²-Netp's shipped file, for fine-tuning) with
no extra dependency; and fine-tuned weights go back into a copy of the file (:func:`replace_initializers`:
the same tensors, the same sizes, new numbers), so the tool runs them as it runs the shipped file. Field
numbers are those of onnx.proto (ModelProto.graph = 7, GraphProto.initializer
= 5, GraphProto.node = 1; TensorProto.dims = 1, data_type = 2, float_data = 4, int64_data = 7, name = 8,
raw_data = 9; NodeProto.input = 1, output = 2, op_type = 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from restora.weights import WeightsError

# TensorProto.DataType -> numpy little-endian type; the ones an exported conv net uses.
_DTYPES = {1: "<f4", 6: "<i4", 7: "<i8", 10: "<f2", 11: "<f8"}


@dataclass(frozen=True)
class OnnxNode:
    op_type: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]


def _varint(data: memoryview, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise WeightsError("the ONNX file ends inside a number")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _fields(data: memoryview):
    """(field number, wire type, value) for each field of one message; value is an int or a memoryview."""
    for number, wire, value, _ in _fields_at(data):
        yield number, wire, value


def _fields_at(data: memoryview, offset: int = 0):
    """As :func:`_fields`, with where each value starts in the whole file (``offset`` = where ``data`` does)."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        start = pos
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == 2:
            length, pos = _varint(data, pos)
            start = pos
            value, pos = data[pos : pos + length], pos + length
        elif wire == 5:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            raise WeightsError(f"the ONNX file has a protobuf field of unknown wire type {wire}")
        if pos > len(data):
            raise WeightsError("the ONNX file is cut short")
        yield number, wire, value, offset + start


def _tensor(message: memoryview) -> tuple[str, np.ndarray]:
    dims: list[int] = []
    name, dtype, raw, floats = "", 1, None, []
    for number, wire, value in _fields(message):
        if number == 1:  # dims: packed (wire 2) or one varint per field
            if wire == 2:
                pos = 0
                while pos < len(value):
                    dim, pos = _varint(value, pos)
                    dims.append(dim)
            else:
                dims.append(value)
        elif number == 2:
            dtype = value
        elif number == 4 and wire == 2:
            floats.append(np.frombuffer(value, "<f4"))
        elif number == 8:
            name = bytes(value).decode()
        elif number == 9:
            raw = value
    if dtype not in _DTYPES:
        raise WeightsError(f"ONNX initializer {name!r} has element type {dtype}, which is not read here")
    array = np.frombuffer(raw, _DTYPES[dtype]) if raw is not None else np.concatenate(floats or [np.zeros(0, "<f4")])
    return name, array.reshape(dims).copy()


def read_onnx_graph(path: Path) -> tuple[dict[str, np.ndarray], list[OnnxNode]]:
    """The initializers (name -> array) and the nodes, in file order, of the ONNX model at ``path``.

    :raises WeightsError: when the file is not a readable ONNX model.
    """
    data = memoryview(Path(path).read_bytes())
    graphs = [value for number, wire, value in _fields(data) if number == 7 and wire == 2]
    if not graphs:
        raise WeightsError(f"{path} holds no ONNX graph")
    initializers: dict[str, np.ndarray] = {}
    nodes: list[OnnxNode] = []
    for number, wire, value in _fields(graphs[0]):
        if number == 5 and wire == 2:
            name, array = _tensor(value)
            initializers[name] = array
        elif number == 1 and wire == 2:
            inputs, outputs, op_type = [], [], ""
            for field, _, item in _fields(value):
                if field == 1:
                    inputs.append(bytes(item).decode())
                elif field == 2:
                    outputs.append(bytes(item).decode())
                elif field == 4:
                    op_type = bytes(item).decode()
            nodes.append(OnnxNode(op_type, tuple(inputs), tuple(outputs)))
    return initializers, nodes


def replace_initializers(path: Path, arrays: dict[str, np.ndarray]) -> bytes:
    """The ONNX file at ``path`` with the numbers of the named initializers replaced by ``arrays``.

    Each replaced tensor must keep its shape and be stored as ``raw_data`` (so its bytes have the same
    length and no protobuf length changes): the graph, names and every other byte stay as they were.

    :raises WeightsError: for a name the file does not have, another shape, or a tensor not in raw_data.
    """
    original = Path(path).read_bytes()
    out = bytearray(original)
    graphs = [(value, at) for number, wire, value, at in _fields_at(memoryview(original)) if number == 7 and wire == 2]
    if not graphs:
        raise WeightsError(f"{path} holds no ONNX graph")
    done: set[str] = set()
    for number, wire, message, at in _fields_at(*graphs[0]):
        if number != 5 or wire != 2:
            continue
        name, array = _tensor(message)
        if name not in arrays:
            continue
        new = np.asarray(arrays[name])
        if new.shape != array.shape:
            raise WeightsError(f"ONNX initializer {name!r} is {array.shape}, the replacement {new.shape}")
        raw = [(value, start) for field, kind, value, start in _fields_at(message, at) if field == 9 and kind == 2]
        if not raw:
            raise WeightsError(f"ONNX initializer {name!r} is not stored as raw_data, so it is not replaced here")
        value, start = raw[0]
        out[start : start + len(value)] = new.astype(array.dtype).tobytes()
        done.add(name)
    missing = sorted(set(arrays) - done)
    if missing:
        raise WeightsError(f"{path} has no initializer {missing[0]!r}")
    return bytes(out)
