"""Reads a TensorBoard event file the way TensorFlow's record reader does,
independently of deepq: every record's length and data CRC-32C are checked
(bit by bit here, not with deepq's table), then the data is parsed with
classes protoc generated from event.proto and summary.proto.

Usage: python3 read_events.py <dir with event_pb2.py> <event file>
Prints JSON: {"events": [...], "trailing": bytes after the last complete record}.
A bad CRC or an unparsable record exits with status 1."""
import json
import struct
import sys

sys.path.insert(0, sys.argv[1])
import event_pb2  # noqa: E402


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def masked(data):
    crc = crc32c(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def main():
    with open(sys.argv[2], "rb") as f:
        blob = f.read()
    at = 0
    events = []
    while len(blob) - at >= 12:
        header = blob[at:at + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", blob[at + 8:at + 12])
        if length_crc != masked(header):
            sys.exit(f"record at byte {at}: bad length CRC")
        if len(blob) - at < 12 + length + 4:
            break  # a record cut short by a crash: everything before it was complete
        data = blob[at + 12:at + 12 + length]
        (data_crc,) = struct.unpack("<I", blob[at + 12 + length:at + 16 + length])
        if data_crc != masked(data):
            sys.exit(f"record at byte {at}: bad data CRC")
        event = event_pb2.Event()
        event.ParseFromString(data)
        events.append({
            "wall_time": event.wall_time,
            "step": event.step,
            "file_version": event.file_version if event.WhichOneof("what") == "file_version" else None,
            "values": [{"tag": v.tag, "simple_value": v.simple_value} for v in event.summary.value],
        })
        at += 12 + length + 4
    print(json.dumps({"events": events, "trailing": len(blob) - at}))


main()
