//! The JSON body and query-string extractors of the API: what cannot be read is
//! refused with problem details, never with a plain-text rejection.

use axum::Json;
use axum::extract::Query;

use crate::http::error::{ApiError, AppError, FieldErrors};

/// JSON bodies with a clear problem when they do not parse. Every body of the
/// API is a JSON object: an array is refused even where serde would read it
/// as a struct's fields in order.
pub struct JsonBody<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection;
        // Parsed as JSON first (for axum's content-type and syntax errors), then
        // into `T`, noting every field `T` does not have: a misspelt field is
        // refused, never silently ignored (`scores_private` for `keep_private`
        // once shared scores a person meant to keep private).
        match Json::<serde_json::Value>::from_request(req, state).await {
            Ok(Json(mut v)) if v.is_object() => {
                whole_numbers_as_integers(&mut v);
                let mut unknown = Vec::new();
                let parsed: Result<T, _> =
                    serde_ignored::deserialize(v, |path| unknown.push(path.to_string()));
                match parsed {
                    Ok(_) if !unknown.is_empty() => Err(AppError::Invalid(FieldErrors::from([(
                        "body",
                        format!(
                            "Unknown field{}: {}. Check the spelling against the API document.",
                            if unknown.len() == 1 { "" } else { "s" },
                            unknown.join(", ")
                        ),
                    )]))
                    .into()),
                    Ok(t) => Ok(JsonBody(t)),
                    Err(e) => Err(AppError::BadRequest(format!(
                        "The JSON body could not be read: {e}"
                    ))
                    .into()),
                }
            }
            Ok(Json(_)) => Err(AppError::BadRequest(
                "The JSON body could not be read: send a JSON object.".into(),
            )
            .into()),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::BadRequest(
                "Send the body as JSON with `Content-Type: application/json`.".into(),
            )
            .into()),
            Err(JsonRejection::BytesRejection(_)) => {
                Err(AppError::PayloadTooLarge("The request body is too large.".into()).into())
            }
            Err(e) => Err(AppError::BadRequest(format!(
                "The JSON body could not be read: {}",
                e.body_text()
            ))
            .into()),
        }
    }
}

/// JSON (and JSON Schema) call `7.0` an integer; serde does not read it as
/// one. Whole numbers written with a fraction are read as the integers they are.
fn whole_numbers_as_integers(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && (i64::MIN as f64..i64::MAX as f64).contains(&f)
            {
                // A whole f64 inside i64's range converts exactly.
                *v = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// A query string, refused with problem details when it does not parse.
pub struct ApiQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(AppError::BadRequest(format!(
                "The query string could not be read: {}",
                e.body_text()
            ))
            .into()),
        }
    }
}
