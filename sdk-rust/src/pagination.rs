//! Paginated lists: one page at a time, or every item as a `Stream`.

use std::collections::VecDeque;
use std::future::Future;

use futures_util::Stream;
use serde::{Deserialize, Serialize};

use crate::error::AgentIdPError;

/// One page of a list: `{ data, page, limit, total }` on the wire.
///
/// ```
/// let page: sentryagent_idp::Page<u32> =
///     serde_json::from_str(r#"{"data":[1,2],"page":1,"limit":2,"total":3}"#).unwrap();
/// assert!(page.has_next());
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub data: Vec<T>,
    /// 1-based page number.
    pub page: u32,
    /// Page size.
    pub limit: u32,
    /// Items across all pages.
    pub total: u64,
}

impl<T> Page<T> {
    /// Whether a later page has items.
    ///
    /// ```
    /// let page: sentryagent_idp::Page<u32> =
    ///     serde_json::from_str(r#"{"data":[1],"page":2,"limit":1,"total":2}"#).unwrap();
    /// assert!(!page.has_next());
    /// ```
    pub fn has_next(&self) -> bool {
        !self.data.is_empty() && u64::from(self.page) * u64::from(self.limit) < self.total
    }
}

struct State<T, F> {
    fetch: F,
    next_page: Option<u32>,
    buffer: VecDeque<T>,
}

/// Streams every item, fetching page after page from `first_page` on. The stream ends after
/// the last page or after the first error (which it yields).
pub(crate) fn paginate<T, F, Fut>(
    first_page: u32,
    fetch: F,
) -> impl Stream<Item = Result<T, AgentIdPError>>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<Page<T>, AgentIdPError>>,
{
    let state = State {
        fetch,
        next_page: Some(first_page.max(1)),
        buffer: VecDeque::new(),
    };
    futures_util::stream::try_unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.buffer.pop_front() {
                return Ok(Some((item, state)));
            }
            let Some(page_number) = state.next_page else {
                return Ok(None);
            };
            let page = (state.fetch)(page_number).await?;
            state.next_page = if page.has_next() {
                page_number.checked_add(1)
            } else {
                None
            };
            state.buffer.extend(page.data);
        }
    })
}
