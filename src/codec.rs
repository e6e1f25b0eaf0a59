//! The one binary format for every saved model: `magic "RGLR" | format version u16 | model kind
//! [u8; 4] | payload length u64 | payload | FNV-1a 64 checksum of everything before it`.
//!
//! Model bytes travel through caches and storage, so they are untrusted: every length is checked
//! against the bytes that remain before anything is allocated, and the checksum catches any
//! altered byte (FNV-1a's xor-then-multiply-by-an-odd-prime steps are bijections, so a single
//! changed byte always changes the hash). Integers and floats are little-endian.
//!
//! The version in the header is the layout version of that model kind's payload: kinds whose
//! layout never changed write [`FORMAT_VERSION`] (1); a kind whose layout changed writes its own
//! number ([`Writer::with_version`]) and says which versions it still reads
//! ([`Reader::open_versions`]). The recommender ("RECO") is at version 2 (stored customer factors
//! and neighbour lists). A build older than a kind's version rejects the bytes with a message
//! naming the version instead of misreading them.

use crate::error::{Error, Result};

const MAGIC: &[u8; 4] = b"RGLR";
/// The layout version of every kind whose payload has not changed since the first release; a kind
/// that changes passes its own, higher version to [`Writer::with_version`].
pub const FORMAT_VERSION: u16 = 1;
const HEADER_LEN: usize = 4 + 2 + 4 + 8;
const CHECKSUM_LEN: usize = 8;

/// FNV-1a, 64 bits: the model bytes' checksum, and the base of the offer ranker's id hash.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= *b as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Builds model bytes: `put_*` the payload, then `finish`.
pub struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    pub fn new(kind: &[u8; 4]) -> Self {
        Self::with_version(kind, FORMAT_VERSION)
    }
    /// A writer for `kind` at its own layout `version` (see the module docs).
    pub fn with_version(kind: &[u8; 4], version: u16) -> Self {
        let mut bytes = Vec::with_capacity(256);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&version.to_le_bytes());
        bytes.extend_from_slice(kind);
        bytes.extend_from_slice(&0u64.to_le_bytes()); // payload length, filled by finish
        Writer { bytes }
    }
    pub fn put_u8(&mut self, v: u8) {
        self.bytes.push(v);
    }
    pub fn put_bool(&mut self, v: bool) {
        self.bytes.push(v as u8);
    }
    pub fn put_u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn put_u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn put_f64(&mut self, v: f64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn put_f32(&mut self, v: f32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn put_str(&mut self, s: &str) {
        self.put_u64(s.len() as u64);
        self.bytes.extend_from_slice(s.as_bytes());
    }
    pub fn put_bytes(&mut self, b: &[u8]) {
        self.put_u64(b.len() as u64);
        self.bytes.extend_from_slice(b);
    }
    pub fn put_f64s(&mut self, values: &[f64]) {
        self.put_u64(values.len() as u64);
        for v in values {
            self.put_f64(*v);
        }
    }
    pub fn put_f32s(&mut self, values: &[f32]) {
        self.put_u64(values.len() as u64);
        for v in values {
            self.put_f32(*v);
        }
    }
    pub fn put_u32s(&mut self, values: &[u32]) {
        self.put_u64(values.len() as u64);
        for v in values {
            self.put_u32(*v);
        }
    }
    pub fn put_strs<S: AsRef<str>>(&mut self, values: &[S]) {
        self.put_u64(values.len() as u64);
        for v in values {
            self.put_str(v.as_ref());
        }
    }
    pub fn finish(mut self) -> Vec<u8> {
        let payload_len = (self.bytes.len() - HEADER_LEN) as u64;
        self.bytes[10..18].copy_from_slice(&payload_len.to_le_bytes());
        let checksum = fnv1a64(&self.bytes);
        self.bytes.extend_from_slice(&checksum.to_le_bytes());
        self.bytes
    }
}

/// Reads model bytes written by [`Writer`]; every read is bounds-checked.
pub struct Reader<'a> {
    payload: &'a [u8],
    position: usize,
}

/// The error of every read past the end, out of line: readers inline `take` at each field.
#[cold]
#[inline(never)]
fn payload_ends_early() -> Error {
    Error::corrupt("payload ends early")
}

fn kind_name(kind: &[u8]) -> String {
    String::from_utf8_lossy(kind).into_owned()
}

impl<'a> Reader<'a> {
    /// Validates magic, kind, version, length and checksum before any payload is read.
    pub fn open(bytes: &'a [u8], kind: &[u8; 4]) -> Result<Self> {
        Ok(Self::open_versions(bytes, kind, FORMAT_VERSION, FORMAT_VERSION)?.0)
    }

    /// [`Reader::open`] for a kind that reads layout versions `oldest..=newest`; also returns the
    /// version of these bytes, so the caller picks the layout.
    pub fn open_versions(bytes: &'a [u8], kind: &[u8; 4], oldest: u16, newest: u16) -> Result<(Self, u16)> {
        if bytes.len() < HEADER_LEN + CHECKSUM_LEN {
            return Err(Error::corrupt(format!(
                "{} bytes is too short to be a regulars model",
                bytes.len()
            )));
        }
        if &bytes[0..4] != MAGIC {
            return Err(Error::corrupt("not a regulars model (wrong magic)"));
        }
        if &bytes[6..10] != kind {
            return Err(Error::corrupt(format!(
                "these bytes hold a '{}' model, not a '{}' model",
                kind_name(&bytes[6..10]),
                kind_name(kind)
            )));
        }
        let version = u16::from_le_bytes([bytes[4], bytes[5]]);
        if !(oldest..=newest).contains(&version) {
            return Err(Error::corrupt(format!(
                "format version {version} of '{}' models is not supported by this build (a newer or an older regulars wrote them)",
                kind_name(kind)
            )));
        }
        let mut len_bytes = [0u8; 8];
        len_bytes.copy_from_slice(&bytes[10..18]);
        let payload_len = u64::from_le_bytes(len_bytes);
        let expected_total = (HEADER_LEN as u64)
            .checked_add(payload_len)
            .and_then(|n| n.checked_add(CHECKSUM_LEN as u64));
        if expected_total != Some(bytes.len() as u64) {
            return Err(Error::corrupt(format!(
                "length mismatch: header announces {payload_len} payload bytes, buffer has {}",
                bytes.len() - HEADER_LEN - CHECKSUM_LEN
            )));
        }
        let body_end = bytes.len() - CHECKSUM_LEN;
        let mut sum_bytes = [0u8; 8];
        sum_bytes.copy_from_slice(&bytes[body_end..]);
        if fnv1a64(&bytes[..body_end]) != u64::from_le_bytes(sum_bytes) {
            return Err(Error::corrupt("checksum mismatch (the bytes were altered or damaged)"));
        }
        Ok((Reader { payload: &bytes[HEADER_LEN..body_end], position: 0 }, version))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.position.checked_add(n).filter(|e| *e <= self.payload.len());
        match end {
            Some(end) => {
                let out = &self.payload[self.position..end];
                self.position = end;
                Ok(out)
            }
            None => Err(payload_ends_early()),
        }
    }
    pub fn remaining(&self) -> usize {
        self.payload.len() - self.position
    }
    /// A length prefix for `element_size`-byte elements, checked against the remaining bytes
    /// before the caller allocates.
    pub fn get_len(&mut self, element_size: usize) -> Result<usize> {
        let n = self.get_u64()?;
        let needed = n.checked_mul(element_size.max(1) as u64);
        match needed {
            Some(bytes) if bytes <= self.remaining() as u64 => Ok(n as usize),
            _ => Err(Error::corrupt(format!("a length of {n} exceeds the bytes that remain"))),
        }
    }
    pub fn get_u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    pub fn get_bool(&mut self) -> Result<bool> {
        match self.get_u8()? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(Error::corrupt(format!("{other} is not a boolean"))),
        }
    }
    pub fn get_u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub fn get_u64(&mut self) -> Result<u64> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }
    pub fn get_f64(&mut self) -> Result<f64> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(f64::from_le_bytes(a))
    }
    /// A float that must be finite (model parameters are never NaN).
    pub fn get_finite_f64(&mut self) -> Result<f64> {
        let v = self.get_f64()?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(Error::corrupt("a parameter is not finite"))
        }
    }
    pub fn get_f32(&mut self) -> Result<f32> {
        let b = self.take(4)?;
        Ok(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub fn get_str(&mut self) -> Result<String> {
        let n = self.get_len(1)?;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| Error::corrupt("a string is not UTF-8"))
    }
    pub fn get_bytes(&mut self) -> Result<Vec<u8>> {
        let n = self.get_len(1)?;
        Ok(self.take(n)?.to_vec())
    }
    pub fn get_f64s(&mut self) -> Result<Vec<f64>> {
        let n = self.get_len(8)?;
        (0..n).map(|_| self.get_f64()).collect()
    }
    pub fn get_f32s(&mut self) -> Result<Vec<f32>> {
        let n = self.get_len(4)?;
        (0..n).map(|_| self.get_f32()).collect()
    }
    pub fn get_u32s(&mut self) -> Result<Vec<u32>> {
        let n = self.get_len(4)?;
        (0..n).map(|_| self.get_u32()).collect()
    }
    pub fn get_strs(&mut self) -> Result<Vec<String>> {
        // Each string takes at least its 8-byte length prefix.
        let n = self.get_len(8)?;
        (0..n).map(|_| self.get_str()).collect()
    }
    /// Every model reader ends with this: trailing bytes mean a layout mismatch.
    pub fn finish(self) -> Result<()> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(Error::corrupt(format!("{} unexpected bytes after the model", self.remaining())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let mut w = Writer::new(b"TEST");
        w.put_f64(1.5);
        w.put_strs(&["a", "bc"]);
        w.put_f32s(&[1.0, 2.0, 3.0]);
        w.finish()
    }

    #[test]
    fn round_trip() {
        let bytes = sample();
        let mut r = Reader::open(&bytes, b"TEST").unwrap();
        assert_eq!(r.get_f64().unwrap(), 1.5);
        assert_eq!(r.get_strs().unwrap(), vec!["a".to_string(), "bc".to_string()]);
        assert_eq!(r.get_f32s().unwrap(), vec![1.0, 2.0, 3.0]);
        r.finish().unwrap();
    }

    #[test]
    fn every_flip_and_truncation_is_rejected() {
        let bytes = sample();
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut altered = bytes.clone();
                altered[i] ^= 1 << bit;
                assert!(Reader::open(&altered, b"TEST").is_err(), "flip at byte {i} bit {bit}");
            }
            assert!(Reader::open(&bytes[..i], b"TEST").is_err(), "truncation at {i}");
        }
    }

    #[test]
    fn versions_are_per_kind() {
        let mut w = Writer::with_version(b"TEST", 2);
        w.put_u32(7);
        let bytes = w.finish();
        let err = Reader::open(&bytes, b"TEST").err().unwrap().to_string();
        assert!(err.contains("format version 2 of 'TEST' models is not supported by this build"), "{err}");
        let (mut r, version) = Reader::open_versions(&bytes, b"TEST", 1, 2).unwrap();
        assert_eq!((version, r.get_u32().unwrap()), (2, 7));
        let (_, version) = Reader::open_versions(&sample(), b"TEST", 1, 2).unwrap();
        assert_eq!(version, 1);
        assert!(Reader::open_versions(&bytes, b"TEST", 3, 4).is_err());
    }

    #[test]
    fn wrong_kind_is_named() {
        let bytes = sample();
        let err = Reader::open(&bytes, b"BGNB").err().unwrap().to_string();
        assert!(err.contains("'TEST'"), "{err}");
    }
}
