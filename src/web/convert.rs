//! Moving numbers across the JS boundary, with errors that say what was wrong.

use js_sys::{Array, Float32Array, Object, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::error::{check_finite, invalid, Error, Result};

/// Copy a `Float32Array` (or any typed array, or a plain array of numbers)
/// into a `Vec<f32>`, refusing empty input and non-finite values.
pub fn f32_vec(op: &'static str, what: &str, value: &JsValue) -> Result<Vec<f32>> {
    let values: Vec<f32> = if let Some(typed) = value.dyn_ref::<Float32Array>() {
        typed.to_vec()
    } else if js_sys::ArrayBuffer::is_view(value) || Array::is_array(value) {
        let array = Array::from(value);
        let mut out = Vec::with_capacity(array.length() as usize);
        for (i, item) in array.iter().enumerate() {
            match item.as_f64() {
                Some(x) => out.push(x as f32),
                None => {
                    return Err(invalid(
                        op,
                        format!("{what}[{i}] is not a number ({item:?}); pass a Float32Array or an array of numbers."),
                    ))
                }
            }
        }
        out
    } else {
        return Err(invalid(
            op,
            format!("{what} must be a Float32Array or an array of numbers, got {value:?}."),
        ));
    };
    if values.is_empty() {
        return Err(invalid(op, format!("{what} is empty; it needs at least one value.")));
    }
    check_finite(op, what, &values)?;
    Ok(values)
}

/// Read a plain JS options object into a Rust struct (`undefined` = defaults
/// where the struct allows it). A missing, mistyped or out-of-range field is
/// an error, and so is a field the struct does not have: a misspelt option
/// (`dff` for `dFF`) would otherwise be ignored without a word.
pub fn options<T: DeserializeOwned>(op: &'static str, value: JsValue) -> Result<T> {
    let value = if value.is_undefined() || value.is_null() {
        Object::new().into()
    } else {
        value
    };
    let known = field_names::<T>();
    if !known.is_empty() && value.is_object() && !Array::is_array(&value) {
        for key in Object::keys(value.unchecked_ref::<Object>()).iter().filter_map(|k| k.as_string()) {
            if !known.contains(&key.as_str()) {
                return Err(invalid(
                    op,
                    format!("unknown option {key:?}; the options are {}.", known.join(", ")),
                ));
            }
        }
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| invalid(op, format!("bad options: {e}.")))
}

/// The JS names of the fields of the options struct `T` (after its
/// `rename_all`), as its `Deserialize` implementation announces them; empty
/// for anything but a struct. (serde-wasm-bindgen reads only the fields it
/// knows, so `deny_unknown_fields` alone never sees a stray one.)
fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    use serde::de::{Error as _, Visitor};
    /// A deserializer that only notes the field names a struct asks for.
    struct FieldNames<'a>(&'a mut &'static [&'static str]);
    impl<'de> serde::Deserializer<'de> for FieldNames<'_> {
        type Error = serde::de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> std::result::Result<V::Value, Self::Error> {
            Err(Self::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> std::result::Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(Self::Error::custom("only the field names were wanted"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let mut names: &'static [&'static str] = &[];
    let _ = T::deserialize(FieldNames(&mut names));
    names
}

/// A result as the plain JS object it becomes: a `#[derive(Serialize)]`
/// struct, its fields renamed to camelCase, through serde-wasm-bindgen
/// (maps become plain objects too). Tensors inside it are [`Js`] values.
pub fn to_js<T: Serialize, E: From<Error>>(value: &T) -> std::result::Result<JsValue, E> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true))
        .map_err(|e| E::from(invalid("result", format!("could not be turned into a JS value: {e}."))))
}

/// A JS value carried as it is inside a serialized result: a tensor (see
/// [`tensor`]), whose `Float32Array` serde would otherwise copy into a plain array.
#[derive(Serialize)]
#[serde(transparent)]
pub struct Js(#[serde(with = "serde_wasm_bindgen::preserve")] pub JsValue);

/// [`tensor`] as a field of a serialized result.
pub fn js_tensor(data: &[f32], shape: &[usize]) -> Js {
    Js(tensor(data, shape))
}

/// `{ data: Float32Array, shape: number[] }`, the form every tensor takes in JS.
pub fn tensor(data: &[f32], shape: &[usize]) -> JsValue {
    let object = Object::new();
    let shape: Array = shape.iter().map(|&d| JsValue::from(d as u32)).collect();
    // A fresh array filled by `set` (one memcpy out of wasm memory): much
    // faster than `Float32Array::from`, which builds it from a view.
    let array = Float32Array::new_with_length(data.len() as u32);
    array.copy_from(data);
    set(&object, "data", &array.into());
    set(&object, "shape", &shape.into());
    object.into()
}

/// `object[key] = value` on an object we just created (cannot fail).
pub fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

/// `?` on a crate result inside a method that rejects with a JS value.
impl From<Error> for JsValue {
    fn from(error: Error) -> JsValue {
        js_error(error)
    }
}

/// An [`Error`] as the value a rejected Promise carries: a JS `Error` whose
/// message says what went wrong, with the refusing op as its `op` field and,
/// for a shape that does not fit, `what`, `expected` and `got` beside it, so
/// that code can react to an error without parsing its message:
///
/// ```js
/// try { await rt.feedForward(x, w1, b1, w2, b2, { dModel: 2, hidden: 2 }); }
/// catch (e) { e.op; e.what; e.expected; e.got; }   // "feedForward", "W1", "(dModel=2, hidden=2) = 4 values", "3 values"
/// ```
pub fn js_error(error: Error) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    let field = |key: &str, value: &str| set(&js, key, &JsValue::from_str(value));
    match &error {
        Error::Shape {
            op, what, expected, got, ..
        } => {
            field("op", op);
            field("what", what);
            field("expected", expected);
            field("got", got);
        }
        Error::InvalidArgument { op, .. } | Error::NonFinite { op, .. } => field("op", op),
        Error::Backend(_) => field("op", "backend"),
    }
    js.into()
}
