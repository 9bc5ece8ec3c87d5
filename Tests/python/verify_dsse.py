#!/usr/bin/env python3
"""Check a `warden audit export` without Warden's code.

    python3 verify_dsse.py EXPORT [--keys EXPORT.keys.json] [--checkpoint EXPORT.checkpoint] [--anchor KEYID]

Every envelope is verified with securesystemslib (DSSE + Ed25519, keyid matched against securesystemslib's default
keyid). Then, with the standard library only: the hash chain (each payload's log.prev is SHA-256(0x00 || previous
line)), the sequence numbers, key rotations (signed by the outgoing and the incoming key), and the checkpoint (its
signed-note signature, and its RFC 9162 root recomputed from the lines). Prints a JSON summary; exits 0 when all
holds, 1 naming the first failure, 2 for bad usage.
"""

import argparse
import base64
import hashlib
import json
import sys

from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import UnverifiedSignatureError, VerificationError
from securesystemslib.signer import Signature, SSlibKey

ROTATION = "application/vnd.warden.key-rotation+json"


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaves: list) -> bytes:
    """RFC 9162 MTH, recursively."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k << 1 < len(leaves):
        k <<= 1
    return node_hash(merkle_root(leaves[:k]), merkle_root(leaves[k:]))


def load_key(entry: dict) -> SSlibKey:
    data = dict(entry)
    keyid = data.pop("keyid")
    return SSlibKey.from_dict(keyid, data)


def fail(summary: dict, seq, message: str) -> int:
    summary["ok"] = False
    summary["failure"] = {"seq": seq, "message": message}
    print(json.dumps(summary, indent=2))
    return 1


def check_note(note: str, origin: str, key: SSlibKey) -> dict:
    """Parse a C2SP signed note holding a tlog checkpoint and verify its signature by `key`."""
    text, _, signatures = note.partition("\n\n")
    text += "\n"
    raw = bytes.fromhex(key.keyval["public"])
    key_hash = hashlib.sha256(origin.encode() + b"\n\x01" + raw).digest()[:4]
    for line in signatures.splitlines():
        if not line.startswith("\u2014 "):
            raise ValueError("malformed signature line")
        name, blob = line[2:].split(" ")
        blob = base64.b64decode(blob)
        if name == origin and blob[:4] == key_hash:
            key.verify_signature(Signature(key.keyid, blob[4:].hex()), text.encode())
            lines = text.splitlines()
            if lines[0] != origin:
                raise ValueError("checkpoint origin %r is not %r" % (lines[0], origin))
            return {"size": int(lines[1]), "root": base64.b64decode(lines[2])}
    raise ValueError("no signature by the expected key")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("export")
    parser.add_argument("--keys")
    parser.add_argument("--checkpoint")
    parser.add_argument("--anchor", help="the keyid the log must start with (default: the first key of --keys)")
    args = parser.parse_args()
    keys_path = args.keys or args.export + ".keys.json"
    with open(keys_path, "rb") as f:
        keys = [load_key(k) for k in json.load(f)]
    if not keys:
        print("no keys in %s" % keys_path, file=sys.stderr)
        return 2
    by_id = {k.keyid: k for k in keys}
    active = by_id.get(args.anchor) if args.anchor else keys[0]
    if active is None:
        print("the anchor %s is not among the keys" % args.anchor, file=sys.stderr)
        return 2
    summary = {"ok": True, "entries": 0, "keys": [active.keyid], "checkpoint": None, "failure": None}
    with open(args.export, "rb") as f:
        lines = f.read().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    previous = b"\x00" * 32
    leaves = []
    origin_hint = None
    for seq, line in enumerate(lines):
        document = json.loads(line)
        envelope = Envelope.from_dict(json.loads(line))
        try:
            envelope.verify([active], 1)
        except (VerificationError, UnverifiedSignatureError, ValueError) as error:
            return fail(summary, seq, "DSSE verification with key %s failed: %s" % (active.keyid[:16], error))
        payload = json.loads(envelope.payload)
        log = payload.get("log", {})
        if log.get("seq") != seq:
            return fail(summary, seq, "payload states seq %r" % log.get("seq"))
        if bytes.fromhex(log.get("prev", "")) != previous:
            return fail(summary, seq, "log.prev is not the previous entry's hash")
        if envelope.payload_type == ROTATION:
            new_key = load_key(payload["new_key"])
            if payload["old_key"]["keyid"] != active.keyid or new_key.keyid not in by_id:
                return fail(summary, seq, "rotation does not hand over from the active key to a listed key")
            try:
                envelope.verify([new_key], 1)
            except (VerificationError, UnverifiedSignatureError, ValueError) as error:
                return fail(summary, seq, "rotation not signed by the incoming key: %s" % error)
            if len(document["signatures"]) != 2:
                return fail(summary, seq, "rotation must carry exactly two signatures")
            active = new_key
            summary["keys"].append(active.keyid)
        elif len(document["signatures"]) != 1:
            return fail(summary, seq, "expected exactly one signature")
        previous = leaf_hash(line)
        leaves.append(previous)
        summary["entries"] = seq + 1
    checkpoint_path = args.checkpoint or args.export + ".checkpoint"
    try:
        with open(checkpoint_path, encoding="utf-8") as f:
            note = f.read()
    except FileNotFoundError:
        note = None
    if note is not None:
        origin_hint = note.split("\n", 1)[0]
        # The checkpoint is signed by the key in force at its size: walk the rotations up to it.
        size = int(note.split("\n")[1])
        key = keys[0] if not args.anchor else by_id[args.anchor]
        for seq, line in enumerate(lines[:size]):
            envelope = Envelope.from_dict(json.loads(line))
            if envelope.payload_type == ROTATION:
                key = load_key(json.loads(envelope.payload)["new_key"])
        try:
            checkpoint = check_note(note, origin_hint, key)
        except Exception as error:  # noqa: BLE001 - any failure of the note is a verification failure
            return fail(summary, None, "checkpoint: %s" % error)
        if checkpoint["size"] > len(leaves):
            return fail(summary, len(leaves), "the checkpoint covers %d entries, the export has %d"
                        % (checkpoint["size"], len(leaves)))
        if merkle_root(leaves[: checkpoint["size"]]) != checkpoint["root"]:
            return fail(summary, None, "the checkpoint root is not the root of the exported entries")
        summary["checkpoint"] = {"origin": origin_hint, "size": checkpoint["size"]}
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
