//! Collecting what no one can reach any more (`jiedao collect-files`): uploads attached to
//! nothing (a receipt removed from a draft), and objects without a record (an upload
//! whose transaction rolled back). Receipts and residents' photos are not kept longer
//! than they serve. A grace period spares uploads still in flight: an object is written
//! before its record commits.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::{consultation_attachment, expense_receipt, request_photo, stored_file};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Query};

use super::FileStore;
use crate::{db::Db, error::AppResult};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Collected {
    /// Records of uploads attached to nothing, deleted.
    pub records: u64,
    /// Objects no record points at, deleted.
    pub objects: u64,
    pub bytes: u64,
}

/// Deletes unattached uploads recorded before `before`, then objects written before
/// `before` that no record points at.
pub async fn collect(db: &Db, files: &FileStore, before: DateTime<Utc>) -> AppResult<Collected> {
    let mut collected = Collected::default();
    let receipts = Query::select()
        .column(expense_receipt::Column::FileId)
        .from(expense_receipt::Entity)
        .to_owned();
    let photos = Query::select()
        .column(request_photo::Column::FileId)
        .from(request_photo::Entity)
        .to_owned();
    let attachments = Query::select()
        .column(consultation_attachment::Column::FileId)
        .from(consultation_attachment::Entity)
        .to_owned();
    let txn = db.begin_write().await?;
    let deleted = stored_file::Entity::delete_many()
        .filter(stored_file::Column::CreatedAt.lt(before))
        .filter(stored_file::Column::Id.not_in_subquery(receipts))
        .filter(stored_file::Column::Id.not_in_subquery(photos))
        .filter(stored_file::Column::Id.not_in_subquery(attachments))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    collected.records = deleted.rows_affected;
    let referenced: HashSet<String> = stored_file::Entity::find()
        .select_only()
        .column(stored_file::Column::Sha256)
        .distinct()
        .into_tuple::<String>()
        .all(db.reader())
        .await?
        .into_iter()
        .collect();
    for object in files.list().await? {
        if object.written_at < before && !referenced.contains(&object.sha256) {
            files.delete(&object.sha256).await?;
            collected.objects += 1;
            collected.bytes += object.size_bytes;
        }
    }
    Ok(collected)
}
