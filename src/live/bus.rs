//! The event bus. Writes stage their events inside their transaction: on PostgreSQL as
//! `pg_notify`, which the database delivers only if the transaction commits; on SQLite
//! they are handed to the in-process channel after the commit. Either way a rolled-back
//! write announces nothing.

use std::sync::Arc;

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, Statement};
use serde::{Deserialize, Serialize};
use tokio::{
    sync::{OnceCell, broadcast},
    task::JoinHandle,
};
use uuid::Uuid;

use crate::{config::Config, db::Db};

/// How many events a slow subscriber may fall behind before it skips ahead.
const CAPACITY: usize = 1024;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum LiveEvent {
    /// A request was assigned (on filing, or by staff) to a grid worker.
    #[serde(rename_all = "camelCase")]
    RequestAssigned {
        request_id: Uuid,
        community_id: Uuid,
        assignee_id: Uuid,
    },
    /// A user's sessions or roles changed: open connections of theirs check again.
    #[serde(rename_all = "camelCase")]
    AccessChanged { user_id: Uuid },
    /// Events may have been missed (the database connection was lost): check everything
    /// again. Only ever raised locally.
    Resync,
}

/// Ends the PostgreSQL listener when the last handle to the bus is dropped.
struct Listener(JoinHandle<()>);

impl Drop for Listener {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Called with each event that arrives through `LISTEN`, before subscribers see it.
type Hook = Arc<dyn Fn(&LiveEvent) + Send + Sync>;

#[derive(Clone)]
pub struct LiveBus {
    local: broadcast::Sender<LiveEvent>,
    hooks: Arc<std::sync::RwLock<Vec<Hook>>>,
    db: Db,
    /// The `NOTIFY` channel on PostgreSQL (one per schema, so deployments or test runs
    /// sharing a database do not hear each other).
    channel: Option<String>,
    listener: Arc<OnceCell<Listener>>,
}

impl LiveBus {
    pub fn new(db: Db, config: &Config) -> Self {
        let channel =
            (db.backend() == DbBackend::Postgres).then(|| match &config.database_schema {
                Some(schema) => format!("jiedao_live_{schema}"),
                None => "jiedao_live".to_owned(),
            });
        Self {
            local: broadcast::channel(CAPACITY).0,
            hooks: Arc::default(),
            db,
            channel,
            listener: Arc::new(OnceCell::new()),
        }
    }

    /// Receives every event published from now on (on PostgreSQL, once this process is
    /// listening; the first subscriber starts the listener).
    pub async fn subscribe(&self) -> Result<broadcast::Receiver<LiveEvent>, DbErr> {
        if let Some(channel) = &self.channel {
            self.listener
                .get_or_try_init(|| self.listen(channel.clone()))
                .await?;
        }
        Ok(self.local.subscribe())
    }

    /// Calls `hook` with every event other processes publish (on PostgreSQL; this
    /// process's own events are handled by the writer), starting to listen now. The hook
    /// must not hold the bus, or the listener would never stop.
    pub async fn on_remote_event(
        &self,
        hook: impl Fn(&LiveEvent) + Send + Sync + 'static,
    ) -> Result<(), DbErr> {
        self.hooks
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(Arc::new(hook));
        if let Some(channel) = &self.channel {
            self.listener
                .get_or_try_init(|| self.listen(channel.clone()))
                .await?;
        }
        Ok(())
    }

    /// Open subscriptions in this process (for `/metrics` and for tests that wait for a
    /// subscriber before acting).
    pub fn subscribers(&self) -> usize {
        self.local.receiver_count()
    }

    /// Stages events inside the write's transaction (PostgreSQL only; see [`Self::deliver`]).
    pub async fn stage(
        &self,
        txn: &DatabaseTransaction,
        events: &[LiveEvent],
    ) -> Result<(), DbErr> {
        let Some(channel) = &self.channel else {
            return Ok(());
        };
        for event in events {
            let payload = serde_json::to_string(event).map_err(|e| DbErr::Custom(e.to_string()))?;
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [channel.clone().into(), payload.into()],
            ))
            .await?;
        }
        Ok(())
    }

    /// Hands events to this process's subscribers once their transaction has committed
    /// (SQLite; on PostgreSQL they come back through the listener).
    pub fn deliver(&self, events: Vec<LiveEvent>) {
        if self.channel.is_some() {
            return;
        }
        for event in events {
            // No subscribers is not an error.
            let _ = self.local.send(event);
        }
    }

    async fn listen(&self, channel: String) -> Result<Listener, DbErr> {
        use sea_orm::sqlx::postgres::PgListener;
        let pool = self.db.writer().get_postgres_connection_pool();
        let connect = |e: sea_orm::sqlx::Error| DbErr::Custom(format!("LISTEN: {e}"));
        let mut listener = PgListener::connect_with(pool).await.map_err(connect)?;
        listener.listen(&channel).await.map_err(connect)?;
        let local = self.local.clone();
        let hooks = self.hooks.clone();
        let announce = move |event: LiveEvent| {
            for hook in hooks
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .iter()
            {
                hook(&event);
            }
            // No subscribers is not an error.
            let _ = local.send(event);
        };
        let task = tokio::spawn(async move {
            loop {
                match listener.try_recv().await {
                    Ok(Some(notification)) => {
                        match serde_json::from_str::<LiveEvent>(notification.payload()) {
                            Ok(event) => announce(event),
                            Err(err) => tracing::warn!(error = %err, "an unreadable live event"),
                        }
                    }
                    Ok(None) => {
                        tracing::warn!("the LISTEN connection was lost and re-established");
                        announce(LiveEvent::Resync);
                    }
                    Err(sea_orm::sqlx::Error::PoolClosed) => return,
                    Err(err) => {
                        tracing::warn!(error = %err, "listening for live events failed; retrying");
                        announce(LiveEvent::Resync);
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(Listener(task))
    }
}
