//! Numbers as text without `core::fmt`'s float machinery.
//!
//! Formatting an `f64` with `{}`, `{:.2}` or `{:e}` links Grisu and Dragon4 (~21 KB of wasm
//! before compression, docs/size.md), and one such use anywhere keeps all of it. Messages and
//! reports only need a number a person can read and a program can parse back, so this module
//! writes at most 15 significant digits (every decimal of 15 digits survives a round trip through
//! f64, so nothing it prints is an artefact of binary rounding) by scaling with exact powers of
//! ten. Non-finite values print as JavaScript prints them (`NaN`, `Infinity`, `-Infinity`),
//! because the people who read these messages write JavaScript.

use core::fmt;

/// `x` as JavaScript's `String(x)` would print it, to 15 significant digits: positional for
/// 1e-6 ≤ |x| < 1e21 (`0.25`, `1500`), otherwise with an exponent (`1.5e-9`, `2e+21`).
#[derive(Clone, Copy)]
pub struct Decimal(pub f64);

/// An `f32` as [`Decimal`] prints an `f64`, to 7 significant digits (so `0.1f32` is `0.1`, not
/// the `0.100000001490116` of its exact value).
#[derive(Clone, Copy)]
pub struct Decimal32(pub f32);

/// `x` with exactly `places` (≤ 15) decimals, like `{:.N}` (`Fixed(2.0 / 3.0, 2)` is `0.67`). A
/// value that rounds to zero prints without a sign; one of 2^64 or more prints as [`Decimal`].
#[derive(Clone, Copy)]
pub struct Fixed(pub f64, pub usize);

/// `x` in scientific notation like `{:e}`: `1e15`, `-2.5e-7`.
#[derive(Clone, Copy)]
pub struct Scientific(pub f64);

/// Significant digits printed for an `f64` (and the most any format here prints).
const SIGNIFICANT: usize = 15;

/// The powers of ten that an `f64` holds exactly.
const POWERS: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// `x · 10^k`, one correctly rounded step per exact power of ten (10^22 is the largest exact one).
fn scale(mut x: f64, mut k: i32) -> f64 {
    while k > 22 {
        x *= 1e22;
        k -= 22;
    }
    while k < -22 {
        x /= 1e22;
        k += 22;
    }
    if k >= 0 { x * POWERS[k as usize] } else { x / POWERS[(-k) as usize] }
}

/// The digits of a finite, positive `x` rounded to `significant` (≤ 15) digits, trailing zeros
/// removed, and the decimal exponent of the first digit: `x ≈ d₁.d₂d₃… · 10^exponent`.
fn digits(x: f64, significant: usize) -> ([u8; SIGNIFICANT], usize, i32) {
    // First guess of the decimal exponent from the binary one (log10 2 ≈ 0.30103); the loop
    // corrects it (by one for normal numbers, more for subnormals).
    let binary_exponent = ((x.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    let mut exponent = (binary_exponent as f64 * core::f64::consts::LOG10_2).floor() as i32;
    let (low, high) = (POWERS[significant - 1], POWERS[significant]);
    let mut scaled;
    loop {
        scaled = scale(x, significant as i32 - 1 - exponent).round_ties_even();
        if scaled >= high {
            exponent += 1;
        } else if scaled < low {
            exponent -= 1;
        } else {
            break;
        }
    }
    let mut integer = scaled as u64;
    let mut out = [0u8; SIGNIFICANT];
    for slot in out[..significant].iter_mut().rev() {
        *slot = b'0' + (integer % 10) as u8;
        integer /= 10;
    }
    let mut len = significant;
    while len > 1 && out[len - 1] == b'0' {
        len -= 1;
    }
    (out, len, exponent)
}

/// `NaN`, `Infinity`, `-Infinity`, or `None` for a finite value.
fn non_finite(x: f64) -> Option<&'static str> {
    if x.is_nan() {
        Some("NaN")
    } else if x.is_infinite() {
        Some(if x > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        None
    }
}

fn write_digits(f: &mut fmt::Formatter<'_>, digits: &[u8]) -> fmt::Result {
    // The digits are ASCII by construction.
    f.write_str(core::str::from_utf8(digits).unwrap_or("?"))
}

fn write_exponent_form(f: &mut fmt::Formatter<'_>, digits: &[u8], exponent: i32, plus: bool) -> fmt::Result {
    write_digits(f, &digits[..1])?;
    if digits.len() > 1 {
        f.write_str(".")?;
        write_digits(f, &digits[1..])?;
    }
    f.write_str("e")?;
    if exponent < 0 {
        f.write_str("-")?;
    } else if plus {
        f.write_str("+")?;
    }
    write!(f, "{}", exponent.unsigned_abs())
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_decimal(f, self.0, SIGNIFICANT)
    }
}

impl fmt::Display for Decimal32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_decimal(f, self.0 as f64, 7)
    }
}

fn write_decimal(f: &mut fmt::Formatter<'_>, x: f64, significant: usize) -> fmt::Result {
    if let Some(text) = non_finite(x) {
        return f.write_str(text);
    }
    if x == 0.0 {
        return f.write_str("0");
    }
    if x < 0.0 {
        f.write_str("-")?;
    }
    let (digits, len, exponent) = digits(x.abs(), significant);
    let digits = &digits[..len];
    if !(-6..21).contains(&exponent) {
        return write_exponent_form(f, digits, exponent, true);
    }
    if exponent < 0 {
        f.write_str("0.")?;
        for _ in 0..(-exponent - 1) {
            f.write_str("0")?;
        }
        return write_digits(f, digits);
    }
    let whole = exponent as usize + 1;
    if len <= whole {
        write_digits(f, digits)?;
        for _ in len..whole {
            f.write_str("0")?;
        }
        Ok(())
    } else {
        write_digits(f, &digits[..whole])?;
        f.write_str(".")?;
        write_digits(f, &digits[whole..])
    }
}

impl fmt::Display for Scientific {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        if let Some(text) = non_finite(x) {
            return f.write_str(text);
        }
        if x == 0.0 {
            return f.write_str("0e0");
        }
        if x < 0.0 {
            f.write_str("-")?;
        }
        let (digits, len, exponent) = digits(x.abs(), SIGNIFICANT);
        write_exponent_form(f, &digits[..len], exponent, false)
    }
}

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Fixed(x, places) = *self;
        if let Some(text) = non_finite(x) {
            return f.write_str(text);
        }
        let places = places.min(SIGNIFICANT);
        if x.abs() >= 18_446_744_073_709_551_616.0 {
            return Decimal(x).fmt(f);
        }
        // The whole part and the fraction apart (both exact in f64), so only the fraction is
        // scaled and rounded.
        let mut whole = x.abs().trunc() as u64;
        let unit = 10u64.pow(places as u32);
        let mut fraction = scale(x.abs().fract(), places as i32).round_ties_even() as u64;
        if fraction >= unit {
            fraction -= unit;
            whole += 1;
        }
        if x < 0.0 && (whole != 0 || fraction != 0) {
            f.write_str("-")?;
        }
        write!(f, "{whole}")?;
        if places > 0 {
            let mut text = [b'0'; SIGNIFICANT];
            let mut rest = fraction;
            for slot in text[..places].iter_mut().rev() {
                *slot = b'0' + (rest % 10) as u8;
                rest /= 10;
            }
            f.write_str(".")?;
            write_digits(f, &text[..places])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn short_decimals_print_as_javascript_does() {
        // Each pair is what `String(x)` gives in JavaScript (ECMA-262 Number::toString).
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (0.25, "0.25"),
            (1500.0, "1500"),
            (123456.789, "123456.789"),
            (1e-7, "1e-7"),
            (1.5e-9, "1.5e-9"),
            (0.000001, "0.000001"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (2.5e300, "2.5e+300"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (4.5e-6, "0.0000045"),
            (6418.0, "6418"),
            // A subnormal has fewer than 15 digits of precision: this is its exact value to 15
            // digits, where JavaScript prints the shortest text that parses back (`5e-324`).
            (5e-324, "4.94065645841247e-324"),
            (1.7976931348623157e308, "1.79769313486232e+308"),
            (9007199254740993.0, "9007199254740990"),
        ];
        for &(x, expected) in cases {
            assert_eq!(Decimal(x).to_string(), expected, "{expected}");
        }
        for (x, expected) in [(0.1f32, "0.1"), (0.15, "0.15"), (1e-3, "0.001"), (3.4028235e38, "3.402823e+38"), (16777217.0, "16777220")] {
            assert_eq!(Decimal32(x).to_string(), expected, "{expected}");
        }
    }

    #[test]
    fn decimal_and_scientific_parse_back_to_fifteen_digits() {
        let mut rng = Rng::new(7);
        for _ in 0..200_000 {
            let x = f64::from_bits(rng.next_u64());
            if !x.is_finite() {
                continue;
            }
            for text in [Decimal(x).to_string(), Scientific(x).to_string()] {
                let back: f64 = text.parse().unwrap();
                let tolerance = 1e-14 * x.abs().max(f64::MIN_POSITIVE);
                assert!((back - x).abs() <= tolerance, "{x:e} printed as {text}");
            }
        }
    }

    #[test]
    fn scientific_and_fixed_match_core_fmt_on_ordinary_values() {
        let mut rng = Rng::new(11);
        for _ in 0..20_000 {
            // Three-decimal values at magnitudes 1e-6..1e9: the ones messages print.
            let magnitude = 10f64.powi((rng.next_u64() % 16) as i32 - 6);
            let x = ((rng.next_u64() % 2_000_000) as f64 / 1000.0 - 1000.0) * magnitude;
            let x = format!("{x:.3e}").parse::<f64>().unwrap();
            assert_eq!(Scientific(x).to_string(), format!("{x:e}"), "{x:e}");
            for places in [0, 1, 2, 4] {
                let ours = Fixed(x, places).to_string();
                let core = format!("{x:.places$}");
                let core = if core.starts_with('-') && core[1..].bytes().all(|b| b == b'0' || b == b'.') { core[1..].to_string() } else { core };
                // Only exact decimal ties may round differently (core rounds the exact binary value).
                if ours != core {
                    let tie = (x.abs() * 10f64.powi(places as i32)).fract();
                    assert!((tie - 0.5).abs() < 1e-6, "{x:e} to {places}: {ours} vs {core}");
                }
            }
        }
        assert_eq!(Fixed(-0.001, 2).to_string(), "0.00");
        assert_eq!(Fixed(2.0 / 3.0, 2).to_string(), "0.67");
        assert_eq!(Fixed(1e20, 2).to_string(), "100000000000000000000");
        assert_eq!(Fixed(1e19, 1).to_string(), "10000000000000000000.0");
        assert_eq!(Fixed(0.9999, 2).to_string(), "1.00");
        assert_eq!(Fixed(-2.5, 0).to_string(), format!("{:.0}", -2.5));
        assert_eq!(Scientific(1e15).to_string(), "1e15");
        assert_eq!(Scientific(0.0).to_string(), "0e0");
    }
}
