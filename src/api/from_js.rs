//! Reads what the browser's `JSON.parse` made into a contract type, through serde.
//!
//! serde-wasm-bindgen does this too, but every error it makes carries a message, and
//! formatting those messages links float printing and serde's message code into the
//! wasm (≈ 20 KB before compression, measured with `make bench`). The app does one thing
//! with an answer that does not fit — "unexpected answer" — so here an error is just
//! [`Unfit`], its message never built. JSON has nulls, booleans, numbers, strings,
//! arrays and objects; that is all this reads. Writing request bodies stays with
//! serde-wasm-bindgen (`to_value`), whose errors cannot happen for the contract's types.

use js_sys::{Array, Object, Reflect};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess,
    Visitor,
};
use serde::forward_to_deserialize_any;
use wasm_bindgen::{JsCast, JsValue};

/// A value that does not fit the type asked for.
#[derive(Debug, PartialEq)]
pub struct Unfit;

impl std::fmt::Display for Unfit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the value does not fit the type")
    }
}

impl std::error::Error for Unfit {}

impl de::Error for Unfit {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Self
    }
}

/// `value` (as `JSON.parse` returns it) read as a `T`.
pub fn from_value<T: DeserializeOwned>(value: JsValue) -> Result<T, Unfit> {
    T::deserialize(Js(value))
}

/// Numbers JavaScript holds exactly as integers: up to 2^53.
const SAFE_INTEGER: f64 = 9_007_199_254_740_992.0;

struct Js(JsValue);

impl<'de> Deserializer<'de> for Js {
    type Error = Unfit;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unfit> {
        let value = self.0;
        if value.is_null_or_undefined() {
            return visitor.visit_unit();
        }
        if let Some(b) = value.as_bool() {
            return visitor.visit_bool(b);
        }
        if let Some(n) = value.as_f64() {
            return match n {
                n if n.fract() != 0.0 || n.abs() > SAFE_INTEGER => visitor.visit_f64(n),
                n if n < 0.0 => visitor.visit_i64(n as i64),
                n => visitor.visit_u64(n as u64),
            };
        }
        if let Some(s) = value.as_string() {
            return visitor.visit_string(s);
        }
        if Array::is_array(&value) {
            return visitor.visit_seq(Items { items: value.unchecked_into(), at: 0 });
        }
        if value.is_object() {
            let object: Object = value.unchecked_into();
            let keys = Object::keys(&object);
            return visitor.visit_map(Fields { object, keys, at: 0 });
        }
        Err(Unfit)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unfit> {
        if self.0.is_null_or_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Unfit> {
        visitor.visit_newtype_struct(self)
    }

    /// The contract's enums are strings (`"totp"`, `"invalid_code"`) or internally
    /// tagged objects (read through `deserialize_any`).
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unfit> {
        let name = self.0.as_string().ok_or(Unfit)?;
        visitor.visit_enum(IntoDeserializer::<Unfit>::into_deserializer(name))
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct Items {
    items: Array,
    at: u32,
}

impl<'de> SeqAccess<'de> for Items {
    type Error = Unfit;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Unfit> {
        if self.at >= self.items.length() {
            return Ok(None);
        }
        self.at += 1;
        seed.deserialize(Js(self.items.get(self.at - 1))).map(Some)
    }
}

struct Fields {
    object: Object,
    keys: Array,
    at: u32,
}

impl<'de> MapAccess<'de> for Fields {
    type Error = Unfit;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Unfit> {
        if self.at >= self.keys.length() {
            return Ok(None);
        }
        seed.deserialize(Js(self.keys.get(self.at))).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Unfit> {
        let key = self.keys.get(self.at);
        self.at += 1;
        seed.deserialize(Js(Reflect::get(&self.object, &key).map_err(|_| Unfit)?))
    }
}
