//! A request's photos: the reporter's on filing, and the handler's proof of the fix with
//! the resolution, stored through the one file store under the same upload rules.

use chrono::Utc;
use entity::{request_photo, service_request};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    error::AppResult,
    files::{
        FileStore,
        service::{Upload, store_upload},
    },
    graphql::StoredEnum,
};

/// Who took a request's photo: the reporter on filing, or the handler when it was fixed
/// (photo proof, shown to the reporter with the resolution).
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "RequestPhotoStage")]
pub enum PhotoStage {
    Report,
    Resolution,
}

impl StoredEnum for PhotoStage {
    fn stored(self) -> &'static str {
        match self {
            Self::Report => "report",
            Self::Resolution => "resolution",
        }
    }
}

/// Where uploaded photos go, and how big one may be.
pub struct PhotoStore<'a> {
    pub files: &'a FileStore,
    pub max_file_bytes: usize,
}

/// Stores uploaded photos (checked like every upload) and attaches them to a request.
pub(super) async fn attach_photos(
    conn: &impl ConnectionTrait,
    store: &PhotoStore<'_>,
    viewer: &Viewer,
    request: &service_request::Model,
    photos: Vec<Upload>,
    stage: PhotoStage,
) -> AppResult<()> {
    let now = Utc::now();
    for (index, photo) in photos.into_iter().enumerate() {
        let field = format!("input.photos.{index}");
        let file = store_upload(
            conn,
            store.files,
            viewer,
            request.community_id,
            photo,
            store.max_file_bytes,
            &field,
        )
        .await?;
        request_photo::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(request.community_id),
            request_id: Set(request.id),
            file_id: Set(file.id),
            stage: Set(stage.stored().to_owned()),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}
