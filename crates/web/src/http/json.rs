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
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(JsonBody(v)),
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
