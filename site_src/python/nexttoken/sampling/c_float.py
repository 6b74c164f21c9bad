"""C's float arithmetic where Python's raises: what llama.cpp's samplers compute with."""
import math


def c_pow(base: float, exponent: float) -> float:
    """C's pow: NaN for a negative base with a fractional exponent, inf on overflow."""
    try:
        return math.pow(base, exponent)
    except ValueError:
        return math.nan
    except OverflowError:
        return math.inf


def c_div(a: float, b: float) -> float:
    """IEEE division: x / 0 is ±inf and 0 / 0 NaN, where Python raises."""
    if b:
        return a / b
    if a != a or a == 0.0:
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)
