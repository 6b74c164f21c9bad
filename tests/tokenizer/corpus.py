"""A broad corpus of strings that stress GPT-2's pre-tokenizer and BPE.

``CORPUS`` maps a short case name to its text, so a failing case is easy to name.
"""
import itertools
import random

CONTRACTIONS = ["s", "t", "re", "ve", "m", "ll", "d"]
EOS = "<|endoftext|>"

PROSE = (
    "The lighthouse keeper wrote in her log each night: wind from the north-east, "
    "three ships seen, the lamp trimmed at 9:15 p.m. She didn't mind the cold; she'd "
    "grown used to it over twenty-two winters.\n\nOn Sundays, a boat brought bread."
)

CODE = '''def fib(n: int) -> int:
    """Return the n-th Fibonacci number."""
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b  # tuple swap
    return a

if __name__ == "__main__":
\tprint({"x": [1, 2.5, -3e-4], 'y': None}, end="\\r\\n")
    x = arr[i:j] != y ** 2 >>= 1 && z || !w; // C-ish
'''


def case_variants(word: str) -> list[str]:
    """Every upper/lower-case spelling of ``word`` ('ll' -> 'll', 'lL', 'Ll', 'LL')."""
    options = [(ch.lower(), ch.upper()) for ch in word]
    return ["".join(chars) for chars in itertools.product(*options)]


def _contractions() -> dict[str, str]:
    cases = {}
    for suffix in CONTRACTIONS:
        for form in case_variants(suffix):
            for apostrophe in ("'", "\u2019"):
                c = apostrophe + form
                cases[f"contraction {c}"] = (
                    f"it{c} IT{c} {c} {c}{c} x {c}x 1{c} !{c} \n{c}  {c}end {c}'{c}")
    return cases


def _whitespace() -> dict[str, str]:
    kinds = {
        "space": " ", "tab": "\t", "newline": "\n", "crlf": "\r\n", "cr": "\r",
        "vertical tab": "\v", "form feed": "\f", "nel": "\x85", "nbsp": "\xa0",
        "ogham space": "\u1680", "en quad": "\u2000", "thin space": "\u2009",
        "hair space": "\u200a", "line separator": "\u2028", "paragraph separator": "\u2029",
        "narrow nbsp": "\u202f", "math space": "\u205f", "ideographic space": "\u3000",
        # Not White_Space in Unicode, though some are for Python's str.isspace():
        "file separator": "\x1c", "unit separator": "\x1f", "zwsp": "\u200b",
        "mongolian vowel separator": "\u180e", "bom": "\ufeff", "word joiner": "\u2060",
    }
    cases = {}
    for name, ws in kinds.items():
        cases[f"whitespace {name}"] = (f"a{ws}b{ws}{ws}c {ws}d{ws} e{ws * 3}f {ws} {ws}"
                                       f"{ws}1{ws}!{ws}\n{ws}")
    cases["whitespace mixed runs"] = "a \t\n\r\n  \u3000\xa0 b\n\n\n  \t\t x  \n"
    cases["whitespace only"] = " \t \n\n \u3000 "
    cases["trailing spaces"] = "end with spaces    "
    cases["leading spaces"] = "     start"
    return cases


def _scripts() -> dict[str, str]:
    return {
        "emoji": "I ❤️ pizza 🍕🍕! 😀😃😄 👍🏽",
        "emoji zwj family": "👨\u200d👩\u200d👧\u200d👦 and 🧑🏾\u200d🚀 and 🏳️\u200d🌈",
        "emoji flags": "🇫🇷🇯🇵🇺🇸 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
        "emoji keycap": "1️⃣ #️⃣ *️⃣",
        "cjk": "日本語のテキストです。中文也可以，漢字と仮名。",
        "hangul": "안녕하세요, 세계! 한국어 \u1100\u1161\u11a8 jamo",
        "arabic": "مرحبا بالعالم، كيف حالك؟ ١٢٣ ۴۵۶",
        "hebrew": "שָׁלוֹם עוֹלָם, מה שלומך?",
        "devanagari": "नमस्ते दुनिया, क्षत्रिय ०१२",
        "thai": "สวัสดีชาวโลก",
        "cyrillic greek": "Привет мир! Καλημέρα κόσμε.",
        "combining marks": "cafe\u0301 na\u0308ive e\u0301\u0301\u0301 \u0301start",
        "zalgo": "Z\u0336\u0351a\u0337\u0353l\u0335\u0318g\u0334\u0331o\u0338\u0324",
        "numbers other": "x² ¾ Ⅻ ⑦ 𝟙𝟚 ١٢ 一二三 ４５",
        "math symbols": "∀x∈ℝ: x²≥0 ⇒ √x∊ℂ ∑∫∂",
        "unicode 16 letters": "\u1c89\u1c8a \ua7cb\ua7cc \U000105c0\U000105c1",
        "private use and unassigned": "\ue000\uf8ff \U000f0000 \U0010fffd \u0378 \U000e01f0",
        "noncharacters": "\ufdd0 \ufffe \uffff \U0010ffff",
        "replacement char": "\ufffd\ufffd x",
        "fullwidth": "ＡＢＣ１２３！？",
        "rtl marks": "a\u200fb\u200ec\u202ed\u202c",
    }


def _controls() -> dict[str, str]:
    c0 = "".join(chr(c) for c in range(0x20))
    c1 = "".join(chr(c) for c in range(0x7F, 0xA0))
    return {"control c0": f"a{c0}b {c0}", "control c1": f"a{c1}b {c1}",
            "control between words": "one\x00two\x07three\x1bfour"}


def _long() -> dict[str, str]:
    rng = random.Random(4)
    b64 = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
                  for _ in range(3000))
    return {
        "long word": "a" * 5000,
        "long mixed word": "Supercalifragilistic" * 200,
        "long base64": b64,
        "long url": "https://example.com/" + "/".join(f"seg{i}?q={i * 7}" for i in range(300)),
        "long digits": "31415926535897932384626433832795028841971" * 50,
        "long punctuation": "!?.,;:-_" * 400,
        "long whitespace": " " * 3000 + "x" + "\n" * 1000,
        "long cjk": "漢字" * 1500,
        "long emoji": "😀" * 1000,
    }


def _misc() -> dict[str, str]:
    return {
        "empty": "",
        "ascii prose": PROSE,
        "code": CODE,
        "numbers": "0 7 42 3.14159 -1e10 1,000,000 2024-05-09 0x1F 10^9 ½",
        "punctuation runs": "Wait... what?!?! (yes) [no] {maybe} <tag/> --- *** ### $$$ %%%",
        "quotes": "\"double\" 'single' ‘curly’ “curly” «guillemets» 'tis",
        "eos alone": EOS,
        "eos in text": f"first document.{EOS}Second document",
        "eos with spaces": f"end. {EOS} start\n{EOS}\n",
        "eos repeated": EOS * 3,
        "eos partial": "<|endoftext| <|endoftext <endoftext|> <|ENDOFTEXT|> <|endoftext|",
        "eos inside word": f"abc{EOS}def{EOS[:-1]}",
        "apostrophes odd": "'' ''' 's's 'x '1 ' s rock'n'roll o'clock",
    }


def _single_chars() -> dict[str, str]:
    chars = [chr(c) for c in range(0x20, 0x7F)] + list("é€😀\u3000\n\t\x00\u0301ß漢")
    return {f"one char U+{ord(ch):04X}": ch for ch in chars}


CORPUS: dict[str, str] = {**_misc(), **_contractions(), **_whitespace(), **_scripts(),
                          **_controls(), **_long(), **_single_chars()}
