//! Personal-data reads recorded by group commit (ARCHITECTURE.md §8): every response that
//! carried personal data waits for its `readPersonalData` row to be durable, but the rows of
//! concurrent requests go to the database together, in one multi-row INSERT (one statement,
//! one commit, one WAL flush) instead of a transaction each.
//!
//! No timer: one writer task takes whatever rows queued while its previous INSERT ran, so a
//! lone request waits for nothing but its own insert, and under load a batch grows with
//! the load.

use entity::audit_entry;
use sea_orm::EntityTrait;
use tokio::sync::{mpsc, oneshot};

use crate::{
    db::Db,
    error::{AppError, AppResult},
};

/// Rows per INSERT (13 columns each: well under SQLite's and PostgreSQL's parameter limits).
const MAX_BATCH: usize = 256;
/// Rows waiting at once; beyond that requests wait to queue (back-pressure, bounded memory).
const QUEUE: usize = 4096;

struct Pending {
    row: audit_entry::ActiveModel,
    durable: oneshot::Sender<bool>,
}

/// The queue to the writer task; the task ends when the last clone is dropped.
#[derive(Clone)]
pub struct ReadLog {
    queue: mpsc::Sender<Pending>,
}

impl ReadLog {
    /// Starts the writer task (needs a tokio runtime).
    pub fn start(db: Db) -> Self {
        let (queue, pending) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(db, pending));
        Self { queue }
    }

    /// Returns once `row` is committed, with the rows of whoever else was waiting.
    pub async fn record(&self, row: audit_entry::ActiveModel) -> AppResult<()> {
        let (durable, committed) = oneshot::channel();
        let lost = || AppError::internal(std::io::Error::other("the audit writer stopped"));
        self.queue
            .send(Pending { row, durable })
            .await
            .map_err(|_| lost())?;
        match committed.await {
            Ok(true) => Ok(()),
            Ok(false) => Err(AppError::internal(std::io::Error::other(
                "writing personal-data reads to the audit log failed",
            ))),
            Err(_) => Err(lost()),
        }
    }
}

async fn write_batches(db: Db, mut pending: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while pending.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let rows = batch.iter().map(|p| p.row.clone());
        // One autocommitted statement: all rows land or none does.
        let outcome = audit_entry::Entity::insert_many(rows)
            .exec_without_returning(db.writer())
            .await;
        if let Err(err) = &outcome {
            tracing::error!(error = %err, rows = batch.len(), "recording personal-data reads failed");
        }
        for p in batch.drain(..) {
            // A request that gave up waiting is not an error here.
            let _ = p.durable.send(outcome.is_ok());
        }
    }
}
