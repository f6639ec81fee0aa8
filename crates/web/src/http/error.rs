//! One error type for every handler, rendered as an HTML page or as RFC 9457
//! problem details depending on which side of the app raised it.

use std::collections::BTreeMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rekindle_storage::StoreError;
use serde::Serialize;

#[derive(Debug)]
pub enum AppError {
    NotFound,
    /// Not signed in (API) — pages redirect to sign-in instead.
    Unauthenticated,
    Forbidden(&'static str),
    BadRequest(String),
    /// Field-level problems; pages re-render the form, the API lists them.
    Invalid(FieldErrors),
    Conflict(String),
    TooManyRequests {
        retry_after_secs: u64,
    },
    PayloadTooLarge(String),
    Internal(String),
}

pub type FieldErrors = BTreeMap<&'static str, String>;

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn title(&self) -> &'static str {
        match self {
            AppError::NotFound => "Not found",
            AppError::Unauthenticated => "Sign-in required",
            AppError::Forbidden(_) => "Not allowed",
            AppError::BadRequest(_) => "Bad request",
            AppError::Invalid(_) => "Some fields need attention",
            AppError::Conflict(_) => "Conflict",
            AppError::TooManyRequests { .. } => "Too many attempts",
            AppError::PayloadTooLarge(_) => "Too large",
            AppError::Internal(_) => "Something went wrong",
        }
    }

    /// The sentence shown to a person. Internal details stay in the logs.
    pub fn detail(&self) -> String {
        match self {
            AppError::NotFound => "There is nothing here, or it is not yours to see.".into(),
            AppError::Unauthenticated => {
                "Sign in, or send a personal API token as `Authorization: Bearer …`.".into()
            }
            AppError::Forbidden(m) => (*m).into(),
            AppError::BadRequest(m) | AppError::Conflict(m) | AppError::PayloadTooLarge(m) => m.clone(),
            AppError::Invalid(fields) => fields
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(" "),
            AppError::TooManyRequests { retry_after_secs } => {
                format!("Too many attempts. Try again in {retry_after_secs} s.")
            }
            AppError::Internal(_) => {
                "The server could not finish this request. Nothing you entered was lost; please try again.".into()
            }
        }
    }

    pub fn field(name: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid(BTreeMap::from([(name, message.into())]))
    }

    pub fn log(&self) {
        if let AppError::Internal(why) = self {
            tracing::error!(error = %why, "request failed");
        }
    }

    pub fn add_headers(&self, resp: &mut Response) {
        if let AppError::TooManyRequests { retry_after_secs } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict => AppError::Conflict("That already exists.".into()),
            StoreError::Join(r) => AppError::Conflict(r.message().into()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type (`about:blank` for plain HTTP errors).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Per-field messages for validation problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, String>>,
}

/// Problem-details rendering, used by the API.
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let status = e.status();
        let problem = Problem {
            kind: match e {
                AppError::Invalid(_) => "https://rekindle.invalid/problems/validation".into(),
                _ => "about:blank".into(),
            },
            title: e.title().into(),
            status: status.as_u16(),
            detail: e.detail(),
            errors: match &e {
                AppError::Invalid(f) => Some(
                    f.iter()
                        .map(|(k, v)| ((*k).to_owned(), v.clone()))
                        .collect(),
                ),
                _ => None,
            },
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut resp = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        e.add_headers(&mut resp);
        if matches!(e, AppError::Unauthenticated) {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

/// HTML rendering, used by pages (its response is built in `view`, which owns the
/// error page).
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
pub type PageResult<T = Response> = Result<T, PageError>;
