//! The one error type of the core. Every message is written for the person calling the JS API:
//! it names the argument and what is wrong with it (`amount[17] is NaN`, `unknown customer 'abc'`).

use crate::decimal::Decimal;
use std::fmt;

/// What went wrong, with a message that names the argument and the problem.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// An argument has a bad value: NaN, negative, wrong length, empty, out of range.
    InvalidArgument(String),
    /// An id that the model or data set does not know.
    Unknown { kind: &'static str, id: String },
    /// The data cannot identify the model (too few customers, no repeat buyers, …).
    NotIdentifiable(String),
    /// Model bytes that are truncated, altered, or of another format or version.
    Corrupt(String),
    /// A documented size cap was exceeded.
    Limit(String),
}

impl Error {
    /// Shorthand for [`Error::InvalidArgument`]. Not inlined (nor [`Error::corrupt`]): each of
    /// the hundreds of call sites would otherwise carry its own copy of the string allocation,
    /// which the wasm size budget pays for; errors are never a hot path.
    #[inline(never)]
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidArgument(message.into())
    }
    /// Shorthand for [`Error::Unknown`].
    pub fn unknown(kind: &'static str, id: impl Into<String>) -> Self {
        Error::Unknown { kind, id: id.into() }
    }
    #[inline(never)]
    pub fn corrupt(message: impl Into<String>) -> Self {
        Error::Corrupt(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidArgument(m) => f.write_str(m),
            Error::Unknown { kind, id } => write!(f, "unknown {kind} '{id}'"),
            Error::NotIdentifiable(m) => write!(f, "cannot fit: {m}"),
            Error::Corrupt(m) => write!(f, "invalid model bytes: {m}"),
            Error::Limit(m) => write!(f, "limit exceeded: {m}"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// Checks that every value of a numeric column is finite, naming the first bad one
/// (`"amount[17] is NaN"`). One check used by every constructor and model call.
pub fn check_finite(name: &str, values: &[f64]) -> Result<()> {
    for (i, v) in values.iter().enumerate() {
        if !v.is_finite() {
            let what = if v.is_nan() { "NaN" } else if *v > 0.0 { "Infinity" } else { "-Infinity" };
            return Err(Error::invalid(format!("{name}[{i}] is {what}")));
        }
    }
    Ok(())
}

/// Checks that every value is finite and not negative.
pub fn check_non_negative(name: &str, values: &[f64]) -> Result<()> {
    check_finite(name, values)?;
    if let Some(i) = values.iter().position(|v| *v < 0.0) {
        return Err(Error::invalid(format!("{name}[{i}] is negative ({})", Decimal(values[i]))));
    }
    Ok(())
}

/// Checks a scalar option: finite and within `[min, max]`.
pub fn check_scalar(name: &str, value: f64, min: f64, max: f64) -> Result<f64> {
    if !value.is_finite() {
        return Err(Error::invalid(format!("{name} must be a finite number, got {value}", value = Decimal(value))));
    }
    if value < min || value > max {
        return Err(Error::invalid(format!("{name} must be between {min} and {max}, got {value}", min = Decimal(min), max = Decimal(max), value = Decimal(value))));
    }
    Ok(value)
}
