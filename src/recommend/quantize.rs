//! Compact encodings for recommender model bytes: varint-coded sparse patterns (row lengths and
//! column-index gaps) and f32 / f16 / int8 value storage.
//!
//! - f16: IEEE 754 binary16, round to nearest even (11 significant bits: ~3 decimal digits).
//! - int8: per row (or per block of values) one f32 scale = max |v| / 127 and v ≈ scale · q with
//!   q = round(v / scale) in −127..=127.
//!
//! Decoding validates everything: lengths against the remaining bytes, indices in range and
//! strictly increasing per row, values finite.

use crate::codec::{Reader, Writer};
use crate::error::{Error, Result};
use crate::recommend::interactions::Sparse;

/// How floats are stored in the model bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantization {
    F32,
    F16,
    Int8,
}

impl Quantization {
    fn code(self) -> u8 {
        match self {
            Quantization::F32 => 0,
            Quantization::F16 => 1,
            Quantization::Int8 => 2,
        }
    }
    fn from_code(c: u8) -> Result<Self> {
        match c {
            0 => Ok(Quantization::F32),
            1 => Ok(Quantization::F16),
            2 => Ok(Quantization::Int8),
            other => Err(Error::corrupt(format!("unknown value encoding {other}"))),
        }
    }
}

/// f32 -> IEEE binary16 bits, round to nearest even; overflow -> ±infinity.
pub fn f32_to_f16(value: f32) -> u16 {
    let bits = value.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exponent = ((bits >> 23) & 0xff) as i32;
    let mantissa = bits & 0x7f_ffff;
    if exponent == 0xff {
        return sign | 0x7c00 | if mantissa != 0 { 0x200 } else { 0 };
    }
    let e = exponent - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        // Subnormal half (or zero).
        if e < -10 {
            return sign;
        }
        let m = mantissa | 0x80_0000;
        let shift = (14 - e) as u32;
        let half = 1u32 << (shift - 1);
        let mut q = m >> shift;
        let rest = m & ((1 << shift) - 1);
        if rest > half || (rest == half && q & 1 == 1) {
            q += 1;
        }
        return sign | q as u16;
    }
    let mut q = ((e as u32) << 10) | (mantissa >> 13);
    let rest = mantissa & 0x1fff;
    if rest > 0x1000 || (rest == 0x1000 && q & 1 == 1) {
        q += 1; // may carry into the exponent, which is the right rounding
    }
    sign | q as u16
}

/// IEEE binary16 bits -> f32 (exact).
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h & 0x8000) as u32) << 16;
    let exponent = ((h >> 10) & 0x1f) as u32;
    let mantissa = (h & 0x3ff) as u32;
    let bits = if exponent == 0 {
        if mantissa == 0 {
            sign
        } else {
            // Subnormal: value = mantissa · 2^-24.
            return f32::from_bits(sign) + (if sign != 0 { -1.0 } else { 1.0 }) * mantissa as f32 * (2f32).powi(-24);
        }
    } else if exponent == 0x1f {
        sign | 0x7f80_0000 | (mantissa << 13)
    } else {
        sign | ((exponent + 127 - 15) << 23) | (mantissa << 13)
    };
    f32::from_bits(bits)
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn get_varint(bytes: &[u8], at: &mut usize) -> Result<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let Some(&b) = bytes.get(*at) else {
            return Err(Error::corrupt("a sparse pattern ends early"));
        };
        *at += 1;
        v |= ((b & 0x7f) as u64) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(Error::corrupt("a varint is too long"))
}

/// Row lengths and per-row index gaps as varints (values are stored separately).
pub fn encode_sparse_pattern(m: &Sparse) -> Vec<u8> {
    let mut out = Vec::with_capacity(m.nnz() * 2 + m.rows());
    put_varint(&mut out, m.rows() as u64);
    for r in 0..m.rows() {
        let (idx, _) = m.row(r);
        put_varint(&mut out, idx.len() as u64);
        let mut previous = 0u64;
        for (k, &i) in idx.iter().enumerate() {
            let i = i as u64;
            put_varint(&mut out, if k == 0 { i } else { i - previous - 1 });
            previous = i;
        }
    }
    out
}

/// Inverse of [`encode_sparse_pattern`]: `rows` rows with indices < `columns`, strictly
/// increasing per row; values are zero until filled.
pub fn decode_sparse_pattern(bytes: &[u8], rows: usize, columns: usize) -> Result<Sparse> {
    let mut at = 0usize;
    if get_varint(bytes, &mut at)? != rows as u64 {
        return Err(Error::corrupt("a sparse matrix has the wrong number of rows"));
    }
    let mut offsets = Vec::with_capacity(rows + 1);
    offsets.push(0usize);
    let mut indices: Vec<u32> = Vec::new();
    for _ in 0..rows {
        let n = get_varint(bytes, &mut at)?;
        // Each entry takes at least one byte.
        if n > (bytes.len() - at) as u64 || n > columns as u64 {
            return Err(Error::corrupt("a sparse row is longer than the bytes that remain"));
        }
        let mut previous: u64 = 0;
        for k in 0..n {
            let gap = get_varint(bytes, &mut at)?;
            let i = if k == 0 { gap } else { previous.checked_add(gap).and_then(|v| v.checked_add(1)).unwrap_or(u64::MAX) };
            if i >= columns as u64 {
                return Err(Error::corrupt(format!("an index {i} is out of range (0..{columns})")));
            }
            indices.push(i as u32);
            previous = i;
        }
        offsets.push(indices.len());
    }
    if at != bytes.len() {
        return Err(Error::corrupt("a sparse pattern has trailing bytes"));
    }
    let values = vec![0f32; indices.len()];
    Ok(Sparse { offsets, indices, values })
}

/// Writes `values` with one encoding tag; int8 uses one scale per block of 64 values.
pub fn put_values(w: &mut Writer, values: &[f32], q: Quantization) {
    w.put_u8(q.code());
    put_blocks(w, values, 64, q);
}

/// Whole non-negative numbers below 2^24 (e.g. ages in days) as a varint blob.
pub fn put_whole(w: &mut Writer, values: &[f32]) {
    let mut bytes = Vec::with_capacity(values.len() * 2);
    for v in values {
        put_varint(&mut bytes, v.max(0.0).min(16_777_215.0) as u64);
    }
    w.put_u64(values.len() as u64);
    w.put_bytes(&bytes);
}

/// Reads [`put_whole`] output holding exactly `expected` values.
pub fn get_whole(r: &mut Reader, expected: usize) -> Result<Vec<f32>> {
    if r.get_u64()? != expected as u64 {
        return Err(Error::corrupt("a list of whole numbers has the wrong length"));
    }
    let bytes = r.get_bytes()?;
    let mut at = 0;
    let mut out = Vec::with_capacity(expected);
    for _ in 0..expected {
        let v = get_varint(&bytes, &mut at)?;
        if v >= 16_777_216 {
            return Err(Error::corrupt("a whole number is out of range"));
        }
        out.push(v as f32);
    }
    if at != bytes.len() {
        return Err(Error::corrupt("a list of whole numbers has trailing bytes"));
    }
    Ok(out)
}

/// Tag of whole counts stored as varints.
const COUNTS: u8 = 3;

/// Purchase counts: whole numbers in 1..2^24 (exact in f32) are stored as varints (about one
/// byte each), anything else as f32.
pub fn put_counts(w: &mut Writer, values: &[f32]) {
    let whole = values.iter().all(|v| v.fract() == 0.0 && *v >= 1.0 && *v < 16_777_216.0);
    if !whole {
        return put_values(w, values, Quantization::F32);
    }
    w.put_u8(COUNTS);
    w.put_u64(values.len() as u64);
    let mut bytes = Vec::with_capacity(values.len());
    for v in values {
        put_varint(&mut bytes, *v as u64);
    }
    w.put_bytes(&bytes);
}

fn put_blocks(w: &mut Writer, values: &[f32], block: usize, q: Quantization) {
    w.put_u64(values.len() as u64);
    match q {
        Quantization::F32 => values.iter().for_each(|v| w.put_f32(*v)),
        Quantization::F16 => values.iter().for_each(|v| {
            let h = f32_to_f16(*v);
            w.put_u8(h as u8);
            w.put_u8((h >> 8) as u8);
        }),
        Quantization::Int8 => {
            for chunk in values.chunks(block) {
                let max = chunk.iter().fold(0f32, |m, v| m.max(v.abs()));
                let scale = if max > 0.0 { max / 127.0 } else { 0.0 };
                w.put_f32(scale);
                for v in chunk {
                    let q = if scale > 0.0 { (v / scale).round().clamp(-127.0, 127.0) } else { 0.0 };
                    w.put_u8(q as i8 as u8);
                }
            }
        }
    }
}

fn get_blocks(r: &mut Reader, expected: usize, block: usize, q: Quantization) -> Result<Vec<f32>> {
    let width = match q {
        Quantization::F32 => 4,
        Quantization::F16 => 2,
        Quantization::Int8 => 1,
    };
    let n = r.get_len(width)?;
    if n != expected {
        return Err(Error::corrupt(format!("expected {expected} values, the bytes hold {n}")));
    }
    let mut out = Vec::with_capacity(n);
    match q {
        Quantization::F32 => {
            for _ in 0..n {
                out.push(r.get_f32()?);
            }
        }
        Quantization::F16 => {
            for _ in 0..n {
                let lo = r.get_u8()? as u16;
                let hi = r.get_u8()? as u16;
                out.push(f16_to_f32(lo | (hi << 8)));
            }
        }
        Quantization::Int8 => {
            let mut left = n;
            while left > 0 {
                let scale = r.get_f32()?;
                if !(scale.is_finite() && scale >= 0.0) {
                    return Err(Error::corrupt("an int8 scale is invalid"));
                }
                for _ in 0..left.min(block) {
                    out.push(scale * (r.get_u8()? as i8) as f32);
                }
                left -= left.min(block);
            }
        }
    }
    if out.iter().any(|v| !v.is_finite()) {
        return Err(Error::corrupt("a stored value is not finite"));
    }
    Ok(out)
}

/// Reads [`put_values`] output holding exactly `expected` values.
pub fn get_values(r: &mut Reader, expected: usize) -> Result<Vec<f32>> {
    let tag = r.get_u8()?;
    if tag == COUNTS {
        let n = r.get_u64()?;
        if n != expected as u64 {
            return Err(Error::corrupt(format!("expected {expected} counts, the bytes hold {n}")));
        }
        let bytes = r.get_bytes()?;
        let mut at = 0;
        let mut out = Vec::with_capacity(expected);
        for _ in 0..expected {
            let v = get_varint(&bytes, &mut at)?;
            if v == 0 || v >= 16_777_216 {
                return Err(Error::corrupt("a count is out of range"));
            }
            out.push(v as f32);
        }
        if at != bytes.len() {
            return Err(Error::corrupt("counts have trailing bytes"));
        }
        return Ok(out);
    }
    let q = Quantization::from_code(tag)?;
    get_blocks(r, expected, 64, q)
}

/// Writes the first `used` of every `stride`-float row (int8: one scale per row).
pub fn put_rows(w: &mut Writer, rows: &[f32], stride: usize, used: usize, q: Quantization) {
    let compact: Vec<f32> = rows.chunks_exact(stride).flat_map(|row| row[..used].iter().copied()).collect();
    w.put_u8(q.code());
    put_blocks(w, &compact, used, q);
}

/// Reads [`put_rows`] output into `count` zero-padded rows of `stride` floats.
pub fn get_rows(r: &mut Reader, count: usize, stride: usize, used: usize) -> Result<Vec<f32>> {
    let q = Quantization::from_code(r.get_u8()?)?;
    let compact = get_blocks(r, count * used, used, q)?;
    let mut out = vec![0f32; count * stride];
    for (dst, src) in out.chunks_exact_mut(stride).zip(compact.chunks_exact(used)) {
        dst[..used].copy_from_slice(src);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f16_round_trips_and_rounds() {
        for v in [0.0f32, 1.0, -2.5, 0.333_333, 65504.0, 6.1e-5, 1e-7, -0.0] {
            let back = f16_to_f32(f32_to_f16(v));
            let tolerance = (v.abs() * 1e-3).max(6e-8);
            assert!((back - v).abs() <= tolerance, "{v} -> {back}");
        }
        assert_eq!(f16_to_f32(f32_to_f16(1.0)), 1.0);
        assert_eq!(f32_to_f16(1.0), 0x3c00);
        assert_eq!(f32_to_f16(-2.0), 0xc000);
        assert!(f16_to_f32(f32_to_f16(1e6)).is_infinite());
    }

    #[test]
    fn sparse_pattern_round_trips() {
        let m = Sparse::from_triplets(3, vec![(0, 5, 1.0), (0, 1000, 2.0), (2, 0, 1.0), (2, 1, 1.0)]);
        let bytes = encode_sparse_pattern(&m);
        let back = decode_sparse_pattern(&bytes, 3, 1001).unwrap();
        assert_eq!(back.offsets, m.offsets);
        assert_eq!(back.indices, m.indices);
        assert!(decode_sparse_pattern(&bytes, 3, 1000).is_err());
        assert!(decode_sparse_pattern(&bytes[..bytes.len() - 1], 3, 1001).is_err());
    }
}
