//! Viewers cached by session, so that who is calling costs no statement in steady state
//! (ARCHITECTURE.md §8), without weakening §3: a revoked role or an ended session must
//! stop working at once.
//!
//! An entry is dropped:
//! - at once, in this process, when a write that changes access commits (logout, a grant
//!   given or revoked, a password changed or reset, an account disabled, a committee
//!   position begun or ended, a resident moved): `Action::finish` hands its
//!   `AccessChanged` events here (`Services::forget_viewers`) before the response is sent;
//! - in every other process sharing the PostgreSQL database, when that event arrives
//!   through `LISTEN` (milliseconds after the commit), and all at once if the listener
//!   reconnects (events may have been missed);
//! - when anything in it would change by itself: the session expiring, a grant starting or
//!   reaching its end date;
//! - and at the latest after [`TTL`], the bound on staleness if an event were ever lost.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::viewer::Viewer;
use crate::error::AppResult;

/// The longest an entry is trusted without an event.
pub const TTL: Duration = Duration::from_secs(5);
/// Sessions remembered at once; beyond that the cache starts over (a flood of distinct
/// sessions cannot grow memory).
const CAPACITY: usize = 20_000;

struct Entry {
    viewer: Arc<Viewer>,
    fresh_until: Instant,
}

#[derive(Clone, Default)]
pub struct ViewerCache {
    entries: Arc<Mutex<HashMap<Uuid, Entry>>>,
    /// Bumped by every forgetting: a Viewer loaded while an access change committed may
    /// hold the old access, so it is used for its request but not kept.
    generation: Arc<AtomicU64>,
}

impl ViewerCache {
    /// The caller of a verified access token: from the cache while fresh, else loaded.
    pub async fn viewer(
        &self,
        conn: &impl ConnectionTrait,
        user_id: Uuid,
        session_id: Uuid,
        now: DateTime<Utc>,
    ) -> AppResult<Arc<Viewer>> {
        if let Some(viewer) = self.fresh(session_id, user_id) {
            return Ok(viewer);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let (viewer, changes_at) =
            Viewer::load_with_next_change(conn, user_id, session_id, now).await?;
        let viewer = Arc::new(viewer);
        let until = changes_at
            .and_then(|at| (at - now).to_std().ok())
            .map_or(TTL, |d| d.min(TTL));
        self.insert(
            session_id,
            viewer.clone(),
            Instant::now() + until,
            generation,
        );
        Ok(viewer)
    }

    fn fresh(&self, session_id: Uuid, user_id: Uuid) -> Option<Arc<Viewer>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(&session_id)
            .filter(|e| e.fresh_until > Instant::now() && e.viewer.user_id == user_id)
            .map(|e| e.viewer.clone())
    }

    fn insert(&self, session_id: Uuid, viewer: Arc<Viewer>, fresh_until: Instant, loaded_at: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        // Checked under the lock that forgetting takes too, so no change slips between.
        if self.generation.load(Ordering::Acquire) != loaded_at {
            return;
        }
        if entries.len() >= CAPACITY {
            let now = Instant::now();
            entries.retain(|_, e| e.fresh_until > now);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            session_id,
            Entry {
                viewer,
                fresh_until,
            },
        );
    }

    /// Drops the cached sessions of a user whose access changed.
    pub fn forget_user(&self, user_id: Uuid) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.retain(|_, e| e.viewer.user_id != user_id);
    }

    /// Drops everything (events may have been missed).
    pub fn clear(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }

    /// Sessions cached now (for tests and metrics).
    pub fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
