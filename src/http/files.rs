//! `GET /files/{id}`: authorised downloads from the file store. The caller authenticates
//! like on `/graphql` (a bearer token); what the file is attached to decides who may read
//! it, and anything else is 404, as on the API. Served as a download with a sniffed type,
//! `nosniff` and a sandboxing CSP, so an uploaded file can never run in the API's origin.

use axum::{
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use uuid::Uuid;

use super::graphql::{caller, refuse};
use entity::{consultation_attachment, expense_receipt, request_photo, stored_file};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::{
    app::AppState,
    auth::Viewer,
    consultations::access::visible_consultation,
    error::{AppError, AppResult, Locale, msg},
    funds::expenses::visible_expense,
    graphql::Caller,
    requests::access::visible_request,
};

pub async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let locale = Locale::of_headers(&headers);
    let not_found = |state: &AppState| {
        refuse(
            state,
            locale,
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            msg!("file not found"),
        )
    };
    let viewer = match caller(&state, &headers).await {
        Ok(Caller::User(viewer)) => viewer,
        Ok(Caller::Refused(message)) => {
            return refuse(
                &state,
                locale,
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                message,
            );
        }
        Ok(Caller::Anonymous) => {
            return refuse(
                &state,
                locale,
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                msg!("log in to download files"),
            );
        }
        Err(err) => return internal(&state, locale, err),
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return not_found(&state);
    };
    let file = match downloadable_file(state.services.db.reader(), &viewer, id).await {
        Ok(file) => file,
        Err(AppError::NotFound(_)) => return not_found(&state),
        Err(err) => return internal(&state, locale, err),
    };
    let bytes = match state.services.files.get(&file.sha256).await {
        Ok(bytes) => bytes,
        Err(err) => return internal(&state, locale, err),
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&file.content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    // Images show in the page; a PDF is saved (browsers' PDF viewers refuse sandboxing).
    let disposition = if file.content_type.starts_with("image/") {
        "inline"
    } else {
        "attachment"
    };
    if let Ok(value) = HeaderValue::from_str(&content_disposition(disposition, &file.file_name)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600, immutable"),
    );
    response
}

fn internal(state: &AppState, locale: Locale, err: AppError) -> Response {
    tracing::error!(error = %err.describe(), "serving a file failed");
    refuse(
        state,
        locale,
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_SERVER_ERROR",
        msg!("internal error"),
    )
}

/// The disposition with the original name (RFC 6266/5987: UTF-8, percent-encoded, with an
/// ASCII fallback for old clients).
fn content_disposition(disposition: &str, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A stored file the caller may download: whoever may read what it is attached to (a
/// receipt: its expense; a photo: its request; an attachment: its consultation); NOT_FOUND otherwise, also for a file that is
/// attached to nothing (a receipt removed from a draft).
async fn downloadable_file(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<stored_file::Model> {
    let not_found = || AppError::NotFound(msg!("file not found"));
    let receipt = expense_receipt::Entity::find()
        .filter(expense_receipt::Column::FileId.eq(id))
        .one(conn)
        .await?;
    let photo = request_photo::Entity::find()
        .filter(request_photo::Column::FileId.eq(id))
        .one(conn)
        .await?;
    let attachment = if receipt.is_none() && photo.is_none() {
        consultation_attachment::Entity::find()
            .filter(consultation_attachment::Column::FileId.eq(id))
            .one(conn)
            .await?
    } else {
        None
    };
    let readable = match (receipt, photo, attachment) {
        (Some(receipt), _, _) => visible_expense(conn, viewer, receipt.expense_id)
            .await
            .map(|_| ()),
        (None, Some(photo), _) => visible_request(conn, viewer, photo.request_id)
            .await
            .map(|_| ()),
        (None, None, Some(a)) => visible_consultation(conn, viewer, a.consultation_id)
            .await
            .map(|_| ()),
        (None, None, None) => Err(not_found()),
    };
    match readable {
        Ok(()) => {}
        Err(AppError::Internal(cause)) => return Err(AppError::Internal(cause)),
        Err(_) => return Err(not_found()),
    }
    stored_file::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(not_found)
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn file_names_survive_as_utf8_in_the_disposition_header() {
        assert_eq!(
            content_disposition("attachment", "发票 1.pdf"),
            "attachment; filename=\"___1.pdf\"; filename*=UTF-8''%E5%8F%91%E7%A5%A8%201.pdf"
        );
    }
}
