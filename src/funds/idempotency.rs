//! Idempotency keys for money-moving mutations: the first answer is kept with a hash of the
//! input; a retry with the same key and input gets that answer, the same key with other
//! input is CONFLICT. Checked after the fund is locked, so concurrent retries queue on the
//! fund and the later one finds the earlier one's record.

use chrono::Utc;
use entity::idempotency_record;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

pub struct Key {
    pub user_id: Uuid,
    pub key: String,
    pub operation: &'static str,
    input_hash: String,
}

impl Key {
    /// `input` must hold everything that makes the request what it is (serde_json sorts
    /// object keys, so equal input hashes equally).
    pub fn new(
        user_id: Uuid,
        key: &str,
        operation: &'static str,
        input: &Value,
    ) -> AppResult<Self> {
        let key = key.trim();
        if !(8..=100).contains(&key.len()) || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AppError::bad_input(
                "input.idempotencyKey",
                "an idempotency key is 8 to 100 visible ASCII characters, e.g. a UUID",
            ));
        }
        let input_hash = Sha256::digest(input.to_string().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Self {
            user_id,
            key: key.to_owned(),
            operation,
            input_hash,
        })
    }

    /// The first answer, if this key was used before for the same input.
    pub async fn replay(&self, conn: &impl ConnectionTrait) -> AppResult<Option<Value>> {
        let Some(record) = idempotency_record::Entity::find_by_id((self.user_id, self.key.clone()))
            .one(conn)
            .await?
        else {
            return Ok(None);
        };
        if record.operation != self.operation || record.input_hash != self.input_hash {
            return Err(AppError::Conflict(
                "this idempotency key was used for a different request".into(),
            ));
        }
        Ok(Some(record.response))
    }

    pub async fn remember(&self, conn: &impl ConnectionTrait, response: Value) -> AppResult<()> {
        idempotency_record::ActiveModel {
            user_id: Set(self.user_id),
            key: Set(self.key.clone()),
            operation: Set(self.operation.to_owned()),
            input_hash: Set(self.input_hash.clone()),
            response: Set(response),
            created_at: Set(Utc::now()),
        }
        .insert(conn)
        .await?;
        Ok(())
    }
}
