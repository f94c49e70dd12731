#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check a link's JSON (v6mostlyctl --json status, Link.Describe()) on stdin.

  check-link-json.py [--array] [--select NAME] [--schema] [--expect PATH=VALUE]...

--schema   the object has exactly the keys of docs/dbus-api.md, nested too, with
           the documented types (a string or null where a value may be absent)
--array    stdin is an array of such objects (v6mostlyctl --json list); every
           element is schema-checked with --schema, and --select picks the one
           whose "name" is NAME for --expect
--expect   PATH is dotted (nat64.prefix, clat.counters.dropped); VALUE is JSON
           (null, 3, "x") or, if it does not parse as JSON, a plain string

Prints one line per problem and exits 1 if there is any.
"""

import argparse
import json
import sys

STATES = {"unmanaged", "pending", "configuring", "dual-stack", "ipv6-only",
          "ipv6-mostly", "degraded", "failed"}
STR = "string"
STR_OR_NULL = "string-or-null"
INT = "int"
INT_OR_NULL = "int-or-null"

LINK_SCHEMA = {
    "ifindex": INT,
    "name": STR,
    "state": STATES,
    "reason": STR_OR_NULL,
    "dhcp4": {
        "state": {"disabled", "pending", "bound", "v6only", "failed"},
        "address": STR_OR_NULL,
        "server": STR_OR_NULL,
        "lease_remaining_s": INT_OR_NULL,
        "v6only_wait_remaining_s": INT_OR_NULL,
    },
    "nat64": {
        "prefix": STR_OR_NULL,
        "source": {"ra", "dns64", "static", "none"},
        "lifetime_remaining_s": INT_OR_NULL,
        "candidates": [{
            "prefix": STR,
            "source": {"ra", "dns64", "static"},
            "lifetime_remaining_s": INT_OR_NULL,
        }],
    },
    "dns": {
        "servers": [STR],
        "domains": [STR],
        "backend": {"resolved", "resolvconf", "file", None},
        "reason": STR_OR_NULL,
        "dropped": "map-of-int",
    },
    "clat": {
        "state": {"stopped", "starting", "running", "failed"},
        "backend": {"ebpf", "tun", "kmod", None},
        "ipv4_address": STR_OR_NULL,
        "ipv6_address": STR_OR_NULL,
        "mtu": INT_OR_NULL,
        "reason": STR_OR_NULL,
        "tried": [{
            "backend": {"ebpf", "tun", "kmod"},
            "reason": STR,
        }],
        "counters": {
            "packets_4to6": INT,
            "packets_6to4": INT,
            "dropped": "map-of-int",
        },
    },
}


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_schema(value, schema, where, problems):
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            problems.append(f"{where}: expected an object, got {json.dumps(value)}")
            return
        missing = sorted(set(schema) - set(value))
        extra = sorted(set(value) - set(schema))
        if missing:
            problems.append(f"{where}: missing keys {missing}")
        if extra:
            problems.append(f"{where}: unexpected keys {extra}")
        for key in schema:
            if key in value:
                check_schema(value[key], schema[key], f"{where}.{key}", problems)
    elif isinstance(schema, list):
        if not isinstance(value, list):
            problems.append(f"{where}: expected an array, got {json.dumps(value)}")
            return
        for i, item in enumerate(value):
            check_schema(item, schema[0], f"{where}[{i}]", problems)
    elif isinstance(schema, set):
        if value not in schema:
            problems.append(f"{where}: {json.dumps(value)} is not one of "
                            f"{sorted(json.dumps(s) for s in schema)}")
    elif schema == STR:
        if not isinstance(value, str):
            problems.append(f"{where}: expected a string, got {json.dumps(value)}")
    elif schema == STR_OR_NULL:
        if value is not None and not isinstance(value, str):
            problems.append(f"{where}: expected a string or null, got {json.dumps(value)}")
        elif value == "":
            problems.append(f"{where}: an absent value must be null, not \"\"")
    elif schema == INT:
        if not is_int(value):
            problems.append(f"{where}: expected an integer, got {json.dumps(value)}")
    elif schema == INT_OR_NULL:
        if value is not None and not is_int(value):
            problems.append(f"{where}: expected an integer or null, got {json.dumps(value)}")
    elif schema == "map-of-int":
        if not isinstance(value, dict) or not all(is_int(v) for v in value.values()):
            problems.append(f"{where}: expected an object of integers, got {json.dumps(value)}")
    else:
        raise AssertionError(schema)


def lookup(obj, path):
    for part in path.split("."):
        if isinstance(obj, list):
            obj = obj[int(part)]
        else:
            obj = obj[part]
    return obj


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--array", action="store_true")
    ap.add_argument("--select")
    ap.add_argument("--schema", action="store_true")
    ap.add_argument("--expect", action="append", default=[])
    args = ap.parse_args()

    text = sys.stdin.read()
    problems = []
    try:
        doc = json.loads(text)
    except ValueError as e:
        print(f"not JSON ({e}): {text[:300]!r}")
        return 1

    objects = [doc]
    if args.array:
        if not isinstance(doc, list):
            print(f"expected a JSON array, got {text[:300]!r}")
            return 1
        objects = doc
        if args.schema:
            for i, o in enumerate(doc):
                check_schema(o, LINK_SCHEMA, f"[{i}]", problems)
        if args.select is not None:
            chosen = [o for o in doc if isinstance(o, dict) and o.get("name") == args.select]
            if len(chosen) != 1:
                print(f"expected exactly one element named {args.select}, found {len(chosen)}")
                return 1
            objects = chosen
    elif args.schema:
        check_schema(doc, LINK_SCHEMA, "$", problems)

    for exp in args.expect:
        path, _, raw = exp.partition("=")
        try:
            want = json.loads(raw)
        except ValueError:
            want = raw
        for o in objects:
            try:
                got = lookup(o, path)
            except (KeyError, IndexError, TypeError, ValueError):
                problems.append(f"{path}: absent (wanted {json.dumps(want)})")
                continue
            if got != want:
                problems.append(f"{path}: {json.dumps(got)}, wanted {json.dumps(want)}")

    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
