//! What one request has already read, when the server keeps nothing between
//! requests (`serve --no-kept-reads`, `Config::keep_reads` off).
//!
//! That mode exists to measure the first view after a change. In real use a
//! change drops what was kept for the couple, and the next view reads each
//! thing once: the navigation's count of what waits fills the session cache
//! and the home page's list, a moment later in the same request, takes it from
//! there. With nothing kept at all, the home page read the count twice and the
//! benchmark charged the first view for a read it never makes. So in that mode
//! each request keeps its own reads (and only its own) until it ends.

use std::any::Any;
use std::cell::RefCell;
use std::sync::Arc;

type Kept = (&'static str, String, Arc<dyn Any + Send + Sync>);

tokio::task_local! {
    static THIS_REQUEST: RefCell<Vec<Kept>>;
}

/// Runs `request` with a memo of its own (see the module's documentation).
pub async fn scope<F: Future>(request: F) -> F::Output {
    THIS_REQUEST.scope(RefCell::new(Vec::new()), request).await
}

/// What this request already read under `what` for `user`; `None` outside
/// [`scope`] or when it has not been read yet.
pub fn find<T: Any + Send + Sync>(what: &'static str, user: &str) -> Option<Arc<T>> {
    THIS_REQUEST
        .try_with(|memo| {
            memo.borrow()
                .iter()
                .find(|(w, u, _)| *w == what && u == user)
                .and_then(|(_, _, v)| v.clone().downcast::<T>().ok())
        })
        .ok()
        .flatten()
}

/// Keeps `value` until this request ends; does nothing outside [`scope`].
pub fn keep<T: Any + Send + Sync>(what: &'static str, user: &str, value: Arc<T>) {
    let _ = THIS_REQUEST.try_with(|memo| {
        let mut memo = memo.borrow_mut();
        memo.retain(|(w, u, _)| !(*w == what && u == user));
        memo.push((what, user.to_owned(), value));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_read_is_kept_for_its_own_request_only() {
        let one = scope(async {
            assert!(find::<u32>("waiting", "ana").is_none());
            keep("waiting", "ana", Arc::new(7u32));
            (
                find::<u32>("waiting", "ana"),
                find::<u32>("waiting", "ben"),
                find::<u32>("space", "ana"),
                // Another type under the same name is not this value.
                find::<String>("waiting", "ana"),
            )
        })
        .await;
        assert_eq!(one.0.as_deref(), Some(&7));
        assert!(one.1.is_none() && one.2.is_none() && one.3.is_none());
        // The next request starts empty.
        assert!(
            scope(async { find::<u32>("waiting", "ana") })
                .await
                .is_none()
        );
        // Outside any request nothing is kept.
        keep("waiting", "ana", Arc::new(8u32));
        assert!(find::<u32>("waiting", "ana").is_none());
    }
}
