#!/usr/bin/env python3
"""Translates the hunter rule files into a YARA rule file and a `grep -E -f` pattern file for the benchmark.

Usage: translate.py RULES_DIR OUT.yar OUT.grep
Both engines get the same detections. What they cannot express is approximated and counted: lookarounds are
dropped, \\K is dropped, backreferences and \\x{...} escapes drop the detection (it counts as false), entropy and
length bounds count as true, and transforms do not exist (patterns written for lowercased text get nocase / -i).
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

import yaml


def strip_lookarounds(pattern):
    out, i, depth_skip = [], 0, 0
    while i < len(pattern):
        if pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            depth, j = 1, pattern.index("(", i) + 1
            while j < len(pattern) and depth:
                if pattern[j] == "\\":
                    j += 2
                    continue
                depth += pattern[j] == "("
                depth -= pattern[j] == ")"
                j += 1
            i = j
            continue
        out.append(pattern[i])
        i += 1
    return "".join(out)


def common(pattern):
    if re.search(r"\\[1-9]|\\x\{|\\k<|\(\?\||\(\?\(|\\Q", pattern):
        return None
    pattern = pattern.replace("(?i)", "").replace("\\K", "")
    pattern = strip_lookarounds(pattern)
    pattern = pattern.replace("(?:", "(")
    return pattern


def yara_accepts(pattern, case):
    """Whether yarac compiles the pattern (some constructs are too complex for YARA)."""
    with tempfile.NamedTemporaryFile("w", suffix=".yar", delete=False) as handle:
        handle.write("rule t { strings: $a = /" + pattern + "/" + case + " condition: $a }")
        name = handle.name
    try:
        result = subprocess.run(["yarac", name, os.devnull], capture_output=True, text=True)
        return result.returncode == 0
    finally:
        os.unlink(name)


def to_yara(pattern, case):
    pattern = common(pattern)
    if pattern is None:
        return None
    pattern = re.sub(r"([*+?}])\?", r"\1", pattern)  # YARA cannot mix lazy and greedy quantifiers
    pattern = "".join(ch for ch in pattern if ord(ch) < 128)
    pattern = pattern.replace("/", "\\/")
    return pattern if yara_accepts(pattern, case) else None


def to_ere(pattern):
    pattern = common(pattern)
    if pattern is None:
        return None
    pattern = pattern.replace("\\d", "[0-9]").replace("\\s", "[[:space:]]").replace("\\S", "[^[:space:]]")
    pattern = re.sub(r"([*+?}])\?", r"\1", pattern)  # lazy quantifiers
    pattern = pattern.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t")
    if "\n" in pattern or "\r" in pattern:
        return None
    return pattern


def grep_accepts(pattern):
    result = subprocess.run(["grep", "-E", "-i", "-e", pattern, os.devnull], capture_output=True)
    return result.returncode != 2


def yara_condition(condition, present):
    def name(match):
        word = match.group(0)
        if word in ("and", "or", "not"):
            return word
        return present.get(word, "false")
    return re.sub(r"[A-Za-z_][A-Za-z0-9_-]*", name, condition)


def main():
    rules_dir, yar_path, grep_path = sys.argv[1:4]
    yar, patterns, dropped, total = [], [], 0, 0  # dropped: detections YARA cannot take
    for path in sorted(glob.glob(os.path.join(rules_dir, "*.yaml"))):
        document = yaml.safe_load(open(path, encoding="utf-8"))
        for rule in document if isinstance(document, list) else [document]:
            nocase = "lowercase" in (rule.get("transforms") or [])
            strings, present = [], {}
            for name, detection in rule["detections"].items():
                total += 1
                ident = name.replace("-", "_")
                case = " nocase" if nocase or detection.get("nocase") or "(?i)" in detection.get("regex", "") else ""
                if "regex" in detection:
                    yara_pattern, ere = to_yara(detection["regex"], case), to_ere(detection["regex"])
                    if ere:
                        patterns.append(ere)
                    if yara_pattern is None:
                        dropped += 1
                        continue
                    strings.append(f"        ${ident} = /{yara_pattern}/{case}")
                    present[name] = f"${ident}"
                elif any(k in detection for k in ("contains_any", "startswith", "equals")):
                    values = detection.get("contains_any") or detection.get("startswith") or detection.get("equals")
                    values = [values] if isinstance(values, str) else values
                    for index, value in enumerate(values):
                        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
                        strings.append(f'        ${ident}_{index} = "{escaped}"{case}')
                        patterns.append(re.escape(value).replace("\\ ", " "))
                    present[name] = f"(any of (${ident}_*))"
                else:
                    present[name] = "true"
            if not strings:
                continue
            condition = rule.get("condition") or next(iter(rule["detections"]))
            rule_name = rule["id"].replace("-", "_").replace(".", "_")
            yar.append(f"rule {rule_name}\n{{\n    strings:\n" + "\n".join(strings)
                       + f"\n    condition:\n        {yara_condition(condition, present)}\n}}\n")
    open(yar_path, "w", encoding="utf-8").write("\n".join(yar))
    accepted = [pattern for pattern in patterns if grep_accepts(pattern)]
    open(grep_path, "w", encoding="utf-8").write("\n".join(accepted) + "\n")
    patterns = accepted
    print(f"{len(yar)} YARA rules, {len(patterns)} grep patterns; {dropped} of {total} detections not expressible")


if __name__ == "__main__":
    main()
