//! Storing an upload for a community. Who may download a stored file is decided where the
//! download is served (`http::files`), by what the file is attached to.

use bytes::Bytes;
use chrono::Utc;
use entity::stored_file;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use uuid::Uuid;

use super::{
    FileStore,
    content::{clean_file_name, sniff},
};
use crate::{
    auth::Viewer,
    error::{AppError, AppResult, msg},
};

/// One uploaded file, as the multipart request delivered it.
pub struct Upload {
    pub file_name: String,
    pub bytes: Bytes,
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
        return Err(AppError::bad_input(field, msg!("the file is empty")));
    }
    if upload.bytes.len() > max_bytes {
        return Err(AppError::bad_input(
            field,
            msg!("a file may have at most {max} bytes", max = max_bytes),
        ));
    }
    let content_type = sniff(&upload.bytes).ok_or_else(|| {
        AppError::bad_input(
            field,
            msg!("only JPEG, PNG, WebP photos and PDF files are accepted"),
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
