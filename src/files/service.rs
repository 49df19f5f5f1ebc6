//! Storing an upload for a community, and deciding who may download a stored file: the
//! object it is attached to decides (a receipt: whoever may read its expense; a request's
//! photo: whoever may see the request).

use bytes::Bytes;
use chrono::Utc;
use entity::{expense_receipt, request_photo, stored_file};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::{
    FileStore,
    content::{clean_file_name, sniff},
};
use crate::{
    auth::Viewer,
    error::{AppError, AppResult},
    funds::expenses::visible_expense,
    requests::access::visible_request,
};

/// One uploaded file, as the multipart request delivered it.
pub struct Upload {
    pub file_name: String,
    pub bytes: Bytes,
}

/// The files of a multipart request, read from the GraphQL `Upload` values.
pub fn read_uploads(
    ctx: &async_graphql::Context<'_>,
    uploads: Vec<async_graphql::Upload>,
) -> async_graphql::Result<Vec<Upload>> {
    uploads
        .into_iter()
        .map(|u| {
            let value = u.value(ctx)?;
            Ok(Upload {
                file_name: value.filename,
                bytes: value.content,
            })
        })
        .collect()
}

/// The store and the size limit of one file, for a mutation that stores uploads.
pub fn store_and_limit(ctx: &async_graphql::Context<'_>) -> (FileStore, usize) {
    use crate::graphql::ContextExt;
    let services = ctx.services();
    (services.files.clone(), services.config.max_file_bytes)
}

/// Checks the upload's type and size, writes its bytes, and records it. `field` names the
/// input in errors (`input.files.0`).
pub async fn store_upload(
    conn: &impl ConnectionTrait,
    files: &FileStore,
    viewer: &Viewer,
    community: Uuid,
    upload: Upload,
    max_bytes: usize,
    field: &str,
) -> AppResult<stored_file::Model> {
    if upload.bytes.is_empty() {
        return Err(AppError::bad_input(field, "the file is empty"));
    }
    if upload.bytes.len() > max_bytes {
        return Err(AppError::bad_input(
            field,
            format!("a file may have at most {max_bytes} bytes"),
        ));
    }
    let content_type = sniff(&upload.bytes).ok_or_else(|| {
        AppError::bad_input(
            field,
            "only JPEG, PNG, WebP photos and PDF files are accepted",
        )
    })?;
    let size = i64::try_from(upload.bytes.len()).map_err(AppError::internal)?;
    let sha256 = files.put(upload.bytes).await?;
    Ok(stored_file::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community),
        sha256: Set(sha256),
        content_type: Set(content_type.to_owned()),
        size_bytes: Set(size),
        file_name: Set(clean_file_name(&upload.file_name)),
        uploaded_by: Set(viewer.user_id),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?)
}

/// A stored file the caller may download; NOT_FOUND otherwise, also for a file that is
/// attached to nothing (a receipt removed from a draft).
pub async fn downloadable_file(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<stored_file::Model> {
    let not_found = || AppError::NotFound("file");
    let receipt = expense_receipt::Entity::find()
        .filter(expense_receipt::Column::FileId.eq(id))
        .one(conn)
        .await?;
    let photo = request_photo::Entity::find()
        .filter(request_photo::Column::FileId.eq(id))
        .one(conn)
        .await?;
    let readable = match (receipt, photo) {
        (Some(receipt), _) => visible_expense(conn, viewer, receipt.expense_id)
            .await
            .map(|_| ()),
        (None, Some(photo)) => visible_request(conn, viewer, photo.request_id)
            .await
            .map(|_| ()),
        (None, None) => Err(not_found()),
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
