//! Batched lookups for consultation fields: a page of consultations with their questions,
//! attachments and buildings costs one statement per kind, whatever the page size.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{consultation_attachment, consultation_building, consultation_question, stored_file};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{error::AppError, graphql::loader::DbLoader};

/// A consultation's questions, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QuestionsOf(pub Uuid);

/// A consultation's attached files, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AttachmentsOf(pub Uuid);

/// The buildings a consultation is put to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BuildingsOf(pub Uuid);

impl Loader<QuestionsOf> for DbLoader {
    type Value = Vec<consultation_question::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[QuestionsOf],
    ) -> Result<HashMap<QuestionsOf, Self::Value>, Self::Error> {
        let rows = consultation_question::Entity::find()
            .filter(consultation_question::Column::ConsultationId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(consultation_question::Column::Position)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let mut out: HashMap<QuestionsOf, Self::Value> = HashMap::new();
        for q in rows {
            out.entry(QuestionsOf(q.consultation_id))
                .or_default()
                .push(q);
        }
        Ok(out)
    }
}

impl Loader<AttachmentsOf> for DbLoader {
    type Value = Vec<stored_file::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[AttachmentsOf],
    ) -> Result<HashMap<AttachmentsOf, Self::Value>, Self::Error> {
        let db = self.db.reader();
        let attached = consultation_attachment::Entity::find()
            .filter(consultation_attachment::Column::ConsultationId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(consultation_attachment::Column::Position)
            .all(db)
            .await
            .map_err(AppError::from)?;
        let files: HashMap<Uuid, stored_file::Model> = stored_file::Entity::find()
            .filter(stored_file::Column::Id.is_in(attached.iter().map(|a| a.file_id)))
            .all(db)
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(|f| (f.id, f))
            .collect();
        let mut out: HashMap<AttachmentsOf, Self::Value> = HashMap::new();
        for a in attached {
            if let Some(file) = files.get(&a.file_id) {
                out.entry(AttachmentsOf(a.consultation_id))
                    .or_default()
                    .push(file.clone());
            }
        }
        Ok(out)
    }
}

impl Loader<BuildingsOf> for DbLoader {
    type Value = Vec<Uuid>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[BuildingsOf],
    ) -> Result<HashMap<BuildingsOf, Self::Value>, Self::Error> {
        let rows = consultation_building::Entity::find()
            .filter(consultation_building::Column::ConsultationId.is_in(keys.iter().map(|k| k.0)))
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let mut out: HashMap<BuildingsOf, Self::Value> = HashMap::new();
        for b in rows {
            out.entry(BuildingsOf(b.consultation_id))
                .or_default()
                .push(b.building_id);
        }
        Ok(out)
    }
}
