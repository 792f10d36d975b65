//! Serde for a member that may be absent, null or a value: `Option<Option<T>>` with
//! `#[serde(default, skip_serializing_if = "Option::is_none", with = "crate::nullable")]`.
//! `None` is absent (the member is not written), `Some(None)` null, `Some(Some(v))` a value,
//! so a document read and written back keeps a null it had and adds none it lacked.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub(crate) fn serialize<T: Serialize, S: Serializer>(
    value: &Option<Option<T>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(Some(inner)) => inner.serialize(serializer),
        _ => serializer.serialize_none(),
    }
}

pub(crate) fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}
