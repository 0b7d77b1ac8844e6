"""Random and hostile input values for the fuzz tests (seeded, so every run sends the same ones)."""

from __future__ import annotations

import numpy as np

PWNED = "window.__pwned=1"
"""What every script-shaped value tries to run; the browser test checks it never did."""

HOSTILE = (
    f"<script>{PWNED}</script>",
    f"\"><script>{PWNED}</script>",
    f"'><img src=x onerror=\"{PWNED}\">",
    f"</script><script>{PWNED}</script>",
    f"<svg onload={PWNED}>",
    f"javascript:{PWNED}",
    f"\" onmouseover=\"{PWNED}",
    f"`;{PWNED};`",
    "{{7*7}}", "${7*7}", "<%= 7*7 %>", "#{7*7}",
    "../../../../etc/passwd", "..\\..\\..\\windows\\win.ini", "/etc/passwd", "file:///etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "....//....//etc/passwd", "~/.ssh/id_rsa", "/proc/self/environ",
    "\r\nSet-Cookie: pwned=1", "\x1b[31mred", "\x07\x08\x0b\x0c", "tab\there", "\ufeffstenosis",
    "1e309", "-1", "0", "NaN", "Infinity", "-Infinity", "9" * 400, "0x7fffffff", "1" * 5000,
    "null", "undefined", "true", "[]", "{}", "__proto__", "constructor", "prototype", "toString",
    "' OR '1'='1", "\"; DROP TABLE sessions; --", "%s%s%s%n", "%x%x%x", "\\u0000",
    "💥" * 40, "ｓｔｅｎｏｓｉｓ", "stenosis\u200b", "\u202eevil\u202c", "H\u0337\u0338\u0336i", "مرحبا", "日本語",
    "STENOSIS", " healthy ", "healthy\n", "clinician ", "ES", "back;side", "L4,L5",
    "A" * 10_000, "<" * 3000, "&amp;&lt;&gt;&quot;", "&#60;script&#62;",
)
"""Script tags, template syntax, path traversal, header injection, control
characters, huge numbers, unicode tricks and very long strings."""

ALPHABETS = (
    "abcdefghijklmnopqrstuvwxyz0123456789-_",
    "<>\"'&/\\;:=()[]{}%$#@!`~|?*+.,",
    "\t\n\r\x0b\x0c\x1b\x7f",
    "éüßñ中文日本語한국어עבריתالعربية😀💥🦴\u200b\u202e\ufeff",
)


def random_values(count: int, seed: int = 8, max_length: int = 600) -> list[str]:
    """``count`` random strings mixing the alphabets above, lengths 1..``max_length``."""
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(count):
        length = int(rng.integers(1, max_length + 1))
        chars = "".join(ALPHABETS[i] for i in sorted(set(rng.integers(0, len(ALPHABETS), 2).tolist())))
        values.append("".join(chars[j] for j in rng.integers(0, len(chars), length)))
    return values


def all_values(random_count: int = 200) -> list[str]:
    """The hostile list followed by ``random_count`` random strings (a few hundred in all)."""
    return list(HOSTILE) + random_values(random_count)
