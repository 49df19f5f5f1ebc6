//! `multipart/form-data` requests in the GraphQL multipart request convention
//! (`operations`, `map`, then the files), for rosters, receipts and photos.

use axum::{
    body::Body,
    http::{HeaderMap, StatusCode, header},
    response::Response,
};

use super::respond::{bad_request, refuse};
use crate::{
    app::AppState,
    error::{Locale, Msg, msg},
};

/// Files one request may carry (README: "at most 10 files a request").
const MAX_FILES: usize = 10;

/// Reads a multipart request, bounded by the upload limit (not the JSON body limit) and
/// by [`MAX_FILES`], refused before anything runs. Cross-site forms cannot abuse it: the
/// API authenticates with a bearer header, never a cookie.
pub(super) async fn request(
    state: &AppState,
    locale: Locale,
    headers: &HeaderMap,
    body: Body,
) -> Result<async_graphql::Request, Response> {
    let limit = state.services.config.max_upload_bytes;
    let too_large = |message: Msg| {
        refuse(
            state,
            locale,
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            message,
        )
    };
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large(msg!("the upload exceeds {limit} bytes", limit = limit)))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    // async-graphql's `max_num_files` only scales a byte limit; it does not count files.
    let options = async_graphql::http::MultipartOptions::default().max_file_size(limit);
    let request = match async_graphql::http::receive_batch_body(
        content_type,
        bytes.as_ref(),
        options,
    )
    .await
    {
        Ok(async_graphql::BatchRequest::Single(request)) => request,
        Ok(async_graphql::BatchRequest::Batch(_)) => {
            return Err(bad_request(
                state,
                locale,
                msg!("batched requests are not supported; send one operation per request"),
            ));
        }
        Err(_) => {
            return Err(bad_request(
                state,
                locale,
                msg!("not a GraphQL multipart request: send `operations`, `map`, then the files"),
            ));
        }
    };
    // async-graphql fills in an empty query when `operations` has none; an empty query
    // would fail to parse anyway, so both are a malformed body.
    if request.query.trim().is_empty() {
        return Err(bad_request(
            state,
            locale,
            msg!("`operations` must be an object with a string `query`"),
        ));
    }
    // One upload per variable a file was mapped to: what the operation will receive.
    let files = request.uploads.len();
    if files > MAX_FILES {
        return Err(too_large(msg!(
            "at most {max} files a request; this one has {files}",
            max = MAX_FILES,
            files = files
        )));
    }
    Ok(request)
}
