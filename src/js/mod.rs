//! The wasm-bindgen layer and nothing else: JS values in, core types out, core errors to JS
//! `Error`s. No model logic lives here — every method is a conversion around one core call.

use crate::decimal::Decimal;
use js_sys::{Array, Float64Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::Error;

mod churn;
mod data;
#[cfg(feature = "fit")]
mod fit;
mod offers;
mod recommend;

/// Installed once at instantiation so a (never intended) panic prints its message.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Bytes of linear memory the module holds now (it grows, never shrinks): what an edge worker's
/// memory budget has to cover.
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}

/// Every core error becomes a JS `Error` with the core's message.
pub(crate) fn to_js(error: Error) -> JsValue {
    js_sys::Error::new(&error.to_string()).into()
}

pub(crate) type JsResult<T> = Result<T, JsValue>;

// Not inlined: one copy instead of one per call site (the wasm size budget; see Error::invalid).
#[inline(never)]
pub(crate) fn js_error(message: impl AsRef<str>) -> JsValue {
    js_sys::Error::new(message.as_ref()).into()
}

pub(crate) fn type_name(value: &JsValue) -> String {
    if value.is_null() {
        "null".into()
    } else if value.is_undefined() {
        "undefined".into()
    } else if Array::is_array(value) {
        "an array".into()
    } else {
        value.js_typeof().as_string().unwrap_or_else(|| "unknown".into())
    }
}

/// An optional object argument: `undefined`/`null` mean "none"; anything else must be an object.
#[inline(never)]
fn object(value: &JsValue, name: &str) -> JsResult<Option<Object>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if !value.is_object() || Array::is_array(value) {
        return Err(js_error(format!("{name} must be an object, got {}", type_name(value))));
    }
    Ok(Some(value.clone().unchecked_into()))
}

/// An options object whose own keys must all be among `accepted` (the keys the caller reads, as
/// the error lists them: `"horizon, observationEnd, seed"`): a misspelt option would otherwise change
/// nothing, silently. `name` says whose options they are (`"ChurnModel.fit options"`). One string
/// rather than a `&[&str]`, and not inlined into its score of callers: the module's size is at
/// its limit.
#[inline(never)]
pub(crate) fn options(value: &JsValue, name: &str, accepted: &str) -> JsResult<Option<Object>> {
    let object = object(value, name)?;
    if let Some(o) = &object {
        for key in Object::keys(o).iter() {
            let key = key.as_string().unwrap_or_default();
            if !accepted_keys(accepted).any(|a| a == key.as_bytes()) {
                return Err(unknown_option(&key, name, accepted));
            }
        }
    }
    Ok(object)
}

/// A required options object (see `options`).
#[inline(never)]
pub(crate) fn required_options(value: &JsValue, name: &str, accepted: &str) -> JsResult<Object> {
    required(options(value, name, accepted)?, name)
}

/// A required object that is data, not options (a ranking context, a log row), so any keys.
#[inline(never)]
pub(crate) fn required_object(value: &JsValue, name: &str) -> JsResult<Object> {
    required(object(value, name)?, name)
}

#[inline(never)]
fn required(object: Option<Object>, name: &str) -> JsResult<Object> {
    object.ok_or_else(|| js_error(format!("{name} is required (an object)")))
}

/// `"<name>: unknown option 'horizn' (did you mean 'horizon'?); accepted: horizon, …"`: the
/// suggestion is the first accepted key nearest in edits, ignoring case, if within 2.
#[cold]
#[inline(never)]
fn unknown_option(key: &str, name: &str, accepted: &str) -> JsValue {
    let (mut nearest, mut distance): (&[u8], usize) = (b"", 3);
    for a in accepted_keys(accepted) {
        let d = edit_distance(a, key.as_bytes());
        if d < distance {
            (nearest, distance) = (a, d);
        }
    }
    let hint = match core::str::from_utf8(nearest) {
        Ok(a) if !a.is_empty() => format!(" (did you mean '{a}'?)"),
        _ => String::new(),
    };
    js_error(format!("{name}: unknown option '{key}'{hint}; accepted: {accepted}"))
}

/// The keys of an `accepted` list, as bytes (keys are ASCII names).
fn accepted_keys(accepted: &str) -> impl Iterator<Item = &[u8]> {
    accepted.as_bytes().split(|&b| b == b',').map(<[u8]>::trim_ascii_start)
}

/// Levenshtein distance (insertions, deletions, substitutions) ignoring ASCII case, one row of the
/// table at a time; `a` is an accepted key (its first 31 bytes count).
fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    let a = &a[..a.len().min(31)];
    let mut row = [0usize; 32];
    for j in 1..=a.len() {
        row[j] = j;
    }
    for (i, y) in b.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, x) in a.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + !x.eq_ignore_ascii_case(y) as usize);
            diagonal = above;
        }
    }
    row[a.len()]
}

/// A property of an options object; `None` when absent or `undefined`.
pub(crate) fn property(object: Option<&Object>, key: &str) -> JsResult<Option<JsValue>> {
    let Some(object) = object else { return Ok(None) };
    let value = Reflect::get(object, &JsValue::from_str(key))?;
    Ok(if value.is_undefined() || value.is_null() { None } else { Some(value) })
}

/// A finite number option.
pub(crate) fn number_option(object: Option<&Object>, key: &str, context: &str) -> JsResult<Option<f64>> {
    match property(object, key)? {
        None => Ok(None),
        Some(v) => match v.as_f64() {
            Some(x) if x.is_finite() => Ok(Some(x)),
            Some(x) => Err(js_error(format!("{context}.{key} must be a finite number, got {x}", x = Decimal(x)))),
            None => Err(js_error(format!("{context}.{key} must be a number, got {}", type_name(&v)))),
        },
    }
}

/// A whole-number option within `[min, max]`.
pub(crate) fn integer_option(object: Option<&Object>, key: &str, context: &str, min: f64, max: f64) -> JsResult<Option<u64>> {
    match number_option(object, key, context)? {
        None => Ok(None),
        Some(x) if x.fract() == 0.0 && x >= min && x <= max => Ok(Some(x as u64)),
        Some(x) => Err(js_error(format!("{context}.{key} must be a whole number between {min} and {max}, got {x}", min = Decimal(min), max = Decimal(max), x = Decimal(x)))),
    }
}

pub(crate) fn bool_option(object: Option<&Object>, key: &str, context: &str) -> JsResult<Option<bool>> {
    match property(object, key)? {
        None => Ok(None),
        Some(v) => v
            .as_bool()
            .map(Some)
            .ok_or_else(|| js_error(format!("{context}.{key} must be true or false, got {}", type_name(&v)))),
    }
}

pub(crate) fn string_option(object: Option<&Object>, key: &str, context: &str) -> JsResult<Option<String>> {
    match property(object, key)? {
        None => Ok(None),
        Some(v) => v
            .as_string()
            .map(Some)
            .ok_or_else(|| js_error(format!("{context}.{key} must be a string, got {}", type_name(&v)))),
    }
}

/// A number argument (not inside an object).
pub(crate) fn number_argument(value: &JsValue, name: &str) -> JsResult<f64> {
    match value.as_f64() {
        Some(x) if x.is_finite() => Ok(x),
        Some(x) => Err(js_error(format!("{name} must be a finite number, got {x}", x = Decimal(x)))),
        None => Err(js_error(format!("{name} must be a number, got {}", type_name(value)))),
    }
}

/// An id argument: a string, or a number (as `String(x)`).
pub(crate) fn id_argument(value: &JsValue, name: &str) -> JsResult<String> {
    id_value(value).ok_or_else(|| js_error(format!("{name} must be a string or a number, got {}", type_name(value))))
}

/// A numeric column: a plain array of numbers or any typed array. Values are checked for type
/// here (a string is named with its index); finiteness is the core's check.
pub(crate) fn number_column(value: &JsValue, name: &str) -> JsResult<Vec<f64>> {
    if let Some(typed) = value.dyn_ref::<Float64Array>() {
        return Ok(typed.to_vec());
    }
    if Array::is_array(value) {
        let array: &Array = value.unchecked_ref();
        let mut out = Vec::with_capacity(array.length() as usize);
        for (i, v) in array.iter().enumerate() {
            match v.as_f64() {
                Some(x) => out.push(x),
                None => return Err(js_error(format!("{name}[{i}] must be a number, got {}", type_name(&v)))),
            }
        }
        return Ok(out);
    }
    if js_sys::ArrayBuffer::is_view(value) && !value.is_instance_of::<js_sys::DataView>() {
        // Other typed arrays (Float32Array, Int32Array, …): widen through Float64Array.
        if value.is_instance_of::<js_sys::BigInt64Array>() || value.is_instance_of::<js_sys::BigUint64Array>() {
            return Err(js_error(format!("{name} must hold numbers, not BigInts")));
        }
        return Ok(Float64Array::new(value).to_vec());
    }
    Err(js_error(format!("{name} must be an array of numbers or a typed array, got {}", type_name(value))))
}

/// A column of ids: strings, or numbers (converted to their decimal text, as `String(x)` would).
pub(crate) fn id_column(value: &JsValue, name: &str) -> JsResult<Vec<String>> {
    if Array::is_array(value) {
        let array: &Array = value.unchecked_ref();
        let mut out = Vec::with_capacity(array.length() as usize);
        for (i, v) in array.iter().enumerate() {
            out.push(id_value(&v).ok_or_else(|| {
                js_error(format!("{name}[{i}] must be a string or a number, got {}", type_name(&v)))
            })?);
        }
        return Ok(out);
    }
    if js_sys::ArrayBuffer::is_view(value) && !value.is_instance_of::<js_sys::DataView>() {
        let numbers = number_column(value, name)?;
        crate::error::check_finite(name, &numbers).map_err(to_js)?;
        return Ok(numbers.iter().map(|x| js_number_text(*x)).collect());
    }
    Err(js_error(format!("{name} must be an array of ids (strings or numbers), got {}", type_name(value))))
}

/// `String(x)` for an id given as a number.
fn js_number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        return format!("{}", x as i64);
    }
    js_sys::Number::from(x).to_string_with_radix(10).map(String::from).unwrap_or_else(|_| Decimal(x).to_string())
}

fn id_value(v: &JsValue) -> Option<String> {
    if let Some(s) = v.as_string() {
        return Some(s);
    }
    v.as_f64().filter(|x| x.is_finite()).map(js_number_text)
}

/// A list of strings (ids given by the caller, e.g. `exclude`).
pub(crate) fn string_list(value: &JsValue, name: &str) -> JsResult<Vec<String>> {
    if !Array::is_array(value) {
        return Err(js_error(format!("{name} must be an array of strings, got {}", type_name(value))));
    }
    id_column(value, name)
}

pub(crate) fn set(object: &Object, key: &str, value: impl Into<JsValue>) {
    // Setting a plain data property on a fresh object cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(key), &value.into());
}

pub(crate) fn f64_array(values: &[f64]) -> Float64Array {
    Float64Array::from(values)
}

pub(crate) fn string_array<S: AsRef<str>>(values: &[S]) -> Array {
    values.iter().map(|s| JsValue::from_str(s.as_ref())).collect()
}

pub(crate) fn bytes_argument(value: &JsValue, name: &str) -> JsResult<Vec<u8>> {
    if let Some(bytes) = value.dyn_ref::<js_sys::Uint8Array>() {
        return Ok(bytes.to_vec());
    }
    if let Some(buffer) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(js_sys::Uint8Array::new(buffer).to_vec());
    }
    Err(js_error(format!("{name} must be a Uint8Array, got {}", type_name(value))))
}
