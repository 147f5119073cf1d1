"""Debian version ordering (dpkg's verrevcmp) for `version(atLeast:)` checks.

Testinfra returns a package version as a string and has no comparison of its own; a real suite
either shells out to `dpkg --compare-versions` (one more command per check) or compares in Python.
This compares in Python, like InfraSpec does in Swift, so the suites run the same commands.
"""

import re


def _order(char):
    if char == "~":
        return -1
    if char.isdigit():
        return 0
    if char.isalpha():
        return ord(char)
    return ord(char) + 256


def _compare_part(left, right):
    while left or right:
        left_text = re.match(r"[^0-9]*", left).group()
        right_text = re.match(r"[^0-9]*", right).group()
        for index in range(max(len(left_text), len(right_text))):
            a = _order(left_text[index]) if index < len(left_text) else 0
            b = _order(right_text[index]) if index < len(right_text) else 0
            if a != b:
                return a - b
        left, right = left[len(left_text):], right[len(right_text):]
        left_digits = re.match(r"[0-9]*", left).group()
        right_digits = re.match(r"[0-9]*", right).group()
        if int(left_digits or 0) != int(right_digits or 0):
            return int(left_digits or 0) - int(right_digits or 0)
        left, right = left[len(left_digits):], right[len(right_digits):]
    return 0


def _split(version):
    epoch, _, rest = version.partition(":") if ":" in version else ("0", "", version)
    upstream, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "0")
    return int(epoch or 0), upstream, revision


def compare(left, right):
    """Negative, zero or positive as left sorts before, equal to or after right, as dpkg does."""
    left_epoch, left_upstream, left_revision = _split(left)
    right_epoch, right_upstream, right_revision = _split(right)
    if left_epoch != right_epoch:
        return left_epoch - right_epoch
    return (_compare_part(left_upstream, right_upstream)
            or _compare_part(left_revision, right_revision))


def version_at_least(version, minimum):
    return compare(version, minimum) >= 0
