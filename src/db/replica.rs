//! Who reads from the primary although a standby is configured: a caller who wrote a
//! moment ago, so nobody misses what they just did while the standby replays it. Kept per
//! process; a deployment that spreads one caller's requests over several processes keeps
//! them on one (sticky sessions) or accepts the standby's lag for them (README).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use uuid::Uuid;

/// How long after a write its author reads from the primary: far above a healthy local
/// standby's replay lag (milliseconds).
pub const READ_YOUR_WRITES: Duration = Duration::from_secs(10);

#[derive(Clone, Default)]
pub struct RecentWriters(Arc<Mutex<HashMap<Uuid, Instant>>>);

impl RecentWriters {
    pub fn wrote(&self, who: Uuid) {
        if let Ok(mut writers) = self.0.lock() {
            let now = Instant::now();
            // Forget the old entries now and then, so the map stays as small as the
            // number of people who wrote in the last seconds.
            if writers.len() > 1024 {
                writers.retain(|_, at| now.duration_since(*at) < READ_YOUR_WRITES);
            }
            writers.insert(who, now);
        }
    }

    pub fn wrote_recently(&self, who: Uuid) -> bool {
        self.0.lock().is_ok_and(|writers| {
            writers
                .get(&who)
                .is_some_and(|at| at.elapsed() < READ_YOUR_WRITES)
        })
    }
}
