//! Paging for every list call: a page size with a default and a limit, and an opaque page
//! token (the offset of the next page, carrying no personal data).

use afregning_proto::common::v1::PageRequest;

use crate::error::ApiError;

/// Items per page when the caller names no size.
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// The largest page a caller may ask for.
pub const MAX_PAGE_SIZE: u32 = 1_000;

/// Offset and limit from a page request.
pub fn page(request: Option<&PageRequest>) -> Result<(i64, i64), ApiError> {
    let request = request.cloned().unwrap_or_default();
    if request.page_size > MAX_PAGE_SIZE {
        return Err(ApiError::invalid("page.page_size", format!("at most {MAX_PAGE_SIZE}")));
    }
    let size = if request.page_size == 0 {
        DEFAULT_PAGE_SIZE
    } else {
        request.page_size
    };
    let offset = if request.page_token.is_empty() {
        0
    } else {
        request
            .page_token
            .parse::<u32>()
            .map_err(|_| ApiError::invalid("page.page_token", "not a token from this service"))?
    };
    Ok((i64::from(offset), i64::from(size)))
}

/// The next page's token, empty when this page was the last.
pub fn next_token(offset: i64, limit: i64, returned: usize) -> String {
    if (returned as i64) < limit {
        String::new()
    } else {
        (offset + limit).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_tokens() {
        assert_eq!(page(None).unwrap(), (0, 100));
        let second = PageRequest {
            page_size: 10,
            page_token: next_token(0, 10, 10),
        };
        assert_eq!(page(Some(&second)).unwrap(), (10, 10));
        assert_eq!(next_token(10, 10, 3), "");
        assert!(
            page(Some(&PageRequest {
                page_size: 1_001,
                page_token: String::new()
            }))
            .is_err()
        );
        assert!(
            page(Some(&PageRequest {
                page_size: 0,
                page_token: "abc".into()
            }))
            .is_err()
        );
    }
}
