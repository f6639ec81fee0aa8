//! The JSON body extractor of the API.

use axum::Json;

/// JSON bodies with a clear problem when they do not parse.
pub struct JsonBody<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = crate::http::error::ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection;
        // Parsed as JSON first (for axum's content-type and syntax errors), then
        // into `T`, noting every field `T` does not have: a misspelt field is
        // refused, never silently ignored (`scores_private` for `keep_private`
        // once shared scores a person meant to keep private).
        match Json::<serde_json::Value>::from_request(req, state).await {
            Ok(Json(v)) => {
                let mut unknown = Vec::new();
                let parsed: Result<T, _> =
                    serde_ignored::deserialize(v, |path| unknown.push(path.to_string()));
                match parsed {
                    Ok(_) if !unknown.is_empty() => Err(crate::http::error::AppError::Invalid(
                        crate::http::error::FieldErrors::from([(
                            "body",
                            format!(
                                "Unknown field{}: {}. Check the spelling against the API document.",
                                if unknown.len() == 1 { "" } else { "s" },
                                unknown.join(", ")
                            ),
                        )]),
                    )
                    .into()),
                    Ok(t) => Ok(JsonBody(t)),
                    Err(e) => Err(crate::http::error::AppError::BadRequest(format!(
                        "The JSON body could not be read: {e}"
                    ))
                    .into()),
                }
            }
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(crate::http::error::AppError::BadRequest(
                    "Send the body as JSON with `Content-Type: application/json`.".into(),
                )
                .into())
            }
            Err(JsonRejection::BytesRejection(_)) => {
                Err(crate::http::error::AppError::PayloadTooLarge(
                    "The request body is too large.".into(),
                )
                .into())
            }
            Err(e) => Err(crate::http::error::AppError::BadRequest(format!(
                "The JSON body could not be read: {}",
                e.body_text()
            ))
            .into()),
        }
    }
}
